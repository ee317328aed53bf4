"""Where the pipeline reads its inputs and writes its outputs: the one authority for places.

:class:`Paths` (in the spirit of owid/etl's PathFinder) is built by :meth:`Paths.from_env`, which
reads every location setting once, when called (never at import time), and derives every path
from them, so a test or an operator can point the same code at another inputs or output directory:

- ``RBI_INPUTS_DIR``: inputs laid out like ``sources/embedded`` (default: that embedded snapshot).
- ``RBI_OUTPUT_DIR``: everything a run writes (default: ``output/`` in the checkout, git-ignored).
- ``RBI_RAW_DIR``: the restricted raw area (default ``<output>/raw``).
- ``RBI_INBOX_DIR``: the survey inbox (default ``<output>/inbox``).
- ``RBI_SNAPSHOT_DIR``: the writable store of live SSB fetches (default ``<output>/snapshots``).
- ``DAGSTER_HOME``: Dagster's instance (default ``<output>/dagster_home``, as the Makefile sets it).
- ``RBI_LIVE`` and ``RBI_PUBLISH_FORCE``: the two switches of a run (``1``/``true``/``yes``/``on``).

Every asset, sensor, schedule, command and test builds it the same way: the Dagster resource
``PipelinePaths`` (orchestration/resources.py) calls ``Paths.from_env`` with its configured
fields, the rest call it bare.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_INPUTS = REPO_ROOT / "sources" / "embedded"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
DOCS_DIR = REPO_ROOT / "docs"
METHODOLOGY = DOCS_DIR / "methodology.md"
METHODOLOGY_SUMMARY = DOCS_DIR / "methodology-summary.md"


TRUE_WORDS = ("1", "true", "yes", "on")


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in TRUE_WORDS


def _setting(environ: Mapping[str, str], name: str, given: str | Path | None, default: Path) -> Path:
    """An explicitly given path, else the environment variable ``name``, else ``default``."""
    value = str(given).strip() if given else environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Paths:
    """Every place the pipeline reads or writes, derived from a few roots."""

    inputs: Path
    output: Path
    raw: Path
    inbox: Path
    snapshot_store: Path
    dagster_home: Path
    live: bool = False  # RBI_LIVE: fetch SSB entries live (a raw asset's run config may override it)
    publish_force: bool = False  # RBI_PUBLISH_FORCE: the monthly schedule publishes even if nothing changed

    @classmethod
    def from_env(
        cls,
        inputs: str | Path | None = None,
        output: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> "Paths":
        """The paths of a run: ``inputs``/``output`` when given (a configured resource), else the
        environment (see the module docstring), else the defaults."""
        env = os.environ if environ is None else environ
        inputs_root = _setting(env, "RBI_INPUTS_DIR", inputs, EMBEDDED_INPUTS)
        output_root = _setting(env, "RBI_OUTPUT_DIR", output, REPO_ROOT / "output")
        return cls(
            inputs=inputs_root,
            output=output_root,
            raw=_setting(env, "RBI_RAW_DIR", None, output_root / "raw"),
            inbox=_setting(env, "RBI_INBOX_DIR", None, output_root / "inbox"),
            snapshot_store=_setting(env, "RBI_SNAPSHOT_DIR", None, output_root / "snapshots"),
            dagster_home=_setting(env, "DAGSTER_HOME", None, output_root / "dagster_home"),
            live=_flag(env, "RBI_LIVE"),
            publish_force=_flag(env, "RBI_PUBLISH_FORCE"),
        )

    # inputs
    @property
    def snapshots(self) -> Path:
        """Snapshots of public statistics inside the inputs."""
        return self.inputs / "snapshots"

    @property
    def surveys(self) -> Path:
        """Survey exports with their mapping files inside the inputs."""
        return self.inputs / "surveys"

    @property
    def seeds(self) -> Path:
        """The method's reference data (dbt seeds), versioned with the code."""
        return SEEDS_DIR

    # outputs
    @property
    def warehouse(self) -> Path:
        """The DuckDB warehouse that dbt builds (internal: holds respondent-level rows)."""
        return self.output / "warehouse" / "warehouse.duckdb"

    @property
    def releases(self) -> Path:
        """Published releases, one folder per release id, plus the ``latest`` pointer."""
        return self.output / "releases"

    @property
    def site(self) -> Path:
        """The public static site built from the releases (publication/site/; docs/site.md)."""
        return self.output / "site"

    @property
    def failed_attempts(self) -> Path:
        """Publication attempts stopped by the quality gate, with the validation results."""
        return self.output / "failed-attempts"

    @property
    def validation(self) -> Path:
        """The Great Expectations results of the last quality gate."""
        return self.output / "validation"

    @property
    def build_state(self) -> Path:
        """Whether the warehouse's last dbt build finished (``building``/``complete``), next to the
        warehouse file it describes (orchestration/warehouse/build_state.py)."""
        return self.warehouse.parent / "build.json"

    @property
    def dbt_target(self) -> Path:
        """dbt's artefacts of the runs on this output directory, one folder per dbt invocation (the
        newest few are kept; orchestration/runs/stale_files.py). Each invocation starts from the
        ``partial_parse.msgpack`` of ``make setup``'s ``dbt parse`` (dbt_project/target), which
        dagster-dbt copies in; the same ``dbt_vars`` keep that parse valid."""
        return self.output / "dbt-target"

    # run-level state
    @property
    def run_lock(self) -> Path:
        """The lock one run holds on this output directory for its whole length (orchestration/runs/run_lock.py)."""
        return self.output / "run.lock"

    def dbt_vars(self) -> str:
        """``--vars`` of every dbt command: the warehouse path, read by ``dbt_project/profiles.yml``
        (the Makefile's ``dbt parse`` passes the same, so dbt's partial parsing stays valid)."""
        return json.dumps({"warehouse_path": str(self.warehouse)})

    # the restricted raw area: respondent-level answers, free text, e-mail addresses; never
    # published, never copied into a release or the warehouse
    @property
    def raw_surveys(self) -> Path:
        """Accepted survey exports, one immutable folder per survey and version."""
        return self.raw / "surveys"

    @property
    def survey_records(self) -> Path:
        """Canonical records of each checked survey version (``<survey_id>/<version>.parquet``)."""
        return self.raw / "records"

    @property
    def quarantine(self) -> Path:
        """Inbox files that failed validation, with their error reports."""
        return self.raw / "quarantine"

    @property
    def received(self) -> Path:
        """Inbox originals moved out of the inbox after acceptance (or as repeated deliveries)."""
        return self.raw / "received"

    @property
    def revisions(self) -> Path:
        """The internal store of the respondent sets behind published values (spec section 5b):
        never published, kept across runs and releases; back it up with the raw area."""
        return self.raw / "revisions"

    @property
    def audit_log(self) -> Path:
        """The append-only audit log of withdrawals and erasures (spec section 10), JSON lines. The
        pipeline reads it to leave the rows out of every later computation."""
        return self.raw / "audit" / "erasures.jsonl"

    @property
    def pseudonym_secret(self) -> Path:
        """The installation secret of the respondent keys and element digests (sources/pseudonyms.py):
        created on first use, 0o400; back it up with the raw area, never publish it."""
        return self.raw / "keys" / "pseudonym.key"
