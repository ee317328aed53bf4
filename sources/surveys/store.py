"""The raw survey area: accepted exports, stored immutably, one folder per survey and version.

Layout (``Paths.raw_surveys``, default ``$RBI_OUTPUT_DIR/raw/surveys``)::

    <survey_id>/<received>-<sha8>/export.<csv|tsv|txt|xlsx>   the export, byte for byte
                                  mapping.yml                 the mapping, byte for byte
                                  sidecar.json                original names, sha256s, received time
                                  report.json, report.txt     the validation report at acceptance

``<received>`` is the UTC time of acceptance (``20261125T081500Z``), so the newest version of a
survey sorts last. Files are written into a temporary folder that is renamed into place, then
made read-only. Nothing here is ever overwritten or deleted; a corrected delivery of the same
survey is a new version, and the newest version is the one ingested.
"""

import json
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sources.snapshots import sha256_file
from sources.surveys.ingest import IngestReport, find_export

SIDECAR = "sidecar.json"
MAPPING = "mapping.yml"


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
    return out


def newest(root: Path, survey_id: str) -> StoredSurvey | None:
    found = versions(root, survey_id)
    return found[-1] if found else None


def survey_ids(root: Path) -> list[str]:
    """Surveys with at least one stored version."""
    if not root.is_dir():
        return []
    folders = (p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    return sorted(p.name for p in folders if versions(root, p.name))


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
) -> StoredSurvey:
    """Copy an accepted export and its mapping into a new, read-only version folder. ``extra``:
    more sidecar fields (e.g. why a version replaces another, sources/surveys/erasure.py)."""
    survey_id = str(report.survey_id)
    version = f"{received_at.strftime('%Y%m%dT%H%M%SZ')}-{export_sha[:8]}"
    suffix = 1
    while (root / survey_id / version).exists():  # same second, same export, another mapping
        suffix += 1
        version = f"{received_at.strftime('%Y%m%dT%H%M%SZ')}-{export_sha[:8]}-{suffix}"
    final = root / survey_id / version
    tmp = root / survey_id / f".tmp-{version}-{os.getpid()}"
    tmp.mkdir(parents=True)
    export_copy = tmp / f"export{export_path.suffix.lower()}"
    shutil.copyfile(export_path, export_copy)
    shutil.copyfile(mapping_path, tmp / MAPPING)
    if sha256_file(export_copy) != export_sha or sha256_file(tmp / MAPPING) != mapping_sha:
        raise OSError(f"{export_path}: the file changed while it was being copied; try again")
    sidecar = {
        "survey_id": survey_id,
        "version": version,
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
    (tmp / SIDECAR).write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp / "report.json").write_text(report.to_json(), encoding="utf-8")
    (tmp / "report.txt").write_text(report.to_text(), encoding="utf-8")
    for path in tmp.iterdir():
        _read_only(path)
    tmp.rename(final)
    return StoredSurvey(survey_id, version, final, sidecar)
