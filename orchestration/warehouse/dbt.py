"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.publication.alerts import warehouse_wait_notifier
from orchestration.resources import WAREHOUSE_POOL, PipelinePaths
from orchestration.runs.run_guard import RunGuard
from orchestration.warehouse import build_state
from orchestration.warehouse.dbt_metadata import with_table_metadata
from orchestration.warehouse.dbt_test_descriptions import describe_dbt_test
from orchestration.warehouse.partial_parse import reuse_partial_parse
from orchestration.warehouse.project import dbt_project
from storage.warehouse_wait import wait_until_writable


class LayerTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by their folder: staging / intermediate / marts, and seeds as `method`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "method"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetCheckSpec | None:
        """dbt tests as checks with a description of their rule (dbt has none for generic tests).
        The 4 gated marts have no dbt tests: their `gate_<table>` GX check covers the contract."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=describe_dbt_test(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, pipeline_paths: PipelinePaths, run_guard: RunGuard):
    """dbt build: seeds, models and their tests. dbt is the only writer of the warehouse meanwhile.
    The build's state is recorded (orchestration/warehouse/build_state.py): a build that did not
    finish is rebuilt whole, and the gate and publication read only the marts of a complete build.
    dbt's artefacts go to ``Paths.dbt_target`` (one folder per invocation, the newest few kept)."""
    paths = pipeline_paths.paths()
    on_long_wait = warehouse_wait_notifier(context.run_id, context.job_name or "", context.log)
    wait_until_writable(paths.warehouse, context.log.warning, on_long_wait)
    # unit tests run in `make test` (tests/method/test_dbt_unit_tests.py), not in a production build
    build = ["build", "--exclude-resource-type", "unit_test", "--vars", paths.dbt_vars()]
    broken = build_state.interrupted(paths.build_state)
    build_state.mark_building(paths.build_state, context.run_id)
    if broken is not None:
        context.log.warning(
            f"the dbt build of run {broken.run_id} (started {broken.at}) did not finish; every dbt model is rebuilt"
        )
        if context.is_subset:
            full = paths.dbt_target / f"{context.run_id[:8]}-full"
            reuse_partial_parse(paths.dbt_target, full)
            dbt.cli(build, manifest=dbt_project.manifest_path, target_path=full).wait()
    target = paths.dbt_target / context.run_id[:8]
    reuse_partial_parse(paths.dbt_target, target)  # this output directory's vars: no full re-parse
    events = dbt.cli(build, context=context, target_path=target).stream()
    # with row counts and column types, read once dbt has exited (orchestration/warehouse/dbt_metadata.py)
    yield from with_table_metadata(events, paths.warehouse, dbt_project.manifest_path)
    build_state.mark_complete(paths.build_state, context.run_id)
