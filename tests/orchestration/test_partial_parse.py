"""dbt's partial parse carries over between the dbt invocations on one output directory
(orchestration/warehouse/partial_parse.py): a run on any output directory but the default one no
longer re-parses the whole project."""

import os
from pathlib import Path

from orchestration.warehouse.partial_parse import PARTIAL_PARSE, reuse_partial_parse


def invocation(target: Path, name: str, content: bytes, mtime: int) -> Path:
    folder = target / name
    folder.mkdir(parents=True)
    (folder / PARTIAL_PARSE).write_bytes(content)
    os.utime(folder / PARTIAL_PARSE, ns=(mtime, mtime))
    return folder


def test_the_newest_earlier_parse_is_copied_into_the_new_invocation(tmp_path: Path) -> None:
    target = tmp_path / "dbt-target"
    invocation(target, "aaaa1111", b"older", 1_000_000_000)
    newest = invocation(target, "bbbb2222", b"newest", 2_000_000_000)
    invocation(target, "cccc3333-full", b"oldest", 500_000_000)
    new = target / "dddd4444"
    assert reuse_partial_parse(target, new) == newest / PARTIAL_PARSE
    assert (new / PARTIAL_PARSE).read_bytes() == b"newest"
    assert sorted(p.name for p in new.iterdir()) == [PARTIAL_PARSE]  # no temporary file left


def test_nothing_to_reuse_on_a_fresh_output_directory(tmp_path: Path) -> None:
    target = tmp_path / "dbt-target"
    assert reuse_partial_parse(target, target / "aaaa1111") is None  # no folder yet
    target.mkdir()
    (target / "aaaa1111").mkdir()  # an invocation killed before dbt wrote its parse
    assert reuse_partial_parse(target, target / "bbbb2222") is None
    assert not (target / "bbbb2222").exists()  # dagster-dbt then copies make setup's


def test_a_parse_already_in_the_folder_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "dbt-target"
    invocation(target, "aaaa1111", b"earlier", 1_000_000_000)
    mine = invocation(target, "bbbb2222", b"its own", 2_000_000_000)
    assert reuse_partial_parse(target, mine) is None
    assert (mine / PARTIAL_PARSE).read_bytes() == b"its own"
