"""Update detection: a sensor that asks SSB whether a catalogue table has new data.

Every evaluation calls the cheap ``GET /tables/{id}`` of each live catalogue entry (provider
``ssb``) and compares its ``updated`` with the last value seen (the sensor cursor, a JSON object
``{table_id: updated}``); on the first evaluation the baseline is the ``updated`` recorded in the
newest stored snapshot. When SSB has published new data, the sensor requests a run of only the
affected raw assets — fetched live (run config ``live: true``) — and everything downstream of them.
Off by default; start it in the UI (``ssb_table_updates``) on a deployment that may reach SSB.
"""

import json

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import busy_skip_reason
from sources.catalogue import CatalogueEntry, load_catalogue
from sources.ssb import SsbClient
from sources.ssb_updates import check_updates, snapshot_roots


def run_request_for(changed: list[CatalogueEntry], updated: dict[str, str], asset_graph=None) -> RunRequest:
    """A run of the changed raw assets (fetched live) and everything downstream of them."""
    raw_keys = [AssetKey(["raw", e.source_id]) for e in changed]
    selection = raw_keys
    if asset_graph is not None:
        selection = sorted(AssetSelection.assets(*raw_keys).downstream().resolve(asset_graph), key=str)
    run_key = "ssb:" + ",".join(f"{e.table_id}@{updated.get(e.table_id)}" for e in changed)
    return RunRequest(
        run_key=run_key,
        asset_selection=selection,
        run_config={"ops": {f"raw__{e.source_id}": {"config": {"live": True}} for e in changed}},
        tags={"rbi/trigger": "ssb_table_updates", "rbi/tables": ",".join(e.table_id for e in changed)},
    )


@sensor(
    name="ssb_table_updates",
    description="Asks SSB (GET /tables/{id}) whether catalogue tables were updated; refreshes only those.",
    minimum_interval_seconds=6 * 3600,
    default_status=DefaultSensorStatus.STOPPED,
    asset_selection=AssetSelection.all(),
)
def ssb_table_updates(context: SensorEvaluationContext, pipeline_paths: PipelinePaths):
    busy = busy_skip_reason(pipeline_paths.paths())  # a run holds the output directory: ask again next tick
    if busy is not None:
        return busy
    cursor = json.loads(context.cursor) if context.cursor else {}
    client = SsbClient()
    found = check_updates(
        load_catalogue(),
        cursor,
        lambda e: str(client.table_info(e.table_id, e.lang)[0]["updated"]),
        snapshot_roots(pipeline_paths.paths()),
    )
    for note in found.notes:
        context.log.info(note)
    context.update_cursor(json.dumps(found.cursor, sort_keys=True))
    if not found.changed:
        detail = f" ({'; '.join(found.notes)})" if found.notes else ""
        return SkipReason("no catalogue table has new data at SSB" + detail)
    graph = context.repository_def.asset_graph if context.repository_def else None
    return run_request_for(found.changed, found.cursor, graph)
