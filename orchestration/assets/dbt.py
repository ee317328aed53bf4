"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from orchestration.assets.dbt_metadata import with_table_metadata
from orchestration.assets.dbt_test_descriptions import describe_dbt_test
from orchestration.assets.raw_inputs import WAREHOUSE_POOL
from orchestration.project import dbt_project
from orchestration.release.tables import PUBLISHED_TABLES
from orchestration.resources import OfflineDbtCliResource, PipelinePaths, dbt_environment

GATED_MARTS = frozenset(AssetKey(["marts", table.name]) for table in PUBLISHED_TABLES if table.gated)


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
        """dbt tests as checks with a description of their rule (dbt has none for generic tests)."""
        if asset_spec.key in GATED_MARTS:
            # the `gate_<table>` GX check covers the published contract (columns, types, nulls, ranges,
            # keys, flags); its dbt tests still run in `dbt build` but are not shown as 17 more checks
            return None
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
def dbt_models(context: AssetExecutionContext, dbt: OfflineDbtCliResource, pipeline_paths: PipelinePaths):
    """dbt build: seeds, models and their tests. dbt is the only writer of the warehouse meanwhile."""
    dbt_environment(pipeline_paths)
    # with row counts and column types, read once dbt has exited (orchestration/assets/dbt_metadata.py)
    events = dbt.cli(["build"], context=context).stream()
    yield from with_table_metadata(events, pipeline_paths.warehouse(), dbt_project.manifest_path)
