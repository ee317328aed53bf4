"""Resources, configured from the environment when a run starts (never at import time)."""

from pathlib import Path

import pandas as pd
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from storage import warehouse_wait
from storage.paths import Paths
from storage.restricted import restrict_warehouse

# the Dagster pool of every asset that writes the DuckDB warehouse (one writer at a time)
WAREHOUSE_POOL = "duckdb_warehouse"


class PipelinePaths(ConfigurableResource):
    """Where inputs are read and outputs written: :class:`storage.paths.Paths` as a Dagster
    resource. Empty fields fall back to RBI_INPUTS_DIR / RBI_OUTPUT_DIR, read when the run asks
    for them (``Paths.from_env``); every other path is derived by ``Paths``."""

    inputs_dir: str = ""
    output_dir: str = ""

    def paths(self) -> Paths:
        """Every path of the run (``pipeline_paths.paths().warehouse``, ``.releases``, ...)."""
        return Paths.from_env(inputs=self.inputs_dir or None, output=self.output_dir or None)


class Warehouse(ConfigurableResource):
    """Writes the raw schema of the DuckDB warehouse. One writer at a time: the raw assets run
    before dbt in the same run (in-process executor) and every connection is closed after use. A
    long wait for a warehouse someone else holds sends a ``warehouse_wait`` alert naming the run."""

    _run_id: str = PrivateAttr(default="")
    _job: str = PrivateAttr(default="")
    _log: object = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._run_id = context.run_id or ""
        self._job = context.dagster_run.job_name if context.dagster_run is not None else ""
        self._log = context.log

    def _on_long_wait(self):
        if not self._run_id or self._log is None:
            return None
        from orchestration.publication.alerts import warehouse_wait_notifier  # alerts imports this module

        return warehouse_wait_notifier(self._run_id, self._job, self._log)

    def write_raw(self, db_path: Path, table: str, frame: pd.DataFrame) -> int:
        """Replace ``raw.<table>`` with ``frame`` (atomically: one statement)."""
        restrict_warehouse(db_path)  # respondent-level rows: owner/group only (storage.restricted)
        with warehouse_wait.connect(db_path, on_long_wait=self._on_long_wait()) as con:
            restrict_warehouse(db_path)
            con.execute("create schema if not exists raw")
            con.register("incoming", frame)
            con.execute(f'create or replace table raw."{table}" as select * from incoming')
            return len(frame)

    def read_rows(self, db_path: Path, table: str, order_by: list[str]) -> list[dict]:
        """Every row of a raw table, read-only, in the given order."""
        with warehouse_wait.connect(db_path, read_only=True) as con:
            order = ", ".join(f'"{c}"' for c in order_by)
            cursor = con.execute(f'select * from raw."{table}" order by {order}')
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def distinct_values(self, db_path: Path, table: str, columns: list[str]) -> list[tuple]:
        """Distinct values of some columns of a raw table, read-only."""
        with warehouse_wait.connect(db_path, read_only=True) as con:
            cols = ", ".join(f'"{c}"' for c in columns)
            return con.execute(f'select distinct {cols} from raw."{table}" order by all').fetchall()
