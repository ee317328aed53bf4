"""A failing expectation blocks publication: the previous release stays current, untouched, and
the validation result is saved beside the failed attempt."""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publication.checksums import verify
from sources.snapshots import latest_snapshot, write_snapshot
from tests.e2e.harness import run_pipeline
from tests.e2e.shared_runs import copy_of_published_tiny
from tests.orchestration.alert_sinks import HttpSink

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]  # the shared first run (tests/e2e/shared_runs.py) + 1 run


def test_gate_failure_keeps_the_previous_release(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, output = copy_of_published_tiny(tmp_path_factory, tmp_path)  # the tiny inputs, published
    releases = output / "releases"
    good = (releases / "LATEST").read_text().strip()
    good_files = {p.name: p.read_bytes() for p in (releases / good).iterdir()}
    store = output / "raw" / "revisions"  # spec 5b: the revision store of the good release
    store_files = {p.relative_to(store): p.read_bytes() for p in store.rglob("*") if p.is_file()}
    assert (store / "CURRENT").read_text().strip().endswith(good)

    # a newer snapshot of the sickness table in which a rate became 150 %: dbt builds it, the gate
    # (context_sector_year: a percentage is within 0..100) must stop it
    snapshots = inputs / "snapshots"
    old = latest_snapshot(snapshots, "ssb_sickness_absence")
    text = old.read_bytes().decode("utf-8")
    broken = text.replace(
        ",86-88,Helse- og sosialtjenester,Statlig forvaltning,8.7,",
        ",86-88,Helse- og sosialtjenester,Statlig forvaltning,150.0,",
        1,
    )
    assert broken != text
    metadata = {k: v for k, v in old.sidecar.items() if k not in ("sha256", "bytes", "retrieved_at", "source_id")}
    write_snapshot(
        snapshots, "ssb_sickness_absence", broken.encode(), "csv", metadata, datetime(2026, 12, 1, tzinfo=UTC)
    )

    # the gate's notice goes to the configured webhook (a local sink; `make run` has no daemon)
    sink = HttpSink()
    monkeypatch.setenv("RBI_ALERT_WEBHOOK_URL", sink.url)
    try:
        second = run_pipeline(inputs, output)
    finally:
        sink.stop()
    assert second.returncode != 0
    (notice,) = [json.loads(body) for body in sink.bodies]
    assert notice["kind"] == "gate_failure" and notice["failed_checks"] == ["gate_context_sector_year"]
    assert notice["published_release"] == good and notice["previous_release_kept"] is True
    assert b"150.0" not in sink.bodies[0]
    assert "gate_context_sector_year" in second.stdout + second.stderr
    # nothing new was published; the previous release is current and byte-for-byte the same
    assert (releases / "LATEST").read_text().strip() == good
    assert [p.name for p in releases.iterdir() if p.is_dir() and not p.is_symlink()] == [good]
    assert {p.name: p.read_bytes() for p in (releases / good).iterdir()} == good_files
    # the revision store is only written for a published release: untouched
    assert {p.relative_to(store): p.read_bytes() for p in store.rglob("*") if p.is_file()} == store_files
    # why: saved beside the failed attempt
    attempts = list((output / "failed-attempts").iterdir())
    assert len(attempts) == 1 and attempts[0].name != good
    failures = json.loads((attempts[0] / "context_sector_year.failures.json").read_text())
    assert any("expect_column_values_to_be_between(value" in line and "150.0" in line for line in failures), failures
    summary = (attempts[0] / "context_sector_year.failures.md").read_text(encoding="utf-8")
    assert summary.startswith("# Quality gate: `context_sector_year` FAILED")
    assert "150.0" in summary
    assert (attempts[0] / "context_sector_year.validation.json").exists()
    # `latest` still points at the good, complete release; no half-written release is left
    assert (releases / "latest").resolve().name == good
    assert verify(releases / good) == []
    assert not [p for p in releases.iterdir() if p.name.startswith(".partial")]
    shutil.rmtree(tmp_path, ignore_errors=True)
