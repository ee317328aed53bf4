"""Alerts for what needs a person, beyond a failed run: a quarantined survey delivery (from the
inbox sensor), a long wait for a warehouse someone holds open, a live SSB fetch that fell back to the
last snapshot; the webhook retried with a bounded backoff. Each alert says what to do and quotes no
data (local sinks on 127.0.0.1)."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from dagster import SkipReason, get_dagster_logger, instance_for_test

from orchestration.publication.alerts import (
    BACKOFF_SECONDS,
    WEBHOOK_ATTEMPTS,
    AlertSettings,
    notify,
    quarantine_alert,
    send_alert,
    warehouse_wait_notifier,
)
from storage import warehouse_wait
from tests.orchestration.alert_sinks import HttpSink
from tests.orchestration.test_run_hygiene import HOLD_OPEN
from tests.orchestration.test_survey_inbox_sensor import drop, evaluate
from tests.orchestration.test_survey_inbox_sensor import output as output
from tests.sources.test_ssb_live import V2, materialize_raw, metadata_of
from tests.sources.test_ssb_live import live_env as live_env
from tests.sources.test_ssb_live import server as server


@pytest.fixture
def hook(monkeypatch) -> Iterator[HttpSink]:
    sink = HttpSink()
    for name in ("RBI_SMTP_HOST", "RBI_ALERT_EMAIL_TO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RBI_ALERT_WEBHOOK_URL", sink.url)
    monkeypatch.setenv("RBI_UI_BASE_URL", "https://dagster.example.invalid")
    yield sink
    sink.stop()


def notices(sink: HttpSink, kind: str) -> list[dict]:
    return [n for n in (json.loads(b) for b in sink.bodies) if n["kind"] == kind]


def test_webhook_is_retried_with_a_bounded_backoff(monkeypatch) -> None:
    alert = quarantine_alert("S-1", "v1", AlertSettings())
    flaky = HttpSink(fail_first=2)
    try:
        waits: list[float] = []
        settings = AlertSettings(webhook_url=flaky.url)
        assert send_alert(alert, settings, sleep=waits.append) == ["webhook"]
        assert len(flaky.bodies) == 3 and waits == list(BACKOFF_SECONDS)
    finally:
        flaky.stop()
    down = HttpSink(fail_first=100)
    try:
        waits = []
        with pytest.raises(requests.HTTPError):
            send_alert(alert, AlertSettings(webhook_url=down.url), sleep=waits.append)
        assert len(down.bodies) == WEBHOOK_ATTEMPTS and waits == list(BACKOFF_SECONDS)
        # inside a step or a sensor the failure is logged, never raised
        assert notify(alert, AlertSettings(webhook_url=down.url), get_dagster_logger(), sleep=lambda s: None) == []
    finally:
        down.stop()
    refused = HttpSink(fail_first=100, fail_status=400)
    try:
        with pytest.raises(requests.HTTPError):
            send_alert(alert, AlertSettings(webhook_url=refused.url), sleep=waits.append)
        assert len(refused.bodies) == 1  # a 4xx other than 429 is not retried
    finally:
        refused.stop()


def test_a_quarantined_delivery_alerts_naming_the_survey_not_the_data(output: Path, hook: HttpSink) -> None:
    drop(output, "autumn", "INBOX-2026-Q", bad=True)
    with instance_for_test() as instance:
        result = evaluate(instance)
    assert isinstance(result, SkipReason)
    (notice,) = notices(hook, "survey_quarantined")
    assert "INBOX-2026-Q" in notice["summary"]
    assert "quarantine/" in notice["action"] and "inbox again" in notice["action"]
    body = b"".join(hook.bodies)
    # neither the delivery's folder, the mapping's wrong column, nor any path
    assert b"autumn" not in body and b"timer_per_uke" not in body and str(output).encode() not in body


def test_a_long_warehouse_wait_alerts_once(tmp_path: Path, monkeypatch, hook: HttpSink) -> None:
    path = tmp_path / "warehouse.duckdb"
    warehouse_wait.connect(path).close()
    analyst = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout is not None and analyst.stdout.readline().strip() == "open"
        monkeypatch.setenv("RBI_WAREHOUSE_WAIT_SECONDS", "2")
        monkeypatch.setenv("RBI_WAREHOUSE_ALERT_SECONDS", "0")
        on_long_wait = warehouse_wait_notifier("run-1", "publish_all", get_dagster_logger())
        with pytest.raises(warehouse_wait.WarehouseBusy):
            warehouse_wait.connect(path, on_long_wait=on_long_wait)
    finally:
        analyst.kill()
        analyst.wait()
    (notice,) = notices(hook, "warehouse_wait")
    assert notice["run_id"] == "run-1" and notice["link"] == "https://dagster.example.invalid/runs/run-1"
    assert "Close the other session" in notice["action"]
    assert str(tmp_path).encode() not in hook.bodies[0]


def test_a_failed_live_fetch_alerts_that_the_last_snapshot_was_used(
    server,
    live_env,
    tmp_path,
    monkeypatch,
    hook: HttpSink,
) -> None:
    monkeypatch.setenv("RBI_LIVE", "1")
    server.faults[f"{V2}/tables/05300/data"] = [("html200",)]
    result = materialize_raw("ssb_05300", tmp_path, live=None)
    assert result.success and metadata_of(result, "ssb_05300")["fetch"].startswith("live fetch failed")
    (notice,) = notices(hook, "stale_snapshot")
    assert notice["run_id"] == result.run_id and "05300" in notice["summary"]
    assert "launch a live run" in notice["action"]
    assert b"HTML" not in hook.bodies[0]  # the reason (it can quote the answer) stays in the run's log
