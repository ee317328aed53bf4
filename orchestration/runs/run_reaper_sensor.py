"""The sensor ``dead_run_reaper`` (on by default, every 60 s under the daemon): marks this instance's
runs whose process is gone failed and frees their pool slots, so a crashed run never blocks the
queue (``max_concurrent_runs: 1``) or the ``duckdb_warehouse`` pool. Dagster's run monitoring
(``orchestration/dagster.yaml``) covers runs stuck starting or cancelling; it cannot tell that a
STARTED run's process died under the default run launcher, which this sensor does."""

from dagster import DefaultSensorStatus, SensorEvaluationContext, SkipReason, sensor

from orchestration.resources import PipelinePaths
from orchestration.runs.run_reaper import reap_dead_runs


@sensor(
    name="dead_run_reaper",
    description="Marks runs whose process is gone failed and frees their pool slots.",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
)
def dead_run_reaper(context: SensorEvaluationContext, pipeline_paths: PipelinePaths) -> SkipReason:
    # no lock taken here (a run starting now must not find it held): only runs whose recorded
    # process is gone, or that never left STARTING, count as dead
    reaped = reap_dead_runs(context.instance, str(pipeline_paths.paths().output), False, context.log.warning)
    if reaped:
        return SkipReason("; ".join(r.line() for r in reaped))
    return SkipReason("no dead run")
