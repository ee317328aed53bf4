"""Alerts for what needs a person: a failed run, a stopped quality gate, a quarantined survey
delivery, a wait for a warehouse held open by someone else, a live SSB fetch that failed and fell
back to the last stored snapshot. Each posts a short JSON notice to a webhook and/or sends it by
e-mail, so that someone hears of it without watching the UI, and says what to do (``action``).

Where to (read when an alert is sent, never at import; see deploy/rbi.env.example):

- ``RBI_ALERT_WEBHOOK_URL``: JSON POST (e.g. a chat incoming-webhook or an incident tool);
- ``RBI_SMTP_HOST`` (+ ``RBI_SMTP_PORT``, ``RBI_SMTP_FROM``, ``RBI_ALERT_EMAIL_TO`` comma-separated,
  optional ``RBI_SMTP_USER``/``RBI_SMTP_PASSWORD``, ``RBI_SMTP_STARTTLS=1``): e-mail;
- ``RBI_UI_BASE_URL``: the UI the link points at (``<base>/runs/<run_id>``).

The webhook is tried up to ``WEBHOOK_ATTEMPTS`` times (connection errors, 429 and 5xx), waiting
``BACKOFF_SECONDS`` between attempts (bounded: at most 2 + 8 s). Nothing configured: nothing is sent
(the notice is still logged). A notice carries identifiers
only: run id, job, the failed steps or checks, counts, the release that stays published. Never a
value of the data, a survey answer, a path into the raw area or an exception message (those can
quote input); the link leads to the UI, where access is controlled.
"""

import json
import os
import smtplib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests
from dagster import AssetKey, DagsterEventType, DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from orchestration.resources import PipelinePaths
from publication.store import current_release

TIMEOUT_SECONDS = 10
WEBHOOK_ATTEMPTS = 3
BACKOFF_SECONDS = (2.0, 8.0)  # before the 2nd and the 3rd attempt
DEFAULT_UI_BASE_URL = "http://127.0.0.1:3000"
RELEASE_ASSET = AssetKey("csv_release")


@dataclass(frozen=True)
class Alert:
    """The notice, as posted (JSON) and mailed (its lines)."""

    kind: str  # one of SUBJECTS
    run_id: str
    job: str
    link: str
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    previous_release_kept: bool = True
    published_release: str | None = None
    summary: str = ""
    action: str = ""  # what a person should do
    project: str = "rapporteringsbyrdeindeksen"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    def subject(self) -> str:
        where = f"{self.job} {self.run_id[:8]}".strip()
        return f"[RBI] {SUBJECTS.get(self.kind, self.kind)}: {where}"

    def text(self) -> str:
        lines = [self.summary, "", f"what to do: {self.action}", ""] if self.action else [self.summary, ""]
        lines += [f"run: {self.run_id or '-'}", f"job: {self.job or '-'}", f"link: {self.link}"]
        if self.failed_steps:
            lines.append("failed steps: " + ", ".join(self.failed_steps))
        if self.failed_checks:
            lines.append("failed checks: " + ", ".join(self.failed_checks))
        kept = self.published_release or "none yet"
        lines.append(f"published release: {kept} ({'kept' if self.previous_release_kept else 'replaced'})")
        return "\n".join(lines) + "\n"


SUBJECTS = {
    "run_failure": "run failed",
    "gate_failure": "quality gate stopped the release",
    "survey_quarantined": "survey delivery quarantined",
    "warehouse_wait": "a run waits for the warehouse",
    "stale_snapshot": "live SSB fetch failed, last snapshot used",
    "publish_failure": "site publication stopped",
}
RUN_FAILURE_ACTION = (
    "Open the run's page (link), read the failed step's log, fix the cause and launch the run again "
    "(python -m orchestration.operate launch). The published release stays until a run succeeds."
)
GATE_ACTION = (
    "Open the run's page and the check's result (failed-attempts/ holds the stopped build); decide "
    "whether the input or the method is wrong, fix it and launch again. Nothing was published."
)


@dataclass(frozen=True)
class AlertSettings:
    webhook_url: str = ""
    ui_base_url: str = DEFAULT_UI_BASE_URL
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "rbi-alerts@localhost"
    email_to: tuple[str, ...] = ()
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False

    @classmethod
    def from_env(cls) -> "AlertSettings":
        env = os.environ
        return cls(
            webhook_url=env.get("RBI_ALERT_WEBHOOK_URL", "").strip(),
            ui_base_url=env.get("RBI_UI_BASE_URL", "").strip().rstrip("/") or DEFAULT_UI_BASE_URL,
            smtp_host=env.get("RBI_SMTP_HOST", "").strip(),
            smtp_port=int(env.get("RBI_SMTP_PORT", "").strip() or 25),
            smtp_from=env.get("RBI_SMTP_FROM", "").strip() or "rbi-alerts@localhost",
            email_to=tuple(a.strip() for a in env.get("RBI_ALERT_EMAIL_TO", "").split(",") if a.strip()),
            smtp_user=env.get("RBI_SMTP_USER", "").strip(),
            smtp_password=env.get("RBI_SMTP_PASSWORD", ""),
            smtp_starttls=env.get("RBI_SMTP_STARTTLS", "").strip().lower() in ("1", "true", "yes"),
        )

    def run_link(self, run_id: str) -> str:
        return f"{self.ui_base_url}/runs/{run_id}"


def _retryable(exc: requests.RequestException) -> bool:
    response = getattr(exc, "response", None)
    return response is None or response.status_code == 429 or response.status_code >= 500


def post_webhook(url: str, body: bytes, sleep: Callable[[float], None] = time.sleep) -> int:
    """POST the notice; up to WEBHOOK_ATTEMPTS attempts with backoff on connection errors, 429 and
    5xx (a 4xx other than 429 is not retried: the request itself is wrong). Returns the attempts."""
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        try:
            response = requests.post(
                url, data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT_SECONDS
            )
            response.raise_for_status()
            return attempt
        except requests.RequestException as exc:
            if attempt == WEBHOOK_ATTEMPTS or not _retryable(exc):
                raise
            sleep(BACKOFF_SECONDS[attempt - 1])
    raise AssertionError("unreachable")


def send_alert(alert: Alert, settings: AlertSettings, sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Post and/or mail the alert; returns where it went. A target that still fails after the
    retries raises (the run failure sensor's tick then shows the error; see also ``notify``)."""
    sent = []
    if settings.webhook_url:
        post_webhook(settings.webhook_url, alert.to_json().encode("utf-8"), sleep)
        sent.append("webhook")
    if settings.smtp_host and settings.email_to:
        message = EmailMessage()
        message["Subject"] = alert.subject()
        message["From"] = settings.smtp_from
        message["To"] = ", ".join(settings.email_to)
        message.set_content(alert.text())
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
        sent.append("email")
    return sent


def run_alert(kind: str, run_id: str, job: str, settings: AlertSettings, **fields: Any) -> Alert:
    """An alert about run ``run_id`` of ``job``, linked to the run's page."""
    return Alert(kind=kind, run_id=run_id, job=job, link=settings.run_link(run_id), **fields)


def gate_failure_alert(
    run_id: str, job: str, check: str, failed_expectations: int, releases: Path, settings: AlertSettings
) -> Alert:
    """The notice a blocking gate check sends when it fails (orchestration/publication/checks.py)."""
    release = current_release(releases)
    return run_alert(
        "gate_failure",
        run_id,
        job,
        settings,
        failed_checks=[check],
        previous_release_kept=True,
        published_release=release,
        summary=(
            f"The quality gate check {check} failed ({failed_expectations} expectation(s)); nothing is "
            f"published, release {release or '(none yet)'} stays current. Details: the run's page and "
            "failed-attempts/."
        ),
        action=GATE_ACTION,
    )


def failed_checks_of_run(context: RunFailureSensorContext) -> list[str]:
    """Names of the asset checks that did not pass in the failed run."""
    records = context.instance.all_logs(context.dagster_run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    failed = set()
    for record in records:
        evaluation = record.dagster_event.asset_check_evaluation_data if record.dagster_event else None
        if evaluation is not None and not evaluation.passed:
            failed.add(evaluation.check_name)
    return sorted(failed)


def published_in_run(context: RunFailureSensorContext) -> bool:
    """Whether the failed run got as far as publishing (materialised `csv_release`)."""
    records = context.instance.all_logs(context.dagster_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
    return any(
        record.dagster_event is not None and record.dagster_event.asset_key == RELEASE_ASSET for record in records
    )


def run_failure_alert_for(context: RunFailureSensorContext, releases: Path, settings: AlertSettings) -> Alert:
    run = context.dagster_run
    steps = sorted({event.step_key for event in context.get_step_failure_events() if event.step_key})
    checks = failed_checks_of_run(context)
    release = current_release(releases)  # the release readers see now (None before the first one)
    return Alert(
        kind="run_failure",
        run_id=run.run_id,
        job=run.job_name,
        link=settings.run_link(run.run_id),
        failed_steps=steps,
        failed_checks=checks,
        # publication is the run's last, atomic step: a run that failed before it kept the release
        previous_release_kept=not published_in_run(context),
        published_release=release,
        summary=(
            f"Run {run.run_id} of {run.job_name} failed"
            + (f" at {', '.join(steps)}" if steps else "")
            + (f"; failed checks: {', '.join(checks)}" if checks else "")
            + f". Published release: {release or '(none yet)'}."
        ),
        action=RUN_FAILURE_ACTION,
    )


@run_failure_sensor(
    name="run_failure_alert",
    description="Posts a JSON notice (webhook: RBI_ALERT_WEBHOOK_URL) and/or an e-mail (RBI_SMTP_*) when a run "
    "fails: run id, job, failed steps and checks, link to the run, the release that stays published.",
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)
def run_failure_alert(context: RunFailureSensorContext, pipeline_paths: PipelinePaths) -> None:
    settings = AlertSettings.from_env()
    alert = run_failure_alert_for(context, pipeline_paths.paths().releases, settings)
    sent = send_alert(alert, settings)
    context.log.info(f"run failure alert for {alert.run_id}: " + (", ".join(sent) or "no alert target configured"))


def notify(alert: Alert, settings: AlertSettings, log, sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Send the alert from inside a step or a sensor: a webhook or mail server that is still down
    after the retries is logged (the exception's type only), never turns the step into a crash."""
    try:
        sent = send_alert(alert, settings, sleep)
    except (requests.RequestException, OSError, smtplib.SMTPException) as exc:
        log.warning(f"{alert.kind} alert not delivered: {type(exc).__name__}")
        return []
    log.info(f"{alert.kind} alert: " + (f"sent by {', '.join(sent)}" if sent else "no alert target configured"))
    return sent


def notify_gate_failure(run_id: str, job: str, check: str, failed_expectations: int, releases: Path, log) -> list[str]:
    """Send the gate-failure notice from inside the check (so `make run`, which has no daemon, alerts
    too). A webhook or mail server that is down is logged, never turns the gate's verdict into a crash."""
    settings = AlertSettings.from_env()
    return notify(gate_failure_alert(run_id, job, check, failed_expectations, releases, settings), settings, log)


def publish_failure_alert(target: str, release: str | None, error: str, settings: AlertSettings) -> Alert:
    """The notice when publishing the site to its target stopped (publication/publish/): the release
    files already uploaded stay, the front page still points at the previous, complete release."""
    run_id = f"publish-{release or 'none'}"
    return Alert(
        kind="publish_failure",
        run_id=run_id,
        job="publication.publish",
        link=settings.ui_base_url,
        failed_steps=["publish_site"],
        previous_release_kept=True,
        published_release=release,
        summary=(
            f"Publishing the site of release {release or '(none)'} to {target} stopped ({error}). The previous "
            "front page, feed and catalogue stay in place and point only at complete releases; run "
            "`python -m publication.publish` again to complete it."
        ),
        action=(
            "Check the target's credentials and reachability (RBI_PUBLISH_TARGET, AWS_* settings), then run "
            "`python -m publication.publish` again: it uploads only what is missing and never overwrites a release."
        ),
    )


def quarantine_alert(survey_id: str | None, version: str | None, settings: AlertSettings) -> Alert:
    """A survey delivery the inbox moved to the quarantine: no run starts for it. Names the survey
    (when its mapping could be read) but never the file, the reason or a value: the quarantine
    report in the restricted raw area says what was wrong."""
    survey = f"survey {survey_id}" + (f" (version {version})" if version else "") if survey_id else "a delivery"
    return Alert(
        kind="survey_quarantined",
        run_id="",
        job="survey_inbox",
        link=f"{settings.ui_base_url}/automation",
        summary=f"The survey inbox quarantined {survey}: nothing from it is published.",
        action=(
            "As an operator with access to the raw area, read the report next to the delivery in "
            "quarantine/, fix the export or its mapping, and drop the corrected delivery in the inbox again."
        ),
    )


def notify_publish_failure(target: str, release: str | None, error: str, log=None) -> list[str]:
    """Send the publish-failure notice (the CLI and the site asset); an alert target that is down is
    logged, never hides the failure itself. ``error``: the exception's class name only."""
    settings = AlertSettings.from_env()
    return notify(publish_failure_alert(target, release, error, settings), settings, log or _NullLog())


class _NullLog:
    def info(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass


def warehouse_wait_alert(run_id: str, job: str, waited: float, settings: AlertSettings) -> Alert:
    """A step waits for the DuckDB warehouse that another process (an analyst's session) holds."""
    return run_alert(
        "warehouse_wait",
        run_id,
        job,
        settings,
        summary=(
            f"Run {run_id} has waited {waited:.0f} s for the warehouse, which another process holds open; "
            "it fails when RBI_WAREHOUSE_WAIT_SECONDS is reached."
        ),
        action=(
            "Close the other session on warehouse.duckdb (an analyst's DuckDB or notebook; the run's log "
            "names its process id). Analysts should read the release's rbi.duckdb instead."
        ),
    )


def warehouse_wait_notifier(run_id: str, job: str, log) -> Callable[[float], None]:
    """The ``on_long_wait`` callback of storage.warehouse_wait for a step of a run."""

    def on_long_wait(waited: float) -> None:
        settings = AlertSettings.from_env()
        notify(warehouse_wait_alert(run_id, job, waited, settings), settings, log)

    return on_long_wait


def stale_snapshot_alert(run_id: str, job: str, tables: list[str], settings: AlertSettings) -> Alert:
    """A live fetch from SSB failed and the run used the last stored snapshot instead."""
    return run_alert(
        "stale_snapshot",
        run_id,
        job,
        settings,
        summary=(
            f"The live fetch of SSB table(s) {', '.join(tables)} failed in run {run_id}; the run used the "
            "last stored snapshot, so a release from it may lack SSB's newest data."
        ),
        action=(
            "Read the raw step's log on the run's page (the reason is there); when SSB answers again, "
            "launch a live run (RBI_LIVE=1 or the ssb_table_updates sensor) to publish with fresh data."
        ),
    )
