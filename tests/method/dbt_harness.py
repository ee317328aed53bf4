"""Runs chosen dbt models against a temporary DuckDB warehouse whose upstream tables a test wrote
by hand, so the SQL rules of the method can be checked on tiny inputs without the whole pipeline.

dbt writes its artefacts to a temporary target path: the project's own manifest (used by Dagster)
is left alone.

dbt runs in the warehouse's folder and names the warehouse by its file name (``RBI_WAREHOUSE_PATH``
= ``warehouse.duckdb``): the connection dbt's partial parse is checked against is then the same for
every test, so the parse of the first dbt invocation of this process is handed to the next ones (a
full parse costs about 4 s of CPU more; dbt still re-parses any file that changed)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from tests import preloaded
from tests.method.dbt_warm_up import WARM_UP_FOLDER

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt_project"
# what `dbt build` imports (dbt's command line, the DuckDB adapter, the parser and the build task,
# and the Python models' pandas and NumPy): imported once by the preloaded server (tests/preloaded/),
# each build forked from it (~2.5 s of CPU less per build than a fresh `dbt` process)
DBT_MODULES = (
    "orchestration.warehouse.dbt_executable",
    "dbt.cli.main",
    "dbt.adapters.factory",
    "dbt.adapters.duckdb",
    "dbt.parser.manifest",
    "dbt.task.build",
    "numpy",
    "pandas",
    "tests.method.dbt_warm_up",  # last: one build in the server, so that the forked builds start warm
)


# No earlier release (spec section 5b): an empty int_revision_atoms, so that int_components_revised
# passes int_components_scored through unchanged (and the replicates too).
NO_REVISIONS = {
    "intermediate.int_revision_atoms": (
        "select * from (values (0, '', '', 0.0, 0.0, 0.0, 0.0, 0::bigint, 0.0, 0.0, 0.0, 0.0, '', '', '', true, "
        "0::bigint, 0::bigint, 0, false)) as t(year, sector_code, component_id, raw_value, raw_ci_low, "
        "raw_ci_high, se, n, n_eff, cv, dk_share, normalised, flags, source_ids, release_id, footprint_complete, "
        "smallest_atom, atoms, versions_published, candidate_is_published) where false"
    ),
    "staging.stg_revisions__replicates": (
        "select * from (values (0, '', '', 0, 0.0)) as t(year, sector_code, component_id, replicate, raw_value) "
        "where false"
    ),
}


def write_tables(warehouse: Path, tables: dict[str, pd.DataFrame | str]) -> None:
    """``schema.table`` -> a frame, or a SQL query, materialised as a table."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        for name, content in tables.items():
            schema = name.split(".")[0]
            con.execute(f"create schema if not exists {schema}")
            if isinstance(content, str):
                con.execute(f"create or replace table {name} as {content}")
            else:
                con.register("incoming", content)
                con.execute(f"create or replace table {name} as select * from incoming")
                con.unregister("incoming")


PARTIAL_PARSE = "partial_parse.msgpack"
_parsed: list[bytes] = []  # the partial parse of this process's first dbt invocation
_warm_up: list[Path] = []  # the folder of the preloaded server's warm-up build (tests/method/dbt_warm_up.py)


def start_warm_server() -> bytes | None:
    """Start this process's dbt server, warmed up by one build (tests/method/dbt_warm_up.py), if it
    is not running yet; the partial parse of that build (None if there was none)."""
    if not preloaded.server_running(DBT_MODULES):
        if not _warm_up:
            folder = Path(tempfile.mkdtemp(prefix="rbi-dbt-warm-up-"))
            atexit.register(shutil.rmtree, folder, True)
            _warm_up.append(folder)
        os.environ[WARM_UP_FOLDER] = str(_warm_up[0])  # read by the server as it starts, here
        try:
            preloaded.server(DBT_MODULES)
        finally:
            del os.environ[WARM_UP_FOLDER]
    preloaded.server(DBT_MODULES).wait_ready()
    parse = _warm_up[0] / "target" / PARTIAL_PARSE if _warm_up else None
    return parse.read_bytes() if parse and parse.exists() else None


def run_dbt(warehouse: Path, models: list[str], env: dict[str, str] | None = None, seeds: bool = True) -> None:
    """`dbt build` of the method seeds and ``models`` (with their data tests) on ``warehouse``;
    ``seeds=False``: of ``models`` only, on a warehouse an earlier call seeded (a release after release)."""
    target = warehouse.parent / "dbt_target"
    if not _parsed and preloaded.enabled() and (parse := start_warm_server()):
        _parsed.append(parse)
    if _parsed and not (target / PARTIAL_PARSE).exists():
        target.mkdir(parents=True, exist_ok=True)
        (target / PARTIAL_PARSE).write_bytes(_parsed[0])
    full_env = {
        **os.environ,
        "RBI_WAREHOUSE_PATH": warehouse.name,  # relative to dbt's working folder, the warehouse's
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        **(env or {}),
    }
    args = [
        "build",
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        "--no-write-json",  # no manifest.json or run_results.json: nothing here reads them
        "--indirect-selection",
        "cautious",
        "--select",
        *(["resource_type:seed"] if seeds else []),
        *models,
    ]
    # `dbt build ...` (rbi-dbt: dbt's own command line), forked from the server that imported dbt
    dbt = "orchestration.warehouse.dbt_executable"
    result = preloaded.run(dbt, args, env=full_env, cwd=warehouse.parent, timeout=300, modules=DBT_MODULES)
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    if not _parsed and (target / PARTIAL_PARSE).exists():
        _parsed.append((target / PARTIAL_PARSE).read_bytes())


def query(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
