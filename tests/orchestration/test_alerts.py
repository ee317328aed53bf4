"""Alerts: a failed run and a stopped quality gate post a JSON notice to the configured webhook
and mail it through the configured SMTP server (local sinks on 127.0.0.1); identifiers only, never
a value or message from the data."""

import email
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    Definitions,
    asset,
    asset_check,
    build_run_status_sensor_context,
    define_asset_job,
    instance_for_test,
)

from orchestration.publication.alerts import (
    RUN_FAILURE_ACTION,
    AlertSettings,
    gate_failure_alert,
    run_failure_alert,
    send_alert,
)
from orchestration.resources import PipelinePaths
from tests.orchestration.alert_sinks import HttpSink, SmtpSink

SECRET = "Kari Nordmann, kari@example.invalid"  # stands for a survey answer quoted in an error


@asset(key=["marts", "toy"])
def toy_mart() -> None:
    return None


@asset_check(asset=toy_mart, name="gate_toy", blocking=True)
def gate_toy() -> AssetCheckResult:
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, metadata={"failed": SECRET})


@asset(key="csv_release", deps=[toy_mart])
def toy_release() -> None:
    return None


@asset(key=["raw", "broken"])
def broken_input() -> None:
    raise ValueError(f"row 3, column free_text: {SECRET}")


DEFS = Definitions(
    assets=[toy_mart, toy_release, broken_input],
    asset_checks=[gate_toy],
    jobs=[
        define_asset_job("gated", selection=[toy_mart.key, toy_release.key]),
        define_asset_job("broken", selection=[broken_input.key]),
    ],
)


@pytest.fixture
def sinks(tmp_path: Path, monkeypatch) -> Iterator[tuple[HttpSink, SmtpSink]]:
    http, smtp = HttpSink(), SmtpSink()
    monkeypatch.setenv("RBI_ALERT_WEBHOOK_URL", http.url)
    monkeypatch.setenv("RBI_UI_BASE_URL", "https://dagster.example.invalid/")
    monkeypatch.setenv("RBI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RBI_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("RBI_SMTP_FROM", "rbi@example.invalid")
    monkeypatch.setenv("RBI_ALERT_EMAIL_TO", "oncall@example.invalid, data@example.invalid")
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "out"))
    releases = tmp_path / "out" / "releases"
    releases.mkdir(parents=True)
    (releases / "LATEST").write_text("2026.11.1\n", encoding="utf-8")
    try:
        yield http, smtp
    finally:
        http.stop()
        smtp.stop()


def fail_and_alert(job_name: str) -> str:
    """Run the job (it fails), then give its failure to the run failure sensor as the daemon does."""
    with instance_for_test() as instance:
        result = DEFS.resolve_job_def(job_name).execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        context = build_run_status_sensor_context(
            sensor_name="run_failure_alert",
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        ).for_run_failure()
        run_failure_alert(context, pipeline_paths=PipelinePaths())
        return result.run_id


def test_failed_gate_run_alerts_by_webhook_and_email(sinks) -> None:
    http, smtp = sinks
    run_id = fail_and_alert("gated")
    (body,) = http.bodies
    assert http.headers[0]["Content-Type"] == "application/json"
    notice = json.loads(body)
    assert notice == {
        "kind": "run_failure",
        "run_id": run_id,
        "job": "gated",
        "link": f"https://dagster.example.invalid/runs/{run_id}",
        "failed_steps": ["marts__toy_gate_toy"],
        "failed_checks": ["gate_toy"],
        "previous_release_kept": True,
        "published_release": "2026.11.1",
        "summary": f"Run {run_id} of gated failed at marts__toy_gate_toy; failed checks: gate_toy. "
        "Published release: 2026.11.1.",
        "action": RUN_FAILURE_ACTION,
        "project": "rapporteringsbyrdeindeksen",
    }
    (mail,) = smtp.messages
    assert mail["from"] == "<rbi@example.invalid>"
    assert mail["to"] == ["<oncall@example.invalid>", "<data@example.invalid>"]
    message = email.message_from_bytes(mail["data"])
    assert message["Subject"] == f"[RBI] run failed: gated {run_id[:8]}"
    text = message.get_payload(decode=True).decode("utf-8")
    assert f"link: https://dagster.example.invalid/runs/{run_id}" in text
    assert "failed checks: gate_toy" in text
    assert "published release: 2026.11.1 (kept)" in text
    assert "what to do: Open the run's page" in text


def test_alert_never_quotes_the_data_or_the_error(sinks) -> None:
    http, smtp = sinks
    run_id = fail_and_alert("broken")
    notice = json.loads(http.bodies[0])
    assert notice["failed_steps"] == ["raw__broken"] and notice["failed_checks"] == []
    assert notice["run_id"] == run_id
    for sent in (http.bodies[0], smtp.messages[0]["data"]):
        assert b"Kari" not in sent and b"kari@" not in sent and b"free_text" not in sent


def test_gate_failure_notice_names_the_check_and_the_kept_release(sinks, tmp_path: Path) -> None:
    http, _ = sinks
    settings = AlertSettings.from_env()
    releases = tmp_path / "out" / "releases"
    alert = gate_failure_alert("abc123", "publish_all", "gate_context_sector_year", 2, releases, settings)
    assert send_alert(alert, settings) == ["webhook", "email"]
    notice = json.loads(http.bodies[0])
    assert notice["kind"] == "gate_failure"
    assert notice["failed_checks"] == ["gate_context_sector_year"]
    assert notice["link"] == "https://dagster.example.invalid/runs/abc123"
    assert notice["previous_release_kept"] is True and notice["published_release"] == "2026.11.1"


def test_nothing_is_sent_without_a_target(monkeypatch, tmp_path: Path) -> None:
    for name in ("RBI_ALERT_WEBHOOK_URL", "RBI_SMTP_HOST", "RBI_ALERT_EMAIL_TO"):
        monkeypatch.delenv(name, raising=False)
    settings = AlertSettings.from_env()
    alert = gate_failure_alert("abc123", "publish_all", "gate_x", 1, tmp_path / "releases", settings)
    assert send_alert(alert, settings) == []
    assert alert.link == "http://127.0.0.1:3000/runs/abc123"


def test_release_asset_key_is_the_pipelines() -> None:
    from orchestration.definitions import defs
    from orchestration.publication.alerts import RELEASE_ASSET

    assert RELEASE_ASSET in defs.get_repository_def().asset_graph.get_all_asset_keys()
    assert AssetKey("csv_release") == RELEASE_ASSET
