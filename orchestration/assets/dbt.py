"""The dbt models as Dagster assets, grouped by layer (staging, intermediate, marts, method seeds)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from orchestration import build_state
from orchestration.assets.raw_inputs import WAREHOUSE_POOL
from orchestration.project import dbt_project
from orchestration.resources import OfflineDbtCliResource, PipelinePaths, dbt_environment
from orchestration.run_guard import RunGuard
from orchestration.warehouse_wait import wait_until_writable
from sources.paths import dbt_target_dir


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
def dbt_models(
    context: AssetExecutionContext, dbt: OfflineDbtCliResource, pipeline_paths: PipelinePaths, run_guard: RunGuard
):
    """dbt build: seeds, models and their tests. dbt is the only writer of the warehouse meanwhile.
    The build's state is recorded (orchestration/build_state.py): a build that did not finish is
    rebuilt whole, and the gate and publication read only the marts of a complete build."""
    dbt_environment(pipeline_paths)
    warehouse = pipeline_paths.warehouse()
    wait_until_writable(warehouse, context.log.warning)
    targets = dbt_target_dir(pipeline_paths.output())
    broken = build_state.interrupted(warehouse.parent)
    build_state.mark_building(warehouse.parent, context.run_id)
    if broken is not None:
        context.log.warning(
            f"the dbt build of run {broken.run_id} (started {broken.at}) did not finish; every dbt model is rebuilt"
        )
        if context.is_subset:
            full = targets / f"{context.run_id[:8]}-full"
            dbt.cli(["build"], manifest=dbt_project.manifest_path, target_path=full).wait()
    yield from dbt.cli(["build"], context=context, target_path=targets / context.run_id[:8]).stream()
    build_state.mark_complete(warehouse.parent, context.run_id)
