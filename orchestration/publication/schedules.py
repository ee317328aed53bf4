"""Monthly publication: run `publish_all` once a month, but only when an input changed.

Each tick fingerprints the inputs a run would read (snapshots, the live snapshot store, the survey
exports of the inputs and of the inbox, and the method seeds; sources/fingerprint.py) and looks for
a successful `publish_all` run tagged with the same fingerprint. Found: the tick is skipped, naming
that run. Not found (or forced with RBI_PUBLISH_FORCE=1): a run is requested, tagged with the
fingerprint. In live mode
(RBI_LIVE=1) SSB's `updated` of each catalogue table is asked too (the same check the
`ssb_table_updates` sensor makes), so new data at SSB counts as a changed input. A failed run (the
quality gate stopped it, say) publishes nothing and is not counted: the next tick tries again.

Off by default, like the sensor: start it in the UI on a deployment whose daemon runs.
"""

import contextlib
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultScheduleStatus,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import busy_skip_reason
from sources.fingerprint import inputs_fingerprint
from sources.snapshots import SnapshotError, writable_store
from storage.paths import Paths

JOB_NAME = "publish_all"
FINGERPRINT_TAG = "rbi/inputs_fingerprint"
TRIGGER_TAG = "rbi/trigger"


def input_roots(paths: Paths) -> list[tuple[str, Path]]:
    """The labelled folders whose files make up a run's inputs."""
    roots = [
        ("snapshots", paths.snapshots),
        ("surveys", paths.surveys),
        ("inbox_surveys", paths.raw_surveys),
        ("method", paths.seeds),
    ]
    with contextlib.suppress(SnapshotError):
        roots.append(("live_snapshots", writable_store(paths)))
    return roots


def ssb_updates(paths: Paths) -> list[str]:
    """Catalogue tables with new data at SSB (live mode only); the notes of the sensor's check."""
    from sources.catalogue import load_catalogue
    from sources.ssb import SsbClient
    from sources.ssb_updates import check_updates, snapshot_roots

    client = SsbClient()
    found = check_updates(
        load_catalogue(),
        {},
        lambda e: str(client.table_info(e.table_id, e.lang)[0]["updated"]),
        snapshot_roots(paths),
    )
    return [f"{entry.table_id}" for entry in found.changed]


def publication_request(context: ScheduleEvaluationContext, paths: Paths | None = None) -> RunRequest | SkipReason:
    """The decision of one tick (a plain function, so tests can call it with a built context)."""
    paths = paths or Paths.from_env()
    fingerprint = inputs_fingerprint(input_roots(paths))
    forced = paths.publish_force
    updated_tables = ssb_updates(paths) if paths.live else []
    if not forced and not updated_tables:
        records = context.instance.get_run_records(
            filters=RunsFilter(
                job_name=JOB_NAME, statuses=[DagsterRunStatus.SUCCESS], tags={FINGERPRINT_TAG: fingerprint}
            ),
            limit=1,
        )
        if records:
            return SkipReason(
                f"inputs unchanged since run {records[0].dagster_run.run_id} "
                f"(fingerprint {fingerprint[:12]}); set RBI_PUBLISH_FORCE=1 to publish anyway"
            )
    reason = "forced" if forced else ("ssb:" + ",".join(updated_tables) if updated_tables else "inputs changed")
    return RunRequest(
        run_key=f"monthly:{context.scheduled_execution_time:%Y-%m}:{fingerprint[:16]}:{reason}",
        tags={FINGERPRINT_TAG: fingerprint, TRIGGER_TAG: "monthly_publication", "rbi/reason": reason},
    )


@schedule(
    name="monthly_publication",
    job_name=JOB_NAME,
    cron_schedule="0 6 2 * *",
    execution_timezone="Europe/Oslo",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Publishes on the 2nd of each month at 06:00 (Oslo), only when an input changed "
    "(or RBI_PUBLISH_FORCE=1).",
)
def monthly_publication(context: ScheduleEvaluationContext, pipeline_paths: PipelinePaths):
    paths = pipeline_paths.paths()
    decision = busy_skip_reason(paths) or publication_request(context, paths)
    if isinstance(decision, SkipReason):
        context.log.info(decision.skip_message or "skipped")
    return decision
