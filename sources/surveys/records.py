"""Checked canonical records of a stored survey version, kept so a survey is parsed once per run.

The partition asset ``raw/survey_export`` checks a survey's newest accepted version and writes what
it checked here; ``raw/survey_responses`` reads it instead of parsing the export again. Layout
(``Paths.survey_records``, default ``$RBI_OUTPUT_DIR/raw/records``, inside the restricted raw
area)::

    <survey_id>/<version>.parquet          canonical records with their provenance columns
    <survey_id>/<version>.provenance.json  the survey's raw.source_register row

Only canonical fields are stored (the same columns as ``raw.survey_responses``); a version's files
are written aside and renamed into place, so a reader sees them whole or not at all. They hold
respondent rows, so folders are ``0o750`` and files ``0o640`` whatever the umask
(:mod:`sources.restricted`).
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sources.restricted import open_binary, restrict_file, restricted_dir, write_text


def _files(root: Path, snapshot_id: str) -> tuple[Path, Path]:
    survey_id, version = snapshot_id.split("/", 1)
    folder = root / survey_id
    return folder / f"{version}.parquet", folder / f"{version}.provenance.json"


def write_records(root: Path, snapshot_id: str, records: pd.DataFrame, provenance: dict) -> Path:
    """Store the checked records and provenance of ``<survey_id>/<version>`` (replacing an older copy)."""
    parquet, sidecar = _files(root, snapshot_id)
    restricted_dir(parquet.parent, top=root.parent)  # raw/records/<survey_id>, and raw/ if missing
    for final, write in (
        (sidecar, lambda tmp: write_text(tmp, json.dumps(provenance, indent=2, sort_keys=True) + "\n")),
        (parquet, _parquet_writer(records)),
    ):
        tmp = final.with_name(f".{final.name}.partial")
        write(tmp)
        os.replace(tmp, final)
    return parquet


def _parquet_writer(records: pd.DataFrame) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        with open_binary(tmp) as handle:
            records.to_parquet(handle, index=False)
        restrict_file(tmp)

    return write


def read_records(root: Path, snapshot_id: str) -> tuple[pd.DataFrame, dict] | None:
    """The stored records and provenance of ``<survey_id>/<version>``, or None if not stored."""
    parquet, sidecar = _files(root, snapshot_id)
    if not (parquet.exists() and sidecar.exists()):
        return None
    return pd.read_parquet(parquet), json.loads(sidecar.read_text(encoding="utf-8"))
