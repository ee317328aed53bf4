"""Where the pipeline reads its inputs and writes its outputs.

Every location is resolved when called (never at import time) from environment variables, so a
test or an operator can point the same code at another inputs or output directory:

- ``RBI_INPUTS_DIR``: inputs laid out like ``sources/embedded`` (default: that embedded snapshot).
- ``RBI_OUTPUT_DIR``: everything a run writes (default: ``output/`` in the checkout, git-ignored).
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_INPUTS = REPO_ROOT / "sources" / "embedded"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def inputs_dir() -> Path:
    """Root of the inputs: ``snapshots/``, ``surveys/`` (see ``sources/embedded/README.md``)."""
    return _env_path("RBI_INPUTS_DIR", EMBEDDED_INPUTS)


def output_dir() -> Path:
    """Root of everything a run writes."""
    return _env_path("RBI_OUTPUT_DIR", REPO_ROOT / "output")


def warehouse_path() -> Path:
    """The DuckDB warehouse that dbt builds (internal: holds respondent-level rows)."""
    return output_dir() / "warehouse" / "warehouse.duckdb"


def releases_dir() -> Path:
    """Published releases, one folder per release id, plus the ``latest`` pointer."""
    return output_dir() / "releases"


def attempts_dir() -> Path:
    """Publication attempts stopped by the quality gate, with the validation results."""
    return output_dir() / "failed-attempts"


def snapshots_dir() -> Path:
    """Snapshots of public statistics inside the inputs."""
    return inputs_dir() / "snapshots"


def surveys_dir() -> Path:
    """Survey exports with their mapping files inside the inputs."""
    return inputs_dir() / "surveys"


def raw_dir(output: Path | None = None) -> Path:
    """The restricted raw area (``RBI_RAW_DIR``, default ``<output>/raw``): accepted survey exports
    (``surveys/``), quarantined files (``quarantine/``) and inbox originals (``received/``). Holds
    respondent-level answers, free text and e-mail addresses: never published, never copied into a
    release or the warehouse."""
    return _env_path("RBI_RAW_DIR", (output or output_dir()) / "raw")


def raw_surveys_dir(output: Path | None = None) -> Path:
    """Accepted survey exports, one immutable folder per survey and version."""
    return raw_dir(output) / "surveys"


def quarantine_dir(output: Path | None = None) -> Path:
    """Inbox files that failed validation, with their error reports."""
    return raw_dir(output) / "quarantine"


def received_dir(output: Path | None = None) -> Path:
    """Inbox originals moved out of the inbox after acceptance (or as repeated deliveries)."""
    return raw_dir(output) / "received"


def inbox_dir(output: Path | None = None) -> Path:
    """Where users drop a survey export and its mapping (``RBI_INBOX_DIR``, default ``<output>/inbox``)."""
    return _env_path("RBI_INBOX_DIR", (output or output_dir()) / "inbox")


def dbt_target_dir(output: Path | None = None) -> Path:
    """dbt's artefacts of the runs on this output directory, one folder per dbt invocation (the
    newest few are kept; orchestration/stale_files.py)."""
    return (output or output_dir()) / "dbt-target"
