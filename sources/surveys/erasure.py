"""Withdrawal of a survey and erasure of one respondent (spec section 10), with an audit log.

    python -m sources.surveys withdraw SURVEY_ID --requested-by WHO [--reference CASE]
    python -m sources.surveys erase SURVEY_ID RESPONDENT_ID --requested-by WHO [--reference CASE]

``RESPONDENT_ID`` is the survey tool's id the person quotes (e.g. a Nettskjema submission id);
the command computes its respondent key (:func:`sources.pseudonyms.respondent_key`) and works on
the key only: the audit log, the canonical records and the warehouse never hold the tool's id.

What a command does:

1. **The audit log** (``Paths.audit_log``, :mod:`sources.surveys.erasure_log`) gets one record:
   when, who asked, which survey (and respondent KEY), what happened to the raw files. Never an
   answer, never the tool's id.
2. **The pipeline leaves the rows out of every later computation**: ``raw/survey_responses``
   drops every row the log names (``apply_exclusions``), whichever folder the survey came from, and
   ``raw/survey_export`` keeps no such row in the checked records (``Paths.survey_records``).
3. **The raw survey area works on the canonical records, for every export format** (surveys
   delivered through the inbox): erasure stores a new version of the survey that holds only the
   keyed canonical records of the current version without the respondent's rows
   (``records.parquet``, restricted; no export), with a sidecar that says why
   (``superseded_reason``, ``supersedes``); withdrawal stores a version without any rows (sidecar
   ``withdrawn: true``). The export bytes and records of the older versions that held the rows --
   and the inbox originals of them kept in ``received/`` -- are then deleted, each export replaced
   by ``export-removed.json`` saying when, why and which sha256 it had, and the checked canonical
   records kept of those versions (``raw/records``) are deleted. Nothing else is deleted. A survey
   that lives in the inputs directory is not rewritten (the inputs are read-only to the pipeline);
   the command says so, and the data controller replaces that file.
4. **The deny list**: the log's erased keys and withdrawn survey ids and the removed exports'
   sha256s make the inbox quarantine a later delivery that brings an erased respondent, a
   withdrawn survey or a removed export back (``sources/surveys/inbox.py``).
5. **It says what the next release will do** (spec section 5b, method 1.2): for each published
   cell the rows belonged to, the smallest atom of its published versions and its footprint
   without the rows, and so whether the row last published will be held (REVISION_HELD: an atom
   of fewer than 10 respondents) or recomputed.

A withdrawn survey id stays withdrawn: deliver new answers under a new survey_id.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from revisions import store as revisions
from sources.pseudonyms import is_respondent_key, load_or_create_secret, respondent_key
from sources.snapshots import sha256_file
from sources.surveys import store
from sources.surveys.erasure_log import append_record, apply_exclusions, exclusions, read_log
from sources.surveys.ingest import check_export, find_export
from sources.surveys.mapping import load_mapping
from sources.surveys.records import content_digest, pseudonymise, without_keys
from sources.surveys.store import REMOVED_NOTE
from storage.paths import Paths

__all__ = [
    "ErasureError",
    "Outcome",
    "append_record",
    "apply_exclusions",
    "audit_record",
    "erase",
    "exclusions",
    "next_release_preview",
    "read_log",
    "withdraw",
]


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
    export_sha256s: list[str] = field(default_factory=list)


# --- the audit log: sources/surveys/erasure_log.py ----------------------------------------------


# --- the raw survey area --------------------------------------------------------------------------
def _remove_export(version: store.StoredSurvey, reason: str, when: datetime, replaced_by: str | None) -> str | None:
    """Delete a version's export bytes and keyed records, leaving a note that says why. Returns the
    removed export (None when it had none left)."""
    version.records_path.unlink(missing_ok=True)
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
    for path in sorted(p for p in received.rglob("*") if p.is_file() and not p.name.endswith(REMOVED_NOTE)):
        if sha256_file(path) in shas:
            path.unlink()
            note = path.with_name(f"{path.name}.{REMOVED_NOTE}")
            note.write_text(
                json.dumps({"removed_at": when.isoformat(), "reason": reason}, sort_keys=True) + "\n", encoding="utf-8"
            )
            removed.append(str(path))
    return removed


def _store_withdrawn_marker(raw_surveys: Path, newest: store.StoredSurvey, when: datetime, reason: str) -> str:
    extra = {"withdrawn": True, "superseded_reason": reason, "supersedes": newest.version}
    return store.store_records_version(raw_surveys, newest.survey_id, newest.mapping, None, when, extra).version


def _inputs_folder(surveys_root: Path, survey_id: str) -> Path | None:
    """The inputs-directory folder whose mapping declares ``survey_id``, if any."""
    if not surveys_root.is_dir():
        return None
    for folder in sorted(p for p in surveys_root.iterdir() if p.is_dir()):
        mapping = folder / "mapping.yml"
        if mapping.exists() and load_mapping(mapping).survey_id == survey_id:
            return folder
    return None


def _key_of(paths: Paths, quoted: str) -> str:
    """The respondent key of the id a person quotes (a key given as such is taken as it is)."""
    quoted = quoted.strip()
    if is_respondent_key(quoted):
        return quoted
    return respondent_key(load_or_create_secret(paths.pseudonym_secret), quoted)


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
        shas = {str(v.sidecar.get("export_sha256")) for v in found if v.sidecar.get("export_sha256")}
        for version in found:
            removed = _remove_export(version, reason, when, outcome.new_version)
            if removed:
                outcome.exports_removed.append(removed)
        _remove_records(paths, found)
        outcome.originals_removed = _remove_originals(paths, shas, reason, when)
        outcome.export_sha256s = sorted(shas)
    if folder is not None:
        outcome.notes.append(
            f"{folder} is in the inputs directory, which the pipeline does not rewrite: its rows are left out "
            "of every build from now on; the data controller should remove that folder"
        )
    return outcome


def erase(survey_id: str, respondent_id: str, paths: Paths, when: datetime | None = None) -> Outcome:
    """Erase one respondent (``respondent_id``: the tool's id as quoted, or its key): later builds
    leave the rows out; the raw area keeps the canonical records without them, and no export that
    held them."""
    when = when or datetime.now(UTC)
    key = _key_of(paths, respondent_id)
    outcome = Outcome("erase", survey_id, key)
    withdrawn, erased = exclusions(read_log(paths.audit_log))
    if survey_id in withdrawn:
        raise ErasureError(f"survey {survey_id!r} is withdrawn: none of its rows is used any more")
    if (survey_id, key) in erased:
        raise ErasureError(f"this respondent of survey {survey_id!r} is already erased (key {key})")
    raw_surveys, inputs_surveys = paths.raw_surveys, paths.surveys
    found = store.versions(raw_surveys, survey_id)
    folder = _inputs_folder(inputs_surveys, survey_id)
    if not found and folder is None:
        raise ErasureError(f"survey {survey_id!r}: not in {raw_surveys} nor in {inputs_surveys}")
    reason = f"erasure of one respondent of survey {survey_id} ({when.isoformat()})"
    if found:
        newest = found[-1]
        if newest.withdrawn:
            raise ErasureError(f"survey {survey_id!r} is withdrawn: none of its rows is used any more")
        secret = load_or_create_secret(paths.pseudonym_secret)
        held = {v.version: store.version_records(v, secret) for v in found}
        holders = [v for v in found if held[v.version] is not None and key in set(held[v.version]["respondent_id"])]
        if not holders:
            raise ErasureError(f"survey {survey_id!r}: no stored export holds this respondent (key {key})")
        current = held[newest.version]
        if current is not None and key in set(current["respondent_id"]):
            outcome.rows_removed = int((current["respondent_id"] == key).sum())
            kept = without_keys(current, {key})
            extra = {
                "superseded_reason": reason,
                "supersedes": newest.version,
                "original_export_name": newest.sidecar.get("original_export_name"),
                "detected": newest.sidecar.get("detected"),
                "records_sha256": content_digest(kept),
            }
            if kept.empty:
                outcome.new_version = _store_withdrawn_marker(raw_surveys, newest, when, reason)
            else:
                stored = store.store_records_version(raw_surveys, survey_id, newest.mapping, kept, when, extra)
                outcome.new_version = stored.version
        else:
            outcome.new_version = newest.version  # only older versions held the respondent
        shas = {str(v.sidecar.get("export_sha256")) for v in holders if v.sidecar.get("export_sha256")}
        for version in holders:
            removed = _remove_export(version, reason, when, outcome.new_version)
            if removed:
                outcome.exports_removed.append(removed)
        _remove_records(paths, holders)
        outcome.originals_removed = _remove_originals(paths, shas, reason, when)
        outcome.export_sha256s = sorted(shas)
    if folder is not None:
        checked = check_export(find_export(folder), folder / "mapping.yml")
        if checked.records is not None:
            keyed = pseudonymise(checked.records, load_or_create_secret(paths.pseudonym_secret))
            outcome.rows_removed += int((keyed["respondent_id"] == key).sum())
        outcome.notes.append(
            f"{folder} is in the inputs directory, which the pipeline does not rewrite: the respondent's rows are "
            "left out of every build from now on; the data controller should replace that export with a copy "
            "without them"
        )
    if outcome.rows_removed == 0:
        raise ErasureError(f"survey {survey_id!r}: no row of this respondent (key {key})")
    return outcome


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
        "raw_export_sha256s_removed": outcome.export_sha256s,
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
