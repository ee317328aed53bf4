"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from orchestration.assets.dbt_metadata import manifest_nodes, with_table_metadata
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
            return None  # not run: see gate_duplicates()
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


def gate_duplicates(manifest_path: Path) -> list[str]:
    """The dbt tests of the gated marts. The `gate_<table>` GX suite checks the same published
    contract (columns, types, nulls, ranges, keys, accepted values, flags) before publication, so
    `dbt build` leaves them out: ~70 fewer tests, and their results are not shown twice."""
    gated = {f"model.{dbt_project.name}.{key.path[-1]}" for key in GATED_MARTS}
    nodes = manifest_nodes(manifest_path)
    return sorted(
        node["name"]
        for node in nodes.values()
        if node["resource_type"] == "test" and node.get("attached_node") in gated
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
    exclude = gate_duplicates(dbt_project.manifest_path)
    events = dbt.cli(["build", "--exclude", " ".join(exclude)], context=context).stream()
    yield from with_table_metadata(events, pipeline_paths.warehouse(), dbt_project.manifest_path)
