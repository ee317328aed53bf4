"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import WAREHOUSE_POOL, PipelinePaths
from orchestration.runs.run_guard import RunGuard
from orchestration.runs.warehouse_wait import wait_until_writable
from orchestration.warehouse import build_state
from orchestration.warehouse.project import dbt_project


class LayerTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by their folder: staging / intermediate / marts, and seeds as `method`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "method"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


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
    wait_until_writable(paths.warehouse, context.log.warning)
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
            dbt.cli(build, manifest=dbt_project.manifest_path, target_path=full).wait()
    yield from dbt.cli(build, context=context, target_path=paths.dbt_target / context.run_id[:8]).stream()
    build_state.mark_complete(paths.build_state, context.run_id)
