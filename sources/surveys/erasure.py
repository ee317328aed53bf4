"""Withdrawal of a survey and erasure of one respondent (spec section 10), with an audit log.

    python -m sources.surveys withdraw SURVEY_ID --requested-by WHO [--reference CASE]
    python -m sources.surveys erase SURVEY_ID RESPONDENT_ID --requested-by WHO [--reference CASE]

What a command does:

1. **The audit log** (``Paths.audit_log``, ``<raw>/audit/erasures.jsonl``, JSON lines,
   append-only, folder 0o750 / file 0o640) gets one record: when, who asked, which survey (and
   respondent key), what happened to the raw files. Never an answer.
2. **The pipeline leaves the rows out of every later computation**: ``raw/survey_responses``
   drops every row the log names (``apply_exclusions``), whichever folder the survey came from, and
   ``raw/survey_export`` keeps no such row in the checked records (``Paths.survey_records``).
3. **The raw export that held the rows is replaced** (surveys delivered through the inbox, in the
   raw survey area): erasure stores a new version of the survey, a copy of the newest export
   without the respondent's rows (checked against the mapping like any delivery), with a sidecar
   that says why (``superseded_reason``, ``supersedes``); withdrawal stores a version without an
   export (sidecar ``withdrawn: true``). The export files of the older versions that held the rows
   -- and the inbox originals of them kept in ``received/`` -- are then deleted, each replaced by
   ``export-removed.json`` saying when and why, and the checked canonical records kept of those
   versions (``raw/records``, sources/surveys/records.py) are deleted: the next run checks the new
   version afresh. Nothing else is deleted. A survey that lives in the
   inputs directory is not rewritten (the inputs are read-only to the pipeline); the command says
   so, and the data controller replaces that file.
4. **It says what the next release will do** (spec section 5b, method 1.2): for each published
   cell the rows belonged to, the smallest atom of its published versions and its footprint
   without the rows, and so whether the row last published will be held (REVISION_HELD: an atom
   of fewer than 10 respondents) or recomputed.

A withdrawn survey id stays withdrawn: deliver new answers under a new survey_id.
"""

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from sources import revisions
from sources.paths import Paths
from sources.restricted import copy_file, restricted_dir, write_text
from sources.snapshots import sha256_file
from sources.surveys import store
from sources.surveys.encoding import detect_delimiter, detect_encoding, first_record
from sources.surveys.ingest import check_export, find_export
from sources.surveys.mapping import Mapping, load_mapping

LOG_DIR_MODE = 0o750
LOG_FILE_MODE = 0o640
REMOVED_NOTE = "export-removed.json"


class ErasureError(ValueError):
    """The request cannot be carried out (unknown survey or respondent, already done, ...)."""


@dataclass
class Outcome:
    """What a withdrawal or erasure did, for the audit record and the operator's message."""

    action: str
    survey_id: str
    respondent_id: str | None
    rows_removed: int = 0
    new_version: str | None = None
    exports_removed: list[str] = field(default_factory=list)
    originals_removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- the audit log --------------------------------------------------------------------------------
def read_log(path: Path) -> list[dict]:
    """Every record of the audit log, oldest first (an empty list when there is none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def append_record(path: Path, record: dict) -> None:
    """Append one JSON line and flush it to disk; the log is never rewritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(LOG_DIR_MODE)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_FILE_MODE)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.chmod(LOG_FILE_MODE)


def exclusions(records: list[dict]) -> tuple[set[str], set[tuple[str, str]]]:
    """(withdrawn survey ids, erased (survey_id, respondent_id) pairs) named by the audit log."""
    withdrawn = {r["survey_id"] for r in records if r.get("action") == "withdraw"}
    erased = {(r["survey_id"], r["respondent_id"]) for r in records if r.get("action") == "erase"}
    return withdrawn, erased


def apply_exclusions(frame: pd.DataFrame, records: list[dict]) -> tuple[pd.DataFrame, int]:
    """The canonical records without the withdrawn surveys and erased respondents; rows dropped."""
    withdrawn, erased = exclusions(records)
    if frame.empty or not (withdrawn or erased):
        return frame, 0
    survey = frame["survey_id"].astype(str)
    keys = pd.Series(list(zip(survey, frame["respondent_id"].astype(str), strict=True)), index=frame.index)
    drop = survey.isin(withdrawn) | keys.isin(erased)
    return frame.loc[~drop].reset_index(drop=True), int(drop.sum())


# --- rewriting an export without some rows --------------------------------------------------------
def _delimited_without(path: Path, mapping: Mapping, respondent_id: str) -> tuple[bytes, int]:
    data = path.read_bytes()
    encoding = mapping.export.encoding or detect_encoding(data)
    text = data.decode(encoding)
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    delimiter = mapping.export.delimiter or (";" if mapping.format == "nettskjema_csv" else None)
    delimiter = delimiter or detect_delimiter(first_record(body))
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    header, records = rows[0], rows[1:]
    column = header.index(mapping.respondent_id.column)
    kept = [r for r in records if not (len(r) > column and r[column].strip() == respondent_id)]
    out = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if body.startswith('"') else csv.QUOTE_MINIMAL
    newline = "\r\n" if "\r\n" in body[:65536] else "\n"
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerows([header, *kept])
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding), len(records) - len(kept)


def _xlsx_without(path: Path, mapping: Mapping, respondent_id: str) -> tuple[bytes, int]:
    from openpyxl import load_workbook

    from sources.surveys.xlsx import cell_text

    book = load_workbook(path)
    sheet = book[mapping.export.sheet] if mapping.export.sheet else book.worksheets[0]
    header = [cell_text(c.value) for c in sheet[1]]
    column = header.index(mapping.respondent_id.column) + 1
    doomed = [
        row for row in range(2, sheet.max_row + 1) if cell_text(sheet.cell(row, column).value).strip() == respondent_id
    ]
    for row in reversed(doomed):
        sheet.delete_rows(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(doomed)


def export_without(path: Path, mapping: Mapping, respondent_id: str) -> tuple[bytes, int]:
    """The export's bytes without the rows of one respondent, and how many rows were removed."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_without(path, mapping, respondent_id)
    return _delimited_without(path, mapping, respondent_id)


# --- the raw survey area --------------------------------------------------------------------------
def _remove_export(version: store.StoredSurvey, reason: str, when: datetime, replaced_by: str | None) -> str | None:
    """Delete a version's export bytes, leaving a note that says why. Returns the removed file."""
    try:
        export = find_export(version.folder)
    except ValueError:
        return None  # already removed
    note = {
        "export_removed_at": when.isoformat(),
        "reason": reason,
        "export_sha256": version.sidecar.get("export_sha256"),
        "replaced_by_version": replaced_by,
    }
    export.unlink()
    note_path = version.folder / REMOVED_NOTE
    note_path.write_text(json.dumps(note, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    note_path.chmod(0o440)
    return str(export)


def _remove_records(paths: Paths, versions: list[store.StoredSurvey]) -> None:
    """Delete the checked canonical records kept of these versions (sources/surveys/records.py)."""
    for version in versions:
        folder = paths.survey_records / version.survey_id
        for path in (folder / f"{version.version}.parquet", folder / f"{version.version}.provenance.json"):
            path.unlink(missing_ok=True)


def _remove_originals(paths: Paths, shas: set[str], reason: str, when: datetime) -> list[str]:
    """Delete the inbox originals in ``received/`` whose bytes are one of ``shas``."""
    removed = []
    received = paths.received
    if not received.is_dir():
        return removed
    for path in sorted(p for p in received.rglob("*") if p.is_file() and p.name != REMOVED_NOTE):
        if sha256_file(path) in shas:
            path.unlink()
            note = path.with_name(f"{path.name}.{REMOVED_NOTE}")
            note.write_text(
                json.dumps({"removed_at": when.isoformat(), "reason": reason}, sort_keys=True) + "\n", encoding="utf-8"
            )
            removed.append(str(path))
    return removed


def _holds(version: store.StoredSurvey, mapping: Mapping, respondent_id: str) -> bool:
    try:
        export = find_export(version.folder)
    except ValueError:
        return False
    return export_without(export, mapping, respondent_id)[1] > 0


def _store_withdrawn_marker(raw_surveys: Path, newest: store.StoredSurvey, when: datetime, reason: str) -> str:
    version = f"{when.strftime('%Y%m%dT%H%M%SZ')}-withdrawn"
    tmp = restricted_dir(raw_surveys / newest.survey_id / f".tmp-{version}-{os.getpid()}")
    copy_file(newest.mapping, tmp / store.MAPPING)
    sidecar = {
        "survey_id": newest.survey_id,
        "version": version,
        # after every stored version, whatever the clock says (versions are ordered by arrival)
        "sequence": store.claim_sequence(raw_surveys, newest.survey_id),
        "received_at": when.isoformat(),
        "withdrawn": True,
        "superseded_reason": reason,
        "supersedes": newest.version,
        "mapping_sha256": sha256_file(tmp / store.MAPPING),
    }
    write_text(tmp / store.SIDECAR, json.dumps(sidecar, indent=2) + "\n")
    for path in tmp.iterdir():
        path.chmod(0o440)
    tmp.rename(raw_surveys / newest.survey_id / version)
    return version


def _inputs_folder(surveys_root: Path, survey_id: str) -> Path | None:
    """The inputs-directory folder whose mapping declares ``survey_id``, if any."""
    if not surveys_root.is_dir():
        return None
    for folder in sorted(p for p in surveys_root.iterdir() if p.is_dir()):
        mapping = folder / "mapping.yml"
        if mapping.exists() and load_mapping(mapping).survey_id == survey_id:
            return folder
    return None


def withdraw(survey_id: str, paths: Paths, when: datetime | None = None) -> Outcome:
    """Withdraw a survey: every later build leaves all its rows out; its raw exports are removed."""
    when = when or datetime.now(UTC)
    outcome = Outcome("withdraw", survey_id, None)
    withdrawn, _ = exclusions(read_log(paths.audit_log))
    if survey_id in withdrawn:
        raise ErasureError(f"survey {survey_id!r} is already withdrawn (see {paths.audit_log})")
    raw_surveys, inputs_surveys = paths.raw_surveys, paths.surveys
    found = store.versions(raw_surveys, survey_id)
    folder = _inputs_folder(inputs_surveys, survey_id)
    if not found and folder is None:
        raise ErasureError(f"survey {survey_id!r}: not in {raw_surveys} nor in {inputs_surveys}")
    reason = f"withdrawal of survey {survey_id} ({when.isoformat()})"
    if found:
        outcome.new_version = _store_withdrawn_marker(raw_surveys, found[-1], when, reason)
        shas = {str(v.sidecar.get("export_sha256")) for v in found}
        for version in found:
            removed = _remove_export(version, reason, when, outcome.new_version)
            if removed:
                outcome.exports_removed.append(removed)
        _remove_records(paths, found)
        outcome.originals_removed = _remove_originals(paths, shas, reason, when)
    if folder is not None:
        outcome.notes.append(
            f"{folder} is in the inputs directory, which the pipeline does not rewrite: its rows are left out "
            "of every build from now on; the data controller should remove that folder"
        )
    return outcome


def erase(survey_id: str, respondent_id: str, paths: Paths, when: datetime | None = None) -> Outcome:
    """Erase one respondent: later builds leave the rows out; the raw export is replaced by a copy without them."""
    when = when or datetime.now(UTC)
    respondent_id = respondent_id.strip()
    outcome = Outcome("erase", survey_id, respondent_id)
    withdrawn, erased = exclusions(read_log(paths.audit_log))
    if survey_id in withdrawn:
        raise ErasureError(f"survey {survey_id!r} is withdrawn: none of its rows is used any more")
    if (survey_id, respondent_id) in erased:
        raise ErasureError(f"respondent {respondent_id!r} of survey {survey_id!r} is already erased")
    raw_surveys, inputs_surveys = paths.raw_surveys, paths.surveys
    found = store.versions(raw_surveys, survey_id)
    folder = _inputs_folder(inputs_surveys, survey_id)
    if not found and folder is None:
        raise ErasureError(f"survey {survey_id!r}: not in {raw_surveys} nor in {inputs_surveys}")
    reason = f"erasure of one respondent of survey {survey_id} ({when.isoformat()})"
    if found:
        newest = found[-1]
        if newest.sidecar.get("withdrawn"):
            raise ErasureError(f"survey {survey_id!r} is withdrawn: none of its rows is used any more")
        mapping = load_mapping(newest.mapping)
        holders = [v for v in found if _holds(v, mapping, respondent_id)]
        if not holders:
            raise ErasureError(f"survey {survey_id!r}: no stored export holds respondent id {respondent_id!r}")
        outcome.new_version, outcome.rows_removed = _store_copy_without(
            raw_surveys, newest, mapping, respondent_id, when, reason
        )
        shas = {str(v.sidecar.get("export_sha256")) for v in holders}
        for version in holders:
            removed = _remove_export(version, reason, when, outcome.new_version)
            if removed:
                outcome.exports_removed.append(removed)
        _remove_records(paths, holders)
        outcome.originals_removed = _remove_originals(paths, shas, reason, when)
    if folder is not None:
        mapping = load_mapping(folder / "mapping.yml")
        outcome.rows_removed += export_without(find_export(folder), mapping, respondent_id)[1]
        outcome.notes.append(
            f"{folder} is in the inputs directory, which the pipeline does not rewrite: the respondent's rows are "
            "left out of every build from now on; the data controller should replace that export with a copy "
            "without them"
        )
    if outcome.rows_removed == 0:
        raise ErasureError(f"survey {survey_id!r}: no row with respondent id {respondent_id!r}")
    return outcome


def _store_copy_without(
    raw_surveys: Path, newest: store.StoredSurvey, mapping: Mapping, respondent_id: str, when: datetime, reason: str
) -> tuple[str, int]:
    """A new version of the survey: the newest export without the respondent's rows."""
    data, removed = export_without(newest.export, mapping, respondent_id)
    if removed == 0:  # only older versions held the respondent: the newest is already clean
        return newest.version, 0
    with tempfile.TemporaryDirectory(dir=raw_surveys) as scratch:
        copy = Path(scratch) / f"export{newest.export.suffix.lower()}"
        copy.write_bytes(data)
        checked = check_export(copy, newest.mapping, mapping=mapping)
        if checked.report.rows_read == 0:
            return _store_withdrawn_marker(raw_surveys, newest, when, reason), removed
        if not checked.report.accepted:
            raise ErasureError(
                f"{newest.export}: the copy without respondent {respondent_id!r} no longer passes its checks"
            )
        stored = store.store_accepted(
            raw_surveys,
            copy,
            newest.mapping,
            checked.report,
            when,
            sha256_file(copy),
            sha256_file(newest.mapping),
            extra={
                "superseded_reason": reason,
                "supersedes": newest.version,
                "original_export_name": newest.sidecar.get("original_export_name"),
            },
        )
    return stored.version, removed


# --- the record and the message -------------------------------------------------------------------
def audit_record(outcome: Outcome, requested_by: str, reference: str | None, when: datetime) -> dict:
    """The audit log line: who asked, when, which keys, what was done to the raw files. No answers."""
    return {
        "at": when.isoformat(),
        "action": outcome.action,
        "survey_id": outcome.survey_id,
        "respondent_id": outcome.respondent_id,
        "requested_by": requested_by,
        "reference": reference,
        "rows_removed": outcome.rows_removed,
        "raw_new_version": outcome.new_version,
        "raw_exports_removed": outcome.exports_removed,
        "raw_originals_removed": outcome.originals_removed,
        "notes": outcome.notes,
    }


def next_release_preview(paths: Paths, survey_id: str, respondent_id: str | None) -> list[str]:
    """What the next release will do with the published cells the removed rows belonged to (spec
    5b, method 1.2): the atoms of the cell's published versions (the revision store) and of its
    footprint without the removed rows (the warehouse's last candidate, ``raw.survey_footprints``),
    by the rule of ``method/atoms.py``."""
    from method import load_parameters
    from method.atoms import smallest_atom

    try:
        version = revisions.current_version(paths.revisions)
    except revisions.RevisionStoreError as exc:
        return [f"cannot read the revision store: {exc}"]
    if version is None:
        return ["no release has been published from this output directory yet: nothing to hold"]
    if version.legacy:
        return ["the revision store has the method 1.1 layout: the next run carries it into 1.2 and decides"]
    warehouse = paths.warehouse
    if not warehouse.exists():
        return [f"the warehouse {warehouse} is missing: run the pipeline to see which cells will be held"]
    footprints = str(version.folder / revisions.FOOTPRINTS).replace("'", "''")
    removed = "survey_id = $survey" + ("" if respondent_id is None else " and respondent_id = $respondent")
    params = {"survey": survey_id} | ({} if respondent_id is None else {"respondent": respondent_id})
    cells = "year, sector_code, component_id"
    try:
        with duckdb.connect() as con:
            con.execute(f"attach '{str(warehouse).replace(chr(39), chr(39) * 2)}' as current (read_only)")
            con.execute(
                f"create temp table touched as select distinct {cells} from read_parquet('{footprints}') "
                f"where {removed}",
                params,
            )
            published = con.execute(
                f"select {cells}, survey_id, respondent_id, element_digest, versions "
                f"from read_parquet('{footprints}') semi join touched using ({cells})"
            ).fetchall()
            candidate = con.execute(
                f"select {cells}, survey_id, respondent_id, element_digest from current.raw.survey_footprints "
                f"semi join touched using ({cells}) where not ({removed})",
                params,
            ).fetchall()
    except duckdb.Error as exc:
        return [f"cannot compare with the warehouse now ({type(exc).__name__}); the next run will decide"]
    if not published:
        return ["the rows were in no published cell: no published value changes because of them"]
    versions: dict[tuple, dict[int, set]] = {}
    for year, sector, component, survey, respondent, digest, numbers in published:
        for number in numbers:
            versions.setdefault((year, sector, component), {}).setdefault(number, set()).add(
                ((survey, respondent), digest)
            )
    fresh: dict[tuple, set] = {}
    for year, sector, component, survey, respondent, digest in candidate:
        fresh.setdefault((year, sector, component), set()).add(((survey, respondent), digest))
    atom_min = load_parameters("1.2").integer("revision_atom_min")
    lines = []
    for cell in sorted(versions):
        numbered = versions[cell]
        smallest = smallest_atom([numbered[k] for k in sorted(numbered)], fresh.get(cell, set()), lambda e: e[0])
        if smallest is not None and smallest < atom_min:
            what = "keeps the row last published (REVISION_HELD), unless the fresh value is suppressed"
        else:
            what = f"is recomputed (every atom has {atom_min} or more respondents)"
        year, sector, component = cell
        lines.append(f"{year} {sector} {component}: smallest atom {smallest} respondent(s) -> {what}")
    return lines
