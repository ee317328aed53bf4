"""One `dbt build` in the dbt harness's preloaded server, before it forks a build per test.

Imported by the server (it is the last of ``DBT_MODULES``, tests/method/dbt_harness.py): the import
builds the method seeds, a view, a table and their data tests on a scratch warehouse in
``$RBI_TEST_DBT_WARM_UP`` (a folder the harness chose). What dbt builds lazily on its first
invocation in a process (the msgpack readers of the partial parse, the compiled Jinja of the
materialisations and tests, the adapter's connection set-up) is then inherited by every forked build:
measured ~1.5 s of CPU less per build (a forked build 2.9-3.9 s cold, 1.3-2.2 s warm). The partial
parse it leaves in ``<folder>/target`` is the one the harness hands to its builds.

A build in a forked child is dbt's second invocation in its process, which dbt supports
(``dbtRunner``). dbt-duckdb keeps its database open after a build for the next invocation of the
process; the warm-up closes it, so that no open database is forked, and checks it (and that no
thread is left running: the server checks that before each fork too). Without the variable (a
plain import) it does nothing.
"""

import os
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

import duckdb

WARM_UP_FOLDER = "RBI_TEST_DBT_WARM_UP"
SELECT = ["resource_type:seed", "stg_sources__register", "int_release"]
REGISTER_SQL = (
    "select * from (values ('DEMO-2025', 'survey', 'demo', 'project', null, 'CC0', '2026-11-25T00:00:00Z', "
    "repeat('ab', 32), 'demonstration', 'demonstration', 'a')) as t(source_id, kind, title, publisher, url, "
    "licence, retrieved_at, sha256, origin, data_status, snapshot_id)"
)


def _native_threads() -> list[str]:
    """This process's threads, Python's and native ones (thread id: name)."""
    tasks = Path("/proc/self/task")
    return [f"{t.name}: {(t / 'comm').read_text().strip()}" for t in tasks.iterdir() if t.name != str(os.getpid())]


def _in_a_child(work: Callable[[], bool]) -> None:
    """``work()`` in a forked child (its threads end with it); raises if it fails."""
    pid = os.fork()
    if pid == 0:
        try:
            status = 0 if work() else 1
        except BaseException:  # the child must not return into the server's code
            traceback.print_exc()
            status = 1
        os._exit(status)
    _pid, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the dbt warm-up's parse failed (status {os.waitstatus_to_exitcode(status)})")


def warm_up(folder: Path) -> None:
    """`dbt build` of ``SELECT`` on a scratch warehouse in ``folder``; raises if it fails or leaves
    a thread behind."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    from tests.method.dbt_harness import DBT_DIR, write_tables

    write_tables(folder / "warehouse.duckdb", {"raw.source_register": REGISTER_SQL})
    before = set(_native_threads())
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.update(RBI_WAREHOUSE_PATH="warehouse.duckdb", DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    os.environ.pop("RBI_BOOTSTRAP_REPLICATES", None)
    os.chdir(folder)
    try:
        target = folder / "target"
        common = ["--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
        common += ["--target-path", str(target), "--log-path", str(target / "logs"), "--no-write-json"]
        # dbt parses with a Rust extractor whose thread pool (rayon) would be forked without its
        # threads: a child's parse would wait for them for ever. The project is parsed in a forked
        # process that ends with it; the build here reads that parse, and a forked build that parses
        # a changed file starts a pool of its own.
        _in_a_child(lambda: dbtRunner().invoke(["parse", *common]).success)
        # as the harness builds (tests/method/dbt_harness.py)
        result = dbtRunner().invoke(["build", *common, "--indirect-selection", "cautious", "--select", *SELECT])
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    if not result.success:
        raise RuntimeError(f"the dbt warm-up build in {folder} failed: {result.exception}")
    # dbt-duckdb keeps its database open after a build (keep_open, for the next invocation in the
    # process); closed here, so that no open DuckDB database (and its threads) is forked
    DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()
    started = sorted(set(_native_threads()) - before)
    if threading.active_count() != 1 or started:
        raise RuntimeError(f"the dbt warm-up left threads running: {started}")
    # DuckDB refuses a read-only connection beside a read-write one of the same process: this opens
    # only if dbt closed the warehouse (no open database is inherited by the forked builds)
    duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True).close()
    (folder / "warehouse.duckdb").unlink()


if os.environ.get(WARM_UP_FOLDER):
    warm_up(Path(os.environ[WARM_UP_FOLDER]))
