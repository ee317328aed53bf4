"""dbt's partial parse, kept valid from one dbt invocation to the next on the same output directory.

dbt re-parses the whole project (a few seconds of CPU) when the ``--vars`` differ from those of the
``partial_parse.msgpack`` it is given. dagster-dbt gives every invocation the one of ``make setup``'s
``dbt parse`` (dbt_project/target), whose vars name the default warehouse; a run on any other output
directory (``RBI_OUTPUT_DIR``, the tests, the benchmarks) therefore parsed the project from scratch
every time. The newest ``partial_parse.msgpack`` written by an earlier invocation on this output
directory has this directory's vars: put in the new invocation's target folder first, it is the one
dbt reads (dagster-dbt copies its own only when the folder has none). dbt still checks every file's
hash and its own version against it, and re-parses what changed."""

import shutil
from pathlib import Path

PARTIAL_PARSE = "partial_parse.msgpack"


def reuse_partial_parse(dbt_target: Path, invocation: Path) -> Path | None:
    """Copy the newest ``partial_parse.msgpack`` under ``dbt_target`` (one folder per earlier dbt
    invocation on this output directory) into ``invocation``, the new invocation's target folder.
    Returns the file copied, or None (no earlier invocation, or the folder has one already)."""
    destination = invocation / PARTIAL_PARSE
    if destination.exists() or not dbt_target.is_dir():
        return None
    earlier = [p for p in dbt_target.glob(f"*/{PARTIAL_PARSE}") if p.parent != invocation]
    if not earlier:
        return None
    newest = max(earlier, key=lambda p: p.stat().st_mtime_ns)
    invocation.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{PARTIAL_PARSE}.partial")
    shutil.copyfile(newest, partial)
    partial.replace(destination)  # never a half-copied file where dbt looks
    return newest
