import os
from pathlib import Path

import pytest

from publication.store import ReleaseConflict, current_release, list_releases, publish
from storage.paths import Paths


def test_publish_then_republish_identical_is_a_no_op(tmp_path: Path) -> None:
    first = publish(tmp_path, "r1", {"a.csv": b"x\n1\n", "README.txt": b"hi"})
    assert first.status == "published"
    assert current_release(tmp_path) == "r1"
    assert os.readlink(tmp_path / "latest") == "r1"
    again = publish(tmp_path, "r1", {"a.csv": b"x\n1\n", "README.txt": b"hi"})
    assert again.status == "unchanged"
    assert (tmp_path / "r1" / "a.csv").read_bytes() == b"x\n1\n"


def test_releases_are_immutable(tmp_path: Path) -> None:
    publish(tmp_path, "r1", {"a.csv": b"x\n1\n"})
    with pytest.raises(ReleaseConflict, match=r"other content \(a\.csv\)\. Releases are immutable"):
        publish(tmp_path, "r1", {"a.csv": b"x\n2\n"})
    with pytest.raises(ReleaseConflict, match=r"content \(b\.csv\)"):
        publish(tmp_path, "r1", {"a.csv": b"x\n1\n", "b.csv": b"new"})
    assert (tmp_path / "r1" / "a.csv").read_bytes() == b"x\n1\n"
    assert not (tmp_path / "r1" / "b.csv").exists()
    assert current_release(tmp_path) == "r1"


def test_latest_moves_to_the_new_release_and_old_one_stays(tmp_path: Path) -> None:
    publish(tmp_path, "r1", {"a.csv": b"1"})
    publish(tmp_path, "r2", {"a.csv": b"2"})
    assert current_release(tmp_path) == "r2"
    assert (tmp_path / "latest" / "a.csv").read_bytes() == b"2"
    assert list_releases(tmp_path) == ["r1", "r2"]


def test_leftover_partial_folder_is_never_current(tmp_path: Path) -> None:
    publish(tmp_path, "r1", {"a.csv": b"1"})
    # a crash while writing r2 leaves only the partial folder
    (tmp_path / ".partial-r2").mkdir()
    (tmp_path / ".partial-r2" / "a.csv").write_bytes(b"half")
    assert current_release(tmp_path) == "r1"
    assert list_releases(tmp_path) == ["r1"]
    publish(tmp_path, "r2", {"a.csv": b"2"})
    assert (tmp_path / "r2" / "a.csv").read_bytes() == b"2"
    assert not (tmp_path / ".partial-r2").exists()


def test_gate_reads_the_previous_releases_rows_and_years(tmp_path: Path) -> None:
    from publication.store import previous_release_rows

    releases = Paths.from_env(output=tmp_path).releases
    assert previous_release_rows(releases, "index_sector_year") is None  # before the first release
    publish(
        releases,
        "r1",
        {
            "index_sector_year.csv": b"year,sector_code\n2024,NAV\n2025,NAV\n2025,POLITI\n",
            "sources.csv": b"source_id\na\nb\n",
        },
    )
    assert previous_release_rows(releases, "index_sector_year") == (3, frozenset({2024, 2025}))
    assert previous_release_rows(releases, "sources") == (2, None)  # no year column: all rows count
    assert previous_release_rows(releases, "sensitivity") is None  # a table new in this release
