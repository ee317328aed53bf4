"""The raw survey area: accepted exports, stored immutably, one folder per survey and version.

Layout (``Paths.raw_surveys``, default ``$RBI_OUTPUT_DIR/raw/surveys``)::

    <survey_id>/<received>-<sha8>/export.<csv|tsv|txt|xlsx>   the export, byte for byte
                                  records.parquet             its canonical records, respondent KEYS
                                  mapping.yml                 the mapping, byte for byte
                                  sidecar.json                original names, sha256s, received time
                                  report.json, report.txt     the validation report at acceptance

``<received>`` is the UTC time of acceptance (``20261125T081500Z``). Versions are ordered by their
*arrival sequence* (``sidecar.json`` ``sequence``: 1, 2, 3, ... per survey, claimed atomically
with an exclusive marker file in ``.sequences/``), never by name or hash: two versions stored in
the same second keep the order in which they arrived. Files are written into a temporary folder
that is renamed into place, then made read-only (``0o440`` files in ``0o750`` folders). Nothing
here is ever overwritten or deleted; a corrected delivery of the same survey is a new version, and
the newest version (by arrival) is the one ingested.

Atomic: every file is written into the hidden temporary folder and flushed to disk (fsync), the
folder is renamed into place and its parent flushed, so a crash leaves either the whole version or
a hidden ``.tmp-*`` folder that nothing reads. ``records.parquet`` holds the checked canonical
records with ``respondent_id`` replaced by the respondent key (:mod:`sources.pseudonyms`) and
``respondent_order``; an erasure or withdrawal (``sources/surveys/erasure.py``) deletes the
export bytes (and the records) of the versions that held the rows, and stores a new version that
holds only ``records.parquet`` (no export): the canonical records without the erased rows.
"""

import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from sources.snapshots import sha256_file
from sources.surveys.ingest import IngestReport, find_export
from storage.atomic import fsync_files, move_into_place
from storage.restricted import copy_file, open_binary, restrict_file, restricted_dir, write_text

SIDECAR = "sidecar.json"
MAPPING = "mapping.yml"
RECORDS = "records.parquet"
REMOVED_NOTE = "export-removed.json"


@dataclass(frozen=True)
class StoredSurvey:
    """One accepted version of a survey in the raw area."""

    survey_id: str
    version: str
    folder: Path
    sidecar: dict

    @property
    def export(self) -> Path:
        return find_export(self.folder)

    @property
    def has_export(self) -> bool:
        try:
            find_export(self.folder)
        except ValueError:
            return False
        return True

    @property
    def records_path(self) -> Path:
        """The version's keyed canonical records (may be missing: versions stored before keys)."""
        return self.folder / RECORDS

    @property
    def withdrawn(self) -> bool:
        return bool(self.sidecar.get("withdrawn"))

    @property
    def mapping(self) -> Path:
        return self.folder / MAPPING

    @property
    def snapshot_id(self) -> str:
        """How the warehouse names this version (``raw.survey_responses._snapshot_id``)."""
        return f"{self.survey_id}/{self.version}"


def versions(root: Path, survey_id: str) -> list[StoredSurvey]:
    """Every stored version of a survey, oldest first."""
    folder = root / survey_id
    if not folder.is_dir():
        return []
    out = []
    for version in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        sidecar_path = version / SIDECAR
        if sidecar_path.exists():
            sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
            out.append(StoredSurvey(survey_id, version.name, version, sidecar))
    return sorted(out, key=_arrival)


def _arrival(stored: StoredSurvey) -> tuple[int, str]:
    """Arrival order: the sequence number (versions stored before sequences existed: 0, by time)."""
    sequence = stored.sidecar.get("sequence")
    return (sequence if isinstance(sequence, int) else 0, str(stored.sidecar.get("received_at", "")))


def claim_sequence(root: Path, survey_id: str) -> int:
    """The next arrival number of a survey, claimed with an exclusive marker file
    ``<root>/.sequences/<survey_id>/<n>`` (two processes storing at once get different numbers)."""
    folder = restricted_dir(root / ".sequences" / survey_id, top=root / ".sequences")
    taken = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
    number = max(taken, default=0) + 1
    while True:
        try:
            os.close(os.open(folder / str(number), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640))
            return number
        except FileExistsError:
            number += 1


def newest(root: Path, survey_id: str) -> StoredSurvey | None:
    found = versions(root, survey_id)
    return found[-1] if found else None


def survey_ids(root: Path) -> list[str]:
    """Surveys with at least one stored version."""
    if not root.is_dir():
        return []
    folders = (p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    return sorted(p.name for p in folders if versions(root, p.name))


def publish_folder(tmp: Path, final: Path) -> None:
    """Make ``tmp``'s files read-only, flush them, and rename the folder to ``final`` (atomic)."""
    for path in tmp.iterdir():
        _read_only(path)
    fsync_files(tmp)
    move_into_place(tmp, final)  # storage/atomic.py: the folder synced, renamed, its parent synced


def write_parquet(path: Path, records: pd.DataFrame) -> Path:
    """Write keyed canonical records (restricted: created ``0o640``)."""
    with open_binary(path) as handle:
        records.to_parquet(handle, index=False)
    return restrict_file(path)


def removed_export_shas(root: Path) -> dict[str, str]:
    """sha256 of every export whose bytes were deleted by a withdrawal or erasure -> why (from the
    versions' ``export-removed.json``): the deny list of exports that may not come back."""
    out: dict[str, str] = {}
    if not root.is_dir():
        return out
    for note in root.glob(f"*/*/{REMOVED_NOTE}"):
        try:
            doc = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if doc.get("export_sha256"):
            out[str(doc["export_sha256"])] = str(doc.get("reason", "removed"))
    return out


def find_same(root: Path, survey_id: str, export_sha: str, mapping_sha: str) -> StoredSurvey | None:
    """A stored version with exactly this export and mapping, if any."""
    for stored in versions(root, survey_id):
        if stored.sidecar.get("export_sha256") == export_sha and stored.sidecar.get("mapping_sha256") == mapping_sha:
            return stored
    return None


def _read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)


def store_accepted(
    root: Path,
    export_path: Path,
    mapping_path: Path,
    report: IngestReport,
    received_at: datetime,
    export_sha: str,
    mapping_sha: str,
    extra: dict | None = None,
    records: pd.DataFrame | None = None,
) -> StoredSurvey:
    """Copy an accepted export and its mapping into a new, read-only version folder, with its keyed
    canonical ``records`` when given. ``extra``: more sidecar fields (e.g. why a version replaces
    another, sources/surveys/erasure.py)."""
    survey_id = str(report.survey_id)
    version = f"{received_at.strftime('%Y%m%dT%H%M%SZ')}-{export_sha[:8]}"
    suffix = 1
    while (root / survey_id / version).exists():  # same second, same export, another mapping
        suffix += 1
        version = f"{received_at.strftime('%Y%m%dT%H%M%SZ')}-{export_sha[:8]}-{suffix}"
    final = root / survey_id / version
    tmp = root / survey_id / f".tmp-{version}-{os.getpid()}"
    restricted_dir(root / survey_id, top=root.parent)
    restricted_dir(tmp)
    export_copy = tmp / f"export{export_path.suffix.lower()}"
    copy_file(export_path, export_copy)
    copy_file(mapping_path, tmp / MAPPING)
    if sha256_file(export_copy) != export_sha or sha256_file(tmp / MAPPING) != mapping_sha:
        raise OSError(f"{export_path!r}: the file changed while it was being copied; try again")
    if records is not None:
        write_parquet(tmp / RECORDS, records)
    sidecar = {
        "survey_id": survey_id,
        "version": version,
        "sequence": claim_sequence(root, survey_id),
        "received_at": received_at.isoformat(),
        "original_export_name": export_path.name,
        "original_mapping_name": mapping_path.name,
        "export_sha256": export_sha,
        "mapping_sha256": mapping_sha,
        "format": report.format,
        "detected": report.detected,
        "rows_read": report.rows_read,
        "rows_rejected": report.rows_rejected,
        "policy": report.policy,
        **(extra or {}),
    }
    write_text(tmp / SIDECAR, json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    write_text(tmp / "report.json", report.to_json())
    write_text(tmp / "report.txt", report.to_text(restricted=True))
    publish_folder(tmp, final)
    return StoredSurvey(survey_id, version, final, sidecar)


def store_records_version(
    root: Path, survey_id: str, mapping_path: Path, records: pd.DataFrame | None, when: datetime, extra: dict
) -> StoredSurvey:
    """A version without an export: the keyed canonical ``records`` (None: no rows at all, e.g. a
    withdrawal) with the mapping and a sidecar saying why (``extra``)."""
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    tag = "withdrawn" if records is None else "records"
    version = f"{stamp}-{tag}"
    suffix = 1
    while (root / survey_id / version).exists():
        suffix += 1
        version = f"{stamp}-{tag}-{suffix}"
    tmp = restricted_dir(root / survey_id / f".tmp-{version}-{os.getpid()}", top=root / survey_id)
    copy_file(mapping_path, tmp / MAPPING)
    sidecar = {
        "survey_id": survey_id,
        "version": version,
        "sequence": claim_sequence(root, survey_id),  # after every stored version, whatever the clock says
        "received_at": when.isoformat(),
        "mapping_sha256": sha256_file(tmp / MAPPING),
        **extra,
    }
    if records is not None:
        write_parquet(tmp / RECORDS, records)
        sidecar["rows_read"] = len(records)
    write_text(tmp / SIDECAR, json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    publish_folder(tmp, root / survey_id / version)
    return StoredSurvey(survey_id, version, root / survey_id / version, sidecar)


def version_records(stored: StoredSurvey, secret: bytes) -> pd.DataFrame | None:
    """The keyed canonical records of a stored version: its ``records.parquet``, else its export
    checked again and keyed (versions stored before keys existed); None when it holds neither."""
    from sources.surveys.ingest import check_export
    from sources.surveys.records import pseudonymise

    if stored.records_path.exists():
        return pd.read_parquet(stored.records_path)
    if not stored.has_export:
        return None
    checked = check_export(stored.export, stored.mapping)
    return None if checked.records is None else pseudonymise(checked.records, secret)


def current(root: Path, survey_id: str) -> StoredSurvey | None:
    """The current version of a survey: the newest by arrival (operator decisions included)."""
    return newest(root, survey_id)
