"""Resources, configured from the environment when a run starts (never at import time)."""

import os
from importlib.metadata import version as package_version
from pathlib import Path

import pandas as pd
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration import warehouse_wait
from sources import paths


class PipelinePaths(ConfigurableResource):
    """Where inputs are read and outputs written. Empty fields fall back to RBI_INPUTS_DIR /
    RBI_OUTPUT_DIR, read when the run asks for them (see sources/paths.py)."""

    inputs_dir: str = ""
    output_dir: str = ""

    def inputs(self) -> Path:
        return Path(self.inputs_dir).resolve() if self.inputs_dir else paths.inputs_dir()

    def output(self) -> Path:
        return Path(self.output_dir).resolve() if self.output_dir else paths.output_dir()

    def snapshots(self) -> Path:
        return self.inputs() / "snapshots"

    def surveys(self) -> Path:
        return self.inputs() / "surveys"

    def warehouse(self) -> Path:
        return self.output() / "warehouse" / "warehouse.duckdb"

    def releases(self) -> Path:
        return self.output() / "releases"

    def failed_attempts(self) -> Path:
        return self.output() / "failed-attempts"

    def validation(self) -> Path:
        return self.output() / "validation"

    def raw_surveys(self) -> Path:
        """Accepted survey exports (restricted raw area, never published)."""
        return paths.raw_surveys_dir(self.output())


class Warehouse(ConfigurableResource):
    """Writes the raw schema of the DuckDB warehouse. One writer at a time: the raw assets run
    before dbt in the same run (in-process executor) and every connection is closed after use."""

    def write_raw(self, db_path: Path, table: str, frame: pd.DataFrame) -> int:
        """Replace ``raw.<table>`` with ``frame`` (atomically: one statement)."""
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with warehouse_wait.connect(db_path) as con:
            con.execute("create schema if not exists raw")
            con.register("incoming", frame)
            con.execute(f'create or replace table raw."{table}" as select * from incoming')
            return len(frame)

    def distinct_values(self, db_path: Path, table: str, columns: list[str]) -> list[tuple]:
        """Distinct values of some columns of a raw table, read-only."""
        with warehouse_wait.connect(db_path, read_only=True) as con:
            cols = ", ".join(f'"{c}"' for c in columns)
            return con.execute(f'select distinct {cols} from raw."{table}" order by all').fetchall()


class OfflineDbtCliResource(DbtCliResource):
    """DbtCliResource that reads the dbt version from the installed package instead of running
    `dbt --version`, which looks up newer releases on the internet."""

    @property
    def _cli_version(self) -> version.Version:  # type: ignore[override]
        return version.parse(package_version("dbt-core"))


def dbt_environment(pipeline_paths: PipelinePaths) -> None:
    """Environment for the dbt subprocess: the warehouse path and no telemetry."""
    os.environ["RBI_WAREHOUSE_PATH"] = str(pipeline_paths.warehouse())
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    os.environ.setdefault("DO_NOT_TRACK", "1")
