"""storage/atomic.py: write aside, fsync, rename, fsync the folder -- the old or the new content,
never a half-written one, and nothing left aside."""

import os
from pathlib import Path

import pytest

from storage import atomic


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was fsynced, in order: 'file' for a file, the folder's name for a folder."""
    calls: list[str] = []
    real = os.fsync

    def record(fd: int) -> None:
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        calls.append(path.name if path.is_dir() else "file")
        real(fd)

    monkeypatch.setattr(atomic.os, "fsync", record)
    return calls


def test_write_atomic_replaces_the_file_and_syncs_file_then_folder(tmp_path: Path, synced: list[str]) -> None:
    target = tmp_path / "LATEST"
    target.write_bytes(b"old\n")
    atomic.write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert synced == ["file", tmp_path.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LATEST"]  # nothing left aside


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "LATEST"
    target.write_bytes(b"old\n")

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"


def test_replace_symlink_moves_a_relative_link(tmp_path: Path, synced: list[str]) -> None:
    (tmp_path / "r1").mkdir()
    (tmp_path / "r2").mkdir()
    link = tmp_path / "latest"
    atomic.replace_symlink(link, "r1")
    atomic.replace_symlink(link, "r2")
    assert os.readlink(link) == "r2" and link.resolve() == tmp_path / "r2"
    assert synced == [tmp_path.name, tmp_path.name]
    assert not (tmp_path / ".latest.tmp").exists()


def test_write_folder_is_all_or_nothing_and_clears_a_leftover(tmp_path: Path, synced: list[str]) -> None:
    target = tmp_path / "source" / "20260101T000000Z-abcd"
    leftover = target.with_name(target.name + ".partial")
    leftover.mkdir(parents=True)
    (leftover / "payload.csv").write_bytes(b"half")  # an interrupted attempt
    atomic.write_folder(target, {"payload.csv": b"a,b\n1,2\n", "sidecar.json": b"{}\n"})
    assert {p.name: p.read_bytes() for p in target.iterdir()} == {"payload.csv": b"a,b\n1,2\n", "sidecar.json": b"{}\n"}
    assert not leftover.exists()
    # each file, the staging folder before the rename, the parent after it
    assert synced == ["file", "file", leftover.name, "source"]


def test_write_folder_never_replaces_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "snapshot"
    target.mkdir()
    (target / "kept").write_bytes(b"x")
    with pytest.raises(OSError):
        atomic.write_folder(target, {"payload.csv": b"new"})
    assert [p.name for p in target.iterdir()] == ["kept"]


def test_write_atomic_with_a_mode_never_widens_it(tmp_path: Path) -> None:
    old = os.umask(0)  # a permissive umask changes nothing
    try:
        atomic.write_atomic(tmp_path / "CURRENT", b"000001-r1\n", mode=0o640)
    finally:
        os.umask(old)
    assert (tmp_path / "CURRENT").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "CURRENT").read_bytes() == b"000001-r1\n"


def test_replace_file_moves_a_file_written_aside_syncing_it_then_the_folder(tmp_path: Path, synced: list[str]) -> None:
    target, aside = tmp_path / "rbi.duckdb", tmp_path / ".rbi.duckdb.tmp"
    target.write_bytes(b"old")
    aside.write_bytes(b"new")  # e.g. written by DuckDB
    atomic.replace_file(aside, target)
    assert target.read_bytes() == b"new"
    assert synced == ["file", tmp_path.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rbi.duckdb"]


def test_fsync_files_syncs_each_file_of_a_folder_but_no_link(tmp_path: Path, synced: list[str]) -> None:
    (tmp_path / "a.parquet").write_bytes(b"a")
    (tmp_path / "b.json").write_bytes(b"b")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a.parquet")
    atomic.fsync_files(tmp_path)
    assert synced == ["file", "file"]
