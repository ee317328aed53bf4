"""Snapshot stores for live mode: two roots (newest wins), the writable store, stored parts."""

from datetime import UTC, datetime

import pytest

from sources.catalogue import CatalogueError, load_catalogue
from sources.snapshots import SnapshotError, newest_snapshot, snapshot_by_id, writable_store, write_snapshot
from storage.paths import EMBEDDED_INPUTS

META = {
    "title": "t",
    "publisher": "p",
    "origin_url": "https://example.invalid/x",
    "how_obtained": "test",
    "licence": "CC BY 4.0",
    "data_status": "published",
}


def test_newest_of_both_stores_wins_and_ids_are_found_in_the_writable_store(tmp_path, monkeypatch) -> None:
    inputs, store = tmp_path / "inputs", tmp_path / "store"
    monkeypatch.setenv("RBI_SNAPSHOT_DIR", str(store))
    old = write_snapshot(inputs, "s", b"old", "json", META, datetime(2025, 1, 1, tzinfo=UTC))
    assert newest_snapshot([inputs, store], "s") == old
    new = write_snapshot(store, "s", b"new", "json", META, datetime(2026, 1, 1, tzinfo=UTC))
    assert newest_snapshot([inputs, store], "s").read_bytes() == b"new"
    assert snapshot_by_id(inputs, "s", new.snapshot_id).read_bytes() == b"new"  # provenance lookup
    assert newest_snapshot([inputs, store], "absent") is None


def test_writable_store_defaults_to_the_output_dir_and_never_the_embedded_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("RBI_SNAPSHOT_DIR", raising=False)
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "out"))
    assert writable_store() == (tmp_path / "out" / "snapshots").resolve()
    monkeypatch.setenv("RBI_SNAPSHOT_DIR", str(EMBEDDED_INPUTS / "snapshots"))
    with pytest.raises(SnapshotError, match="must not be written into the repository's embedded snapshot"):
        writable_store()


def test_parts_are_stored_beside_the_payload_with_checksums(tmp_path) -> None:
    snap = write_snapshot(tmp_path, "s", b"{}", "json", META, parts=[("part-001.json", b'{"a":1}')])
    assert (snap.payload_path.parent / "part-001.json").read_bytes() == b'{"a":1}'
    assert snap.sidecar["parts"][0]["bytes"] == 7
    assert newest_snapshot(tmp_path, "s").read_bytes() == b"{}"  # still exactly one payload.*


def test_catalogue_declares_provider_query_and_licence() -> None:
    entries = {e.source_id: e for e in load_catalogue()}
    ssb = entries["ssb_05300"]
    assert ssb.provider == "ssb" and ssb.table_id == "05300" and ssb.api == "v2"
    assert ssb.query["ContentsCode"] == ["Avstand"] and ssb.expected_dimensions[0] == "Avstand1"
    assert ssb.asset_key == "raw/ssb_05300" and ssb.licence.startswith("CC BY 4.0")
    assert entries["ssb_employment"].provider == "transcribed" and not entries["ssb_employment"].is_live
    assert entries["demo_population"].provider == "project"
    offline = sorted(e.source_id for e in entries.values() if not e.enabled_offline)
    assert offline == ["ssb_employees_sector", "ssb_fte_sector", "ssb_sickness_sector"]
    assert all(not entries[s].verified for s in offline)


def test_catalogue_errors_name_the_entry(tmp_path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        "entries:\n  - {source_id: x, provider: ssb, format: jsonstat, kind: statistics, description: d,"
        " table_id: '1', licence: l, query: {A: [a]}, expected_dimensions: [B]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match=r"entry 1 \(x\): query variable\(s\) A not in expected_dimensions"):
        load_catalogue(path)
    path.write_text("entries:\n  - {source_id: x, provider: web, format: jsonstat, kind: statistics, description: d}\n")
    with pytest.raises(CatalogueError, match="provider 'web' is not one of ssb, transcribed, project"):
        load_catalogue(path)


def test_bad_part_names_are_refused_before_anything_is_written(tmp_path) -> None:
    with pytest.raises(SnapshotError, match=r"bad part name\(s\) payload.csv"):
        write_snapshot(tmp_path, "s", b"{}", "json", META, parts=[("payload.csv", b"x")])
    assert not (tmp_path / "s").exists()
