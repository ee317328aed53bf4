import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sources.snapshots import (
    SnapshotError,
    latest_snapshot,
    list_snapshots,
    newest_snapshot,
    sha256_bytes,
    write_snapshot,
)

META = {
    "title": "t",
    "publisher": "p",
    "origin_url": "https://example.invalid/x",
    "how_obtained": "test",
    "licence": "CC BY 4.0",
    "data_status": "published",
}


def test_write_and_replay_newest(tmp_path: Path) -> None:
    old = write_snapshot(tmp_path, "s", b"old", "csv", META, datetime(2025, 1, 1, tzinfo=UTC))
    new = write_snapshot(tmp_path, "s", b"new", "csv", META, datetime(2026, 1, 1, tzinfo=UTC))
    assert [s.snapshot_id for s in list_snapshots(tmp_path, "s")] == [old.snapshot_id, new.snapshot_id]
    latest = latest_snapshot(tmp_path, "s")
    assert latest.read_bytes() == b"new"
    sidecar = json.loads((latest.payload_path.parent / "sidecar.json").read_text())
    assert sidecar["sha256"] == "11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437"
    assert sidecar["retrieved_at"] == "2026-01-01T00:00:00Z"
    assert sidecar["bytes"] == 3


def test_snapshots_are_never_overwritten(tmp_path: Path) -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    write_snapshot(tmp_path, "s", b"a", "csv", META, when)
    with pytest.raises(SnapshotError, match="immutable"):
        write_snapshot(tmp_path, "s", b"a", "csv", META, when)


def test_tampered_payload_is_detected(tmp_path: Path) -> None:
    snap = write_snapshot(tmp_path, "s", b"a", "csv", META, datetime(2025, 1, 1, tzinfo=UTC))
    snap.payload_path.write_bytes(b"b")
    with pytest.raises(SnapshotError, match=r"sha256 is .* but the sidecar says"):
        latest_snapshot(tmp_path, "s").read_bytes()


def test_missing_source_and_incomplete_metadata(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no snapshot of source 'nope'"):
        latest_snapshot(tmp_path, "nope")
    with pytest.raises(SnapshotError, match="lacks licence"):
        write_snapshot(tmp_path, "s", b"a", "csv", {k: v for k, v in META.items() if k != "licence"})


def test_embedded_snapshots_verify() -> None:
    from sources.catalogue import load_catalogue
    from storage.paths import EMBEDDED_INPUTS

    for entry in load_catalogue():
        if not entry.enabled_offline:  # no snapshot stored yet (sources/catalogue.yml)
            continue
        snap = latest_snapshot(EMBEDDED_INPUTS / "snapshots", entry.source_id)
        assert snap.read_bytes()  # checksum verified
        assert snap.sidecar["licence"]
        assert snap.data_status == ("demonstration" if entry.source_id.startswith("demo_") else "published")


def test_snapshots_of_the_same_second_keep_their_arrival_order(tmp_path: Path) -> None:
    payloads = sorted([b"first", b"second", b"third"], key=sha256_bytes, reverse=True)  # hashes sort backwards
    when = datetime(2026, 11, 25, 10, 15, tzinfo=UTC)
    stored = [write_snapshot(tmp_path, "s", p, "json", META, when) for p in payloads]
    assert stored[0].snapshot_id > stored[-1].snapshot_id  # by id the last arrival would look oldest
    assert [s.snapshot_id for s in list_snapshots(tmp_path, "s")] == [s.snapshot_id for s in stored]
    assert latest_snapshot(tmp_path, "s").snapshot_id == stored[-1].snapshot_id
    assert newest_snapshot([tmp_path], "s").snapshot_id == stored[-1].snapshot_id
