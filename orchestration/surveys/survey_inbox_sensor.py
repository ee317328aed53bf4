"""The survey inbox sensor: a new survey export + mapping dropped in the inbox becomes a partition.

Every evaluation (every 30 s while the sensor runs) looks at the inbox (``RBI_INBOX_DIR``, default
``$RBI_OUTPUT_DIR/inbox``) with :func:`sources.surveys.inbox.process_inbox`: each complete
delivery is checked against its mapping, then stored in the raw survey area (accepted), skipped
(the same files as a stored version), held for an operator (a re-delivery that removes or changes
respondents) or moved to the quarantine with a report. Each delivery is its own transaction: one
that fails in any way is quarantined and the tick goes on to the next (sources/surveys/inbox.py). For each accepted
delivery the sensor adds the survey id as a partition of ``raw/survey_export`` and requests a run
of that partition and everything downstream of it (survey records, dbt models, quality gate,
release) -- not the raw SSB tables or registers, which did not change. A quarantined file starts
nothing, so the last release stays published, and sends a ``survey_quarantined`` alert
(orchestration/publication/alerts.py) naming the survey, never the file's content or the reason.
"""

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from method.reference import sector_codes
from orchestration.publication.alerts import AlertSettings, notify, quarantine_alert
from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import busy_skip_reason
from orchestration.surveys.raw_surveys import survey_export, survey_partitions
from sources.surveys import store
from sources.surveys.inbox import Outcome, input_survey_ids, one_line, process_inbox, shown

MIN_AGE_SECONDS = 5.0
SELECTION = AssetSelection.assets(survey_export).downstream()


def run_request_for(outcome: Outcome, asset_graph=None) -> RunRequest:
    """A run of the survey's partition of ``raw/survey_export`` and everything downstream."""
    selection = None
    if asset_graph is not None:
        selection = sorted(SELECTION.resolve(asset_graph), key=str)
    return RunRequest(
        run_key=f"survey:{outcome.survey_id}:{outcome.version}",
        partition_key=outcome.survey_id,
        asset_selection=selection,
        tags={"rbi/trigger": "survey_inbox", "rbi/survey_id": str(outcome.survey_id)},
    )


@sensor(
    name="survey_inbox",
    description="Ingests survey exports + mapping files dropped in the inbox; bad files go to quarantine.",
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    asset_selection=SELECTION,
)
def survey_inbox(context: SensorEvaluationContext, pipeline_paths: PipelinePaths):
    paths = pipeline_paths.paths()
    busy = busy_skip_reason(paths)  # a run holds the output directory: the inbox waits for the next tick
    if busy is not None:
        return busy
    raw_surveys = paths.raw_surveys
    outcomes = process_inbox(
        paths.inbox,
        raw_surveys,
        paths.quarantine,
        paths.received,
        taken_ids=input_survey_ids(paths.surveys),
        sectors=sector_codes(),
        min_age_seconds=MIN_AGE_SECONDS,
        secret_file=paths.pseudonym_secret,
        audit_log=paths.audit_log,
    )
    for outcome in outcomes:
        log = context.log.warning if outcome.status in ("quarantined", "held", "failed") else context.log.info
        where = f" -> {shown(outcome.where)}" if outcome.where else ""
        log(f"inbox {shown(outcome.delivery)}: {outcome.status}{where}: {one_line(outcome.message)}")
        if outcome.status == "quarantined":  # no run starts for it: a person must act (no data quoted)
            settings = AlertSettings.from_env()
            notify(quarantine_alert(outcome.survey_id, outcome.version, settings), settings, context.log)
    accepted = [o for o in outcomes if o.status == "accepted"]
    known = set(context.instance.get_dynamic_partitions(survey_partitions.name)) if context.instance else set()
    new_keys = sorted(({str(o.survey_id) for o in accepted} | set(store.survey_ids(raw_surveys))) - known)
    graph = context.repository_def.asset_graph if context.repository_def else None
    requests = [run_request_for(o, graph) for o in accepted]
    if not requests and not new_keys:
        summary = "; ".join(f"{one_line(o.delivery)}: {o.status}" for o in outcomes) or "the inbox is empty"
        return SkipReason(f"no new survey ({summary})")
    return SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[survey_partitions.build_add_request(new_keys)] if new_keys else [],
    )
