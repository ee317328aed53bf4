"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

import json
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import WAREHOUSE_POOL, PipelinePaths
from orchestration.warehouse.project import dbt_project
from sources.paths import Paths


def dbt_vars(paths: Paths) -> str:
    """``--vars`` of every dbt command: the warehouse path, read by profiles.yml (the Makefile's
    ``dbt parse`` passes the same, so dbt's partial parsing stays valid)."""
    return json.dumps({"warehouse_path": str(paths.warehouse)})


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
    yield from dbt.cli(["build", "--vars", dbt_vars(pipeline_paths.paths())], context=context).stream()
