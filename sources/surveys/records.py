"""Checked canonical records of a stored survey version, kept so a survey is parsed once per run.

The partition asset ``raw/survey_export`` checks a survey's newest accepted version and writes what
it checked here; ``raw/survey_responses`` reads it instead of parsing the export again. Layout
(``Paths.survey_records``, default ``$RBI_OUTPUT_DIR/raw/records``, inside the restricted raw
area)::

    <survey_id>/<version>.parquet          canonical records with their provenance columns
    <survey_id>/<version>.provenance.json  the survey's raw.source_register row

Only canonical fields are stored (the same columns as ``raw.survey_responses``); a version's files
are written aside and renamed into place, so a reader sees them whole or not at all.
"""

import json
import os
from pathlib import Path

import pandas as pd


def _files(root: Path, snapshot_id: str) -> tuple[Path, Path]:
    survey_id, version = snapshot_id.split("/", 1)
    folder = root / survey_id
    return folder / f"{version}.parquet", folder / f"{version}.provenance.json"


def write_records(root: Path, snapshot_id: str, records: pd.DataFrame, provenance: dict) -> Path:
    """Store the checked records and provenance of ``<survey_id>/<version>`` (replacing an older copy)."""
    parquet, sidecar = _files(root, snapshot_id)
    parquet.parent.mkdir(parents=True, exist_ok=True)
    for final, write in (
        (sidecar, lambda tmp: tmp.write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n", "utf-8")),
        (parquet, lambda tmp: records.to_parquet(tmp, index=False)),
    ):
        tmp = final.with_name(f".{final.name}.partial")
        write(tmp)
        os.replace(tmp, final)
    return parquet


def read_records(root: Path, snapshot_id: str) -> tuple[pd.DataFrame, dict] | None:
    """The stored records and provenance of ``<survey_id>/<version>``, or None if not stored."""
    parquet, sidecar = _files(root, snapshot_id)
    if not (parquet.exists() and sidecar.exists()):
        return None
    return pd.read_parquet(parquet), json.loads(sidecar.read_text(encoding="utf-8"))
