"""Alerts: a failed run or a stopped quality gate posts a short JSON notice to a webhook and/or
sends it by e-mail, so that someone hears of it without watching the UI.

Where to (read when an alert is sent, never at import; see deploy/rbi.env.example):

- ``RBI_ALERT_WEBHOOK_URL``: JSON POST (e.g. a chat incoming-webhook or an incident tool);
- ``RBI_SMTP_HOST`` (+ ``RBI_SMTP_PORT``, ``RBI_SMTP_FROM``, ``RBI_ALERT_EMAIL_TO`` comma-separated,
  optional ``RBI_SMTP_USER``/``RBI_SMTP_PASSWORD``, ``RBI_SMTP_STARTTLS=1``): e-mail;
- ``RBI_UI_BASE_URL``: the UI the link points at (``<base>/runs/<run_id>``).

Nothing configured: nothing is sent (the notice is still logged). A notice carries identifiers
only: run id, job, the failed steps or checks, counts, the release that stays published. Never a
value of the data, a survey answer, a path into the raw area or an exception message (those can
quote input); the link leads to the UI, where access is controlled.
"""

import json
import os
import smtplib
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path

import requests
from dagster import AssetKey, DagsterEventType, DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from orchestration.resources import PipelinePaths
from publication.store import current_release

TIMEOUT_SECONDS = 10
DEFAULT_UI_BASE_URL = "http://127.0.0.1:3000"
RELEASE_ASSET = AssetKey("csv_release")


@dataclass(frozen=True)
class Alert:
    """The notice, as posted (JSON) and mailed (its lines)."""

    kind: str  # "run_failure" | "gate_failure" | "publish_failure"
    run_id: str
    job: str
    link: str
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    previous_release_kept: bool = True
    published_release: str | None = None
    summary: str = ""
    project: str = "rapporteringsbyrdeindeksen"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    def subject(self) -> str:
        what = {"gate_failure": "quality gate stopped the release", "publish_failure": "site publication stopped"}.get(
            self.kind, "run failed"
        )
        return f"[RBI] {what}: {self.job} {self.run_id[:8]}"

    def text(self) -> str:
        lines = [self.summary, "", f"run: {self.run_id}", f"job: {self.job}", f"link: {self.link}"]
        if self.failed_steps:
            lines.append("failed steps: " + ", ".join(self.failed_steps))
        if self.failed_checks:
            lines.append("failed checks: " + ", ".join(self.failed_checks))
        kept = self.published_release or "none yet"
        lines.append(f"published release: {kept} ({'kept' if self.previous_release_kept else 'replaced'})")
        return "\n".join(lines) + "\n"


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


def send_alert(alert: Alert, settings: AlertSettings) -> list[str]:
    """Post and/or mail the alert; returns where it went. A target that fails raises (the sensor's
    tick then shows the error and the daemon retries nothing: the next failure alerts again)."""
    sent = []
    if settings.webhook_url:
        response = requests.post(
            settings.webhook_url,
            data=alert.to_json().encode("utf-8"),
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )
        response.raise_for_status()
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


def gate_failure_alert(
    run_id: str, job: str, check: str, failed_expectations: int, releases: Path, settings: AlertSettings
) -> Alert:
    """The notice a blocking gate check sends when it fails (orchestration/publication/checks.py)."""
    release = current_release(releases)
    return Alert(
        kind="gate_failure",
        run_id=run_id,
        job=job,
        link=settings.run_link(run_id),
        failed_checks=[check],
        previous_release_kept=True,
        published_release=release,
        summary=(
            f"The quality gate check {check} failed ({failed_expectations} expectation(s)); nothing is "
            f"published, release {release or '(none yet)'} stays current. Details: the run's page and "
            "failed-attempts/."
        ),
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


def notify_gate_failure(run_id: str, job: str, check: str, failed_expectations: int, releases: Path, log) -> list[str]:
    """Send the gate-failure notice from inside the check (so `make run`, which has no daemon, alerts
    too). A webhook or mail server that is down is logged, never turns the gate's verdict into a crash."""
    settings = AlertSettings.from_env()
    alert = gate_failure_alert(run_id, job, check, failed_expectations, releases, settings)
    try:
        sent = send_alert(alert, settings)
    except (requests.RequestException, OSError, smtplib.SMTPException) as exc:
        log.warning(f"gate failure alert for {check} not delivered: {type(exc).__name__}")
        return []
    if sent:
        log.info(f"gate failure alert for {check}: sent by {', '.join(sent)}")
    return sent


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
    )


def notify_publish_failure(target: str, release: str | None, error: str, log=None) -> list[str]:
    """Send the publish-failure notice (the CLI and the site asset); an alert target that is down is
    logged, never hides the failure itself. ``error``: the exception's class name only."""
    settings = AlertSettings.from_env()
    alert = publish_failure_alert(target, release, error, settings)
    try:
        sent = send_alert(alert, settings)
    except (requests.RequestException, OSError, smtplib.SMTPException) as exc:
        if log is not None:
            log.warning(f"publish failure alert not delivered: {type(exc).__name__}")
        return []
    if log is not None:
        log.info("publish failure alert: " + (", ".join(sent) or "no alert target configured"))
    return sent
