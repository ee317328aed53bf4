"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import WAREHOUSE_POOL, PipelinePaths
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
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, pipeline_paths: PipelinePaths):
    """dbt build: seeds, models and their tests. dbt is the only writer of the warehouse meanwhile."""
    yield from dbt.cli(
        # unit tests run in `make test` (tests/method/test_dbt_unit_tests.py), not in a production build
        ["build", "--exclude-resource-type", "unit_test", "--vars", pipeline_paths.paths().dbt_vars()],
        context=context,
    ).stream()
