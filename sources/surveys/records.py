"""Checked canonical records of a stored survey version, kept so a survey is parsed once per run.

The partition asset ``raw/survey_export`` checks a survey's newest accepted version and writes what
it checked here; ``raw/survey_responses`` reads it instead of parsing the export again. Layout
(``Paths.survey_records``, default ``$RBI_OUTPUT_DIR/raw/records``, inside the restricted raw
area)::

    <survey_id>/<version>.parquet          canonical records with their provenance columns
    <survey_id>/<version>.provenance.json  the survey's raw.source_register row

Only canonical fields are stored (the same columns as ``raw.survey_responses``), with the
respondent KEY in ``respondent_id`` (:func:`pseudonymise`: the tool's id never leaves the intake)
and ``respondent_order``, the rank of the tool's id among the version's respondents; a version's files
are written aside and renamed into place, so a reader sees them whole or not at all. They hold
respondent rows, so folders are ``0o750`` and files ``0o640`` whatever the umask
(:mod:`storage.restricted`).
"""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sources.pseudonyms import is_respondent_key, respondent_key, respondent_order
from storage.atomic import replace_file
from storage.restricted import open_binary, restrict_file, restricted_dir, write_text

ORDER_COLUMN = "respondent_order"


def pseudonymise(records: pd.DataFrame, secret: bytes) -> pd.DataFrame:
    """Canonical records with the tool's respondent id replaced by its key and, right after it, the
    integer ``respondent_order`` (the rank of the tool's id as text within these records). Records
    already keyed are returned unchanged."""
    if ORDER_COLUMN in records.columns:
        return records
    ids = records["respondent_id"].astype(str).tolist()
    out = records.copy()
    out["respondent_id"] = pd.Series([respondent_key(secret, i) for i in ids], index=records.index, dtype=object)
    out.insert(list(out.columns).index("respondent_id") + 1, ORDER_COLUMN, respondent_order(ids))
    out[ORDER_COLUMN] = out[ORDER_COLUMN].astype("int64")
    return out


def without_keys(records: pd.DataFrame, keys: set[str]) -> pd.DataFrame:
    """Keyed records without the rows of ``keys``; ``respondent_order`` re-ranked 1..n in the same
    order (dropping rows never changes the order of the others)."""
    kept = records.loc[~records["respondent_id"].astype(str).isin(keys)].copy()
    if ORDER_COLUMN in kept.columns and len(kept):
        kept[ORDER_COLUMN] = kept[ORDER_COLUMN].rank(method="first").astype("int64")
    return kept.reset_index(drop=True)


ANSWER_EXCLUDED = ("survey_id", "year", ORDER_COLUMN)


def answer_columns(records: pd.DataFrame) -> list[str]:
    """The columns that say what a respondent answered (not which survey or year it was filed under)."""
    return [c for c in records.columns if c not in ANSWER_EXCLUDED and not str(c).startswith("_")]


def row_digests(records: pd.DataFrame) -> dict[str, str]:
    """respondent key -> sha256 of the respondent's canonical answers (to count changed respondents
    without keeping or showing any answer)."""
    columns = [c for c in answer_columns(records) if c != "respondent_id"]
    out = {}
    for key, row in zip(records["respondent_id"].astype(str), records[columns].itertuples(index=False), strict=True):
        text = "\x1f".join(
            "" if pd.isna(v) else repr(v if not isinstance(v, float) or not v.is_integer() else int(v)) for v in row
        )
        out[key] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


def content_digest(records: pd.DataFrame) -> str:
    """One sha256 of every respondent's key and answers (order-free, survey id and year left out):
    the same export delivered under two survey ids has the same digest."""
    digests = sorted(f"{k}:{d}" for k, d in row_digests(records).items())
    return hashlib.sha256("\n".join(digests).encode("utf-8")).hexdigest()


def assert_keyed(records: pd.DataFrame) -> None:
    """Refuse to write records that still hold a tool id (a programming error, never data)."""
    ids = records["respondent_id"].astype(str) if "respondent_id" in records.columns else pd.Series([], dtype=str)
    if not all(is_respondent_key(i) for i in ids):
        raise ValueError("canonical records must hold respondent keys, not the survey tool's ids")


def _files(root: Path, snapshot_id: str) -> tuple[Path, Path]:
    survey_id, version = snapshot_id.split("/", 1)
    folder = root / survey_id
    return folder / f"{version}.parquet", folder / f"{version}.provenance.json"


def write_records(root: Path, snapshot_id: str, records: pd.DataFrame, provenance: dict) -> Path:
    """Store the checked records and provenance of ``<survey_id>/<version>`` (replacing an older copy).
    The records must already be keyed (:func:`pseudonymise`)."""
    assert_keyed(records)
    parquet, sidecar = _files(root, snapshot_id)
    restricted_dir(parquet.parent, top=root.parent)  # raw/records/<survey_id>, and raw/ if missing
    for final, write in (
        (sidecar, lambda tmp: write_text(tmp, json.dumps(provenance, indent=2, sort_keys=True) + "\n")),
        (parquet, _parquet_writer(records)),
    ):
        tmp = final.with_name(f".{final.name}.partial")
        write(tmp)
        replace_file(tmp, final)
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
