"""The monthly publication schedule publishes only when an input changed (or when forced)."""

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    RunRequest,
    SkipReason,
    build_schedule_context,
    instance_for_test,
)

from orchestration.publication.schedules import FINGERPRINT_TAG, JOB_NAME, monthly_publication, publication_request
from sources.fingerprint import file_digests, inputs_fingerprint
from storage.paths import EMBEDDED_INPUTS
from tests.sources.fake_statbank import FakeStatBank


def test_fingerprint_depends_on_contents_and_paths_only(tmp_path: Path) -> None:
    a = tmp_path / "a"
    (a / "sub").mkdir(parents=True)
    (a / "sub" / "x.csv").write_bytes(b"year;value\n2024;1\n")
    (a / "y.json").write_bytes(b"{}")
    b = tmp_path / "b"
    shutil.copytree(a, b)  # other folder, other mtimes
    assert inputs_fingerprint([("in", a)]) == inputs_fingerprint([("in", b)])
    assert list(file_digests([("in", a)])) == ["in/sub/x.csv", "in/y.json"]

    (b / "sub" / "x.csv").write_bytes(b"year;value\n2024;2\n")
    assert inputs_fingerprint([("in", a)]) != inputs_fingerprint([("in", b)])
    (b / "sub" / "x.csv").write_bytes(b"year;value\n2024;1\n")
    (b / "sub" / "x.csv").rename(b / "x.csv")  # same bytes, another place: another input layout
    assert inputs_fingerprint([("in", a)]) != inputs_fingerprint([("in", b)])
    # a root that does not exist yet (the live store before the first fetch) adds nothing
    assert inputs_fingerprint([("in", a), ("live", tmp_path / "missing")]) == inputs_fingerprint([("in", a)])


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch) -> Path:
    copy = tmp_path / "inputs"
    shutil.copytree(EMBEDDED_INPUTS, copy)
    monkeypatch.setenv("RBI_INPUTS_DIR", str(copy))
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("RBI_SNAPSHOT_DIR", raising=False)
    monkeypatch.delenv("RBI_PUBLISH_FORCE", raising=False)
    monkeypatch.delenv("RBI_LIVE", raising=False)
    return copy


def tick(instance: DagsterInstance):
    """The context of the December tick."""
    return build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 12, 2, 6, 0))


def record_success(instance: DagsterInstance, request: RunRequest) -> None:
    """What a successful run launched by the tick leaves in the instance."""
    instance.add_run(DagsterRun(job_name=JOB_NAME, status=DagsterRunStatus.SUCCESS, tags=dict(request.tags)))


def test_schedule_publishes_once_per_change_of_inputs(inputs: Path) -> None:
    with instance_for_test() as instance:
        first = publication_request(tick(instance))
        assert isinstance(first, RunRequest)
        assert first.tags["rbi/reason"] == "inputs changed"
        assert len(first.tags[FINGERPRINT_TAG]) == 64
        assert first.run_key.startswith(f"monthly:2026-12:{first.tags[FINGERPRINT_TAG][:16]}")

        # a failed run does not count: the next tick asks again
        instance.add_run(DagsterRun(job_name=JOB_NAME, status=DagsterRunStatus.FAILURE, tags=dict(first.tags)))
        assert isinstance(publication_request(tick(instance)), RunRequest)

        record_success(instance, first)
        skipped = publication_request(tick(instance))
        assert isinstance(skipped, SkipReason)
        assert "inputs unchanged since run" in skipped.skip_message

        # a changed survey export is a changed input
        export = next((inputs / "surveys").rglob("export.csv"))
        export.write_bytes(export.read_bytes() + b"\n")
        changed = publication_request(tick(instance))
        assert isinstance(changed, RunRequest)
        assert changed.tags[FINGERPRINT_TAG] != first.tags[FINGERPRINT_TAG]


def test_schedule_can_be_forced_and_is_wired_as_a_monthly_schedule(inputs: Path, monkeypatch) -> None:
    with instance_for_test() as instance:
        first = publication_request(tick(instance))
        record_success(instance, first)
        monkeypatch.setenv("RBI_PUBLISH_FORCE", "1")
        forced = publication_request(tick(instance))
        assert isinstance(forced, RunRequest) and forced.tags["rbi/reason"] == "forced"

    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("monthly_publication")
    assert schedule.job_name == JOB_NAME
    assert schedule.cron_schedule == "0 6 2 * *"
    assert schedule.execution_timezone == "Europe/Oslo"
    assert monthly_publication.name == "monthly_publication"


def test_schedule_in_live_mode_publishes_when_ssb_has_new_data(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    server = FakeStatBank().start()
    try:
        monkeypatch.setenv("RBI_LIVE", "1")
        monkeypatch.setenv("RBI_SSB_BASE_URL", server.v2)
        monkeypatch.setenv("RBI_SNAPSHOT_DIR", str(tmp_path / "store"))
        with instance_for_test() as instance:
            # SSB's `updated` equals the stored snapshot's: nothing new there
            first = publication_request(tick(instance))
            assert isinstance(first, RunRequest) and first.tags["rbi/reason"] == "inputs changed"
            record_success(instance, first)
            assert isinstance(publication_request(tick(instance)), SkipReason)
            # SSB publishes new data for 05300: local inputs are the same, but the tick publishes
            server.updated["05300"] = "2026-11-20T07:00:00Z"
            request = publication_request(tick(instance))
            assert isinstance(request, RunRequest)
            assert request.tags["rbi/reason"] == "ssb:05300"
    finally:
        server.stop()
