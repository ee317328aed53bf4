"""The survey inbox: a user drops an export and its mapping file; each delivery is checked,
then stored in the raw survey area or quarantined. Nothing is ever deleted.

A *delivery* in the inbox (``Paths.inbox``) is either

- a folder ``<name>/`` holding one mapping (``mapping.yml``/``.yaml``, or the only ``*.yml``) and
  one export (``export.<ext>``, or the only ``.csv``/``.tsv``/``.txt``/``.xlsx``), or
- two files side by side with the same stem: ``<name>.<csv|tsv|txt|xlsx>`` and ``<name>.yml``.

A delivery is processed once no file of it changed for ``min_age_seconds`` (the *settle time*,
5 s by default: it may still be copying) **and** its files are unchanged (size, mtime_ns, sha256)
between two looks the settle time apart; until then it is reported as ``waiting``. An export
without a mapping (or the reverse) waits too. A sender may add ``<export>.sha256`` (must match)
or a ``READY`` marker (see docs/survey-delivery.md). Complete deliveries are taken in arrival
order (:func:`arrival_key`), each **as a transaction**: checked with
:func:`sources.surveys.ingest.check_export`, keyed (:func:`sources.surveys.records.pseudonymise`),
compared with the survey's current version and the deny list, then

- **accepted**: stored atomically into ``raw/surveys/<survey_id>/<version>/`` with its keyed
  canonical records (see ``sources.surveys.store``) and the originals moved to
  ``raw/received/<stamp>-<name>/``;
- **repeated** (the same export and mapping as a stored version): nothing new is stored, the
  originals move to ``raw/received/`` and no run is needed;
- **held** (a re-delivery that removes or changes respondents or brings older responses,
  ``sources.surveys.redelivery``): kept in the quarantine with ``held.json`` (counts only) until
  ``python -m sources.surveys accept SURVEY_ID FOLDER`` (:func:`accept_held`);
- **quarantined** (unreadable, bad mapping, missing column, too many bad rows, a survey id that
  the inputs directory already uses, the same export under another survey id, a withdrawn survey,
  an erased respondent or removed export bytes coming back, a ``.sha256`` that does not match, two
  exports or two mappings in one delivery, a symbolic link anywhere in it, **or any exception
  while checking or storing it**): moved to ``raw/quarantine/<stamp>-<name>/`` with
  ``report.json`` and ``report.txt`` naming the file, rows and columns of every problem (and
  ``crash.txt`` after an exception). The pass then goes on with the next delivery.

Messages for the console and logs never quote a cell (:func:`without_cells`) and show names
escaped (:func:`shown`, :func:`one_line`).

Escapes: a symbolic link (an export, a mapping, a delivery folder or anything inside one) is never
followed or read: the link itself is moved to the quarantine. Every path is checked to resolve
inside the inbox. Hidden entries (a name starting with ``.``) are not processed, and reported as
``ignored`` so that a user who saved ``.survey/`` sees why nothing happens; ``~$`` files (Excel's
lock files) are skipped silently.

Modes: ``received/``, ``quarantine/`` and ``surveys/`` are created ``0o750`` and everything moved
or written there is made ``0o640`` (stored versions ``0o440``): owner and group only
(``storage.restricted``).
"""

import hashlib
import json
import os
import re
import shutil
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from method.reference import sector_codes
from sources.messages import clip
from sources.pseudonyms import load_or_create_secret
from sources.snapshots import sha256_file
from sources.surveys import store
from sources.surveys.erasure_log import append_record, exclusions, read_log
from sources.surveys.exports import case_mismatch_hint, unsupported_export_hint
from sources.surveys.ingest import IngestReport, check_export
from sources.surveys.mapping import MappingError, load_mapping
from sources.surveys.records import content_digest, pseudonymise
from sources.surveys.redelivery import compare
from sources.surveys.store import find_same, store_accepted
from storage.restricted import restrict_tree, restricted_dir, write_text

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAPPING_SUFFIXES = (".yml", ".yaml")
SHA256_SUFFIX = ".sha256"
READY_SUFFIX = ".ready"
HELD = "held.json"


@dataclass
class Delivery:
    """One export + mapping found in the inbox (``files``: everything that moves with it).

    ``refused``: why the delivery cannot be processed at all (a symbolic link, a path outside the
    inbox, two exports); it is quarantined without reading any file."""

    name: str
    export: Path | None
    mapping: Path | None
    files: list[Path] = field(default_factory=list)
    folder: Path | None = None
    refused: str | None = None
    hidden: bool = False

    @property
    def complete(self) -> bool:
        return self.export is not None and self.mapping is not None


@dataclass
class Outcome:
    """What happened to one delivery."""

    delivery: str
    status: str  # accepted | repeated | held | quarantined | waiting | ignored | failed
    survey_id: str | None = None
    version: str | None = None
    message: str = ""
    where: Path | None = None


def _pick(files: list[Path], suffixes: tuple[str, ...], preferred: str) -> Path | None:
    matching = [p for p in files if p.suffix.lower() in suffixes]
    named = [p for p in matching if p.stem.lower() == preferred]
    if len(named) == 1:
        return named[0]
    return matching[0] if len(matching) == 1 else None


def _ambiguity(files: list[Path], suffixes: tuple[str, ...], preferred: str, what: str) -> str | None:
    """'holds 2 exports (a.csv, b.xlsx)' when a delivery has several candidates and none is preferred."""
    matching = [p for p in files if p.suffix.lower() in suffixes]
    if len(matching) > 1 and _pick(files, suffixes, preferred) is None:
        names = ", ".join(sorted(p.name for p in matching))
        return (
            f"holds {len(matching)} {what}s ({names}); a delivery holds one export and one mapping: "
            f"put each export in its own folder, or name the one to use {preferred}.<ext>"
        )
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=False).relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _folder_files(folder: Path, inbox: Path) -> tuple[list[Path], str | None]:
    """A delivery folder's files (hidden ones skipped), never following a symbolic link; the
    refusal if one is found or a path resolves outside the inbox."""
    files: list[Path] = []
    for current, dirs, names in os.walk(folder, followlinks=False):
        here = Path(current)
        for name in sorted(dirs + names):
            path = here / name
            if path.is_symlink():
                return files, f"'{path.relative_to(inbox)}' is a symbolic link; the inbox takes only real files"
            if not _inside(path, inbox):
                return files, f"'{path.relative_to(inbox)}' resolves outside the inbox"
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files += [here / n for n in sorted(names) if not n.startswith(".") and (here / n).is_file()]
    return files, None


def input_survey_ids(surveys_root: Path) -> set[str]:
    """Survey ids used by the inputs directory's surveys (an inbox delivery may not reuse them)."""
    ids = set()
    for mapping in sorted(surveys_root.glob("*/mapping.yml")) if surveys_root.is_dir() else []:
        try:
            ids.add(load_mapping(mapping).survey_id)
        except MappingError:
            continue
    return ids


# --- showing names safely -------------------------------------------------------------------------
def shown(name: object) -> str:
    """A file name as it may appear in a console line or a log: quoted, with control characters,
    line breaks and other non-printable characters escaped (``'a\\nb.csv'``), so no name can forge a
    line of the inbox log."""
    return repr(str(name))


def one_line(text: str) -> str:
    """A message with every non-printable character escaped (one console/log line, whatever it holds)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def without_quotes(text: str) -> str:
    """A reader's message with every quoted text replaced by ``'…'``: what a reader quotes from a
    file it could not read may be a cell (a header-less export's first row), so the console and the
    logs get the message without them; the restricted quarantine report keeps the whole text."""
    return _QUOTED.sub("'…'", text)


_TOKEN = re.compile(r"[^\s,;()\[\]{}'\"]+")


def without_cells(text: str, export: Path | None) -> str:
    """:func:`without_quotes`, and every word of 4 or more characters with a digit in it that the
    export's first 64 KiB hold verbatim (an id, a time stamp a reader listed as a "column" of a
    header-less export) replaced by ``…``."""
    text = without_quotes(text)
    try:
        with export.open("rb") as handle:  # type: ignore[union-attr]
            sample = handle.read(1 << 16).decode("utf-8", errors="replace")
    except (OSError, AttributeError):
        return text

    def redact(match: re.Match) -> str:
        word = match.group(0).rstrip(".:")
        if len(word) >= 4 and any(c.isdigit() for c in word) and word in sample:
            return match.group(0).replace(word, "…")
        return match.group(0)

    return _TOKEN.sub(redact, text)


def _safe_folder_name(name: str) -> str:
    """A quarantine/received folder name for a delivery: printable, at most 80 characters (a
    240-byte file name plus the time stamp would exceed the file system's 255-byte limit)."""
    clean = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in name)
    if clean == name and len(name.encode("utf-8")) <= 80:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    cut = clean.encode("utf-8")[:70].decode("utf-8", "ignore")
    return f"{cut}-{digest}"


# --- finding deliveries ---------------------------------------------------------------------------
def find_deliveries(inbox: Path) -> list[Delivery]:
    """Folders and same-stem file pairs in the inbox; hidden entries are returned as ``hidden``,
    symbolic links and ambiguous deliveries as ``refused`` (see the module doc). An entry that
    cannot even be examined (an I/O error) is refused on its own; the others are still found."""
    if not inbox.is_dir():
        return []
    out: list[Delivery] = []
    loose: dict[str, list[Path]] = {}
    markers: dict[str, list[Path]] = {}
    for entry in sorted(inbox.iterdir()):
        try:
            _examine(entry, inbox, out, loose, markers)
        except OSError as exc:
            refused = f"{shown(entry.name)} cannot be examined ({type(exc).__name__}); check its permissions"
            out.append(Delivery(entry.name, None, None, [entry], refused=refused))
    for stem, files in sorted(loose.items()):
        export = _pick(files, EXPORT_SUFFIXES, stem.lower())
        refused = _ambiguity(files, EXPORT_SUFFIXES, stem.lower() + "!", "export") if export is None else None
        files = files + markers.pop(stem, [])
        out.append(Delivery(stem, export, _pick(files, MAPPING_SUFFIXES, stem.lower()), files, refused=refused))
    return out


def _examine(entry: Path, inbox: Path, out: list, loose: dict, markers: dict) -> None:
    if entry.name.startswith("~$"):
        return
    if entry.name.startswith("."):
        out.append(Delivery(entry.name, None, None, [entry], hidden=True))
        return
    if entry.is_symlink() or not _inside(entry, inbox):
        what = "is a symbolic link" if entry.is_symlink() else "resolves outside the inbox"
        refused = f"{shown(entry.name)} {what}; the inbox takes only real files and folders"
        out.append(Delivery(entry.name, None, None, [entry], refused=refused))
        return
    if entry.is_dir():
        files, refused = _folder_files(entry, inbox)
        refused = (
            refused
            or _ambiguity(files, EXPORT_SUFFIXES, "export", "export")
            or _ambiguity(files, MAPPING_SUFFIXES, "mapping", "mapping file")
        )
        export = _pick(files, EXPORT_SUFFIXES, "export")
        out.append(Delivery(entry.name, export, _pick(files, MAPPING_SUFFIXES, "mapping"), files, entry, refused))
    elif entry.suffix.lower() in EXPORT_SUFFIXES + MAPPING_SUFFIXES:
        loose.setdefault(entry.stem, []).append(entry)
    elif entry.suffix.lower() == SHA256_SUFFIX:  # <stem>.<ext>.sha256
        markers.setdefault(Path(entry.stem).stem, []).append(entry)
    elif entry.suffix.lower() == READY_SUFFIX:  # <stem>.ready
        markers.setdefault(entry.stem, []).append(entry)


def sha256_marker(delivery: Delivery) -> Path | None:
    """The sender's ``<export>.sha256`` of this delivery, if any."""
    if delivery.export is None:
        return None
    wanted = (delivery.export.name + SHA256_SUFFIX).lower()
    return next((p for p in delivery.files if p.name.lower() == wanted), None)


def has_ready_marker(delivery: Delivery) -> bool:
    names = {p.name.lower() for p in delivery.files}
    return "ready" in names or f"{delivery.name.lower()}{READY_SUFFIX}" in names


# --- moving ---------------------------------------------------------------------------------------
def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%dT%H%M%SZ")


def _move(delivery: Delivery, target: Path) -> Path:
    """Move a delivery's files (or its folder) into ``target`` (a new folder, owner/group only);
    nothing is deleted, a symbolic link is moved as a link (never followed)."""
    restricted_dir(target.parent, top=target.parent.parent)
    suffix = 1
    final = target
    while final.exists():
        suffix += 1
        final = target.with_name(f"{target.name}-{suffix}")
    if delivery.folder is not None:
        shutil.move(str(delivery.folder), str(final))
    else:
        restricted_dir(final)
        moved: list[Path] = []
        try:
            for path in delivery.files:
                shutil.move(str(path), str(final / path.name))
                moved.append(path)
        except BaseException:  # whole or not at all: put back what moved, then report
            for path in moved:
                shutil.move(str(final / path.name), str(path))
            shutil.rmtree(final, ignore_errors=True)
            raise
    restrict_tree(final)
    return final


def _target(root: Path, delivery: Delivery, when: datetime) -> Path:
    return root / f"{_stamp(when)}-{_safe_folder_name(delivery.name)}"


def quarantine(
    delivery: Delivery, root: Path, report: IngestReport, when: datetime, extra: dict[str, str] | None = None
) -> Path:
    """Move a delivery into the quarantine with ``report.json`` and ``report.txt`` beside it
    (``extra``: more files to write there, name -> text)."""
    final = _move(delivery, _target(root, delivery, when))
    write_text(final / "report.json", report.to_json())
    write_text(final / "report.txt", report.to_text(restricted=True))  # the quarantine is restricted
    for name, text in (extra or {}).items():
        write_text(final / name, text)
    return final


# --- the pass -------------------------------------------------------------------------------------
@dataclass
class _Context:
    raw_surveys: Path
    quarantine_root: Path
    received_root: Path
    taken: set[str]
    sectors: frozenset[str]
    secret_file: Path
    audit_log: Path
    _secret: bytes | None = None

    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_or_create_secret(self.secret_file)
        return self._secret


def _look(delivery: Delivery) -> tuple | None:
    """(name, size, mtime_ns, sha256) of every file of a delivery; None if one vanished."""
    try:
        out = []
        for path in delivery.files:
            info = path.lstat()
            out.append((str(path), info.st_size, info.st_mtime_ns, sha256_file(path)))
        return tuple(out)
    except OSError:
        return None


def arrival_key(delivery: Delivery) -> tuple[int, bytes]:
    """Arrival order of deliveries in one pass: the newest modification time of their files
    (nanoseconds), then the delivery name's bytes (a stable tie-break, never the clock alone)."""
    try:
        newest = max(p.lstat().st_mtime_ns for p in delivery.files)
    except (OSError, ValueError):
        newest = 0
    return newest, os.fsencode(delivery.name)


def _context(
    raw_surveys: Path,
    quarantine_root: Path,
    received_root: Path,
    taken_ids: Iterable[str],
    sectors: Iterable[str] | None,
    secret_file: Path | None,
    audit_log: Path | None,
) -> "_Context":
    """The context of a pass or an accept; the secret and the audit log default to the raw area's
    (as ``Paths.pseudonym_secret`` and ``Paths.audit_log`` lay them out)."""
    raw = raw_surveys.parent
    return _Context(
        raw_surveys,
        quarantine_root,
        received_root,
        set(taken_ids),
        frozenset(sector_codes() if sectors is None else sectors),
        secret_file or raw / "keys" / "pseudonym.key",
        audit_log or raw / "audit" / "erasures.jsonl",
    )


def process_inbox(
    inbox: Path,
    raw_surveys: Path,
    quarantine_root: Path,
    received_root: Path,
    *,
    taken_ids: Iterable[str] = (),
    sectors: Iterable[str] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    min_age_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    secret_file: Path | None = None,
    audit_log: Path | None = None,
) -> list[Outcome]:
    """Check every complete delivery in the inbox; store, skip, hold or quarantine it (module doc).

    ``taken_ids``: survey ids that other inputs (the inputs directory) already use.
    ``min_age_seconds``: the settle time; ``sleep``: how to wait it between the two looks.
    ``secret_file``/``audit_log``: default to the raw area's (``raw_surveys/../keys/pseudonym.key``,
    ``raw_surveys/../audit/erasures.jsonl``, as ``storage.paths.Paths``).
    """
    context = _context(raw_surveys, quarantine_root, received_root, taken_ids, sectors, secret_file, audit_log)
    outcomes: list[Outcome] = []
    settled: list[Delivery] = []
    for delivery in find_deliveries(inbox):
        try:
            outcome = _triage(delivery, context, now, min_age_seconds)
        except Exception as exc:  # one delivery never stops the pass
            outcome = _crashed(delivery, context, exc, now())
        if outcome is None:
            settled.append(delivery)
        else:
            outcomes.append(outcome)
    first = {id(d): _look(d) for d in settled}
    if settled and min_age_seconds > 0:
        sleep(min_age_seconds)
    for delivery in sorted(settled, key=arrival_key):
        second = _look(delivery)
        if second is None or second != first[id(delivery)]:
            message = (
                f"still being written: its files changed between two looks {min_age_seconds:g} s apart (the settle "
                "time); processed once they are unchanged"
            )
            outcomes.append(Outcome(delivery.name, "waiting", message=message))
            continue
        try:
            outcome = _process(delivery, context, now(), {p: sha for p, _, _, sha in second})
        except Exception as exc:  # one delivery never stops the pass
            outcome = _crashed(delivery, context, exc, now())
        outcomes.append(outcome)
    return outcomes


def _waiting_hint(delivery: Delivery) -> str | None:
    """Why an incomplete delivery may never complete: an export and a mapping whose names differ by
    case (``Svar.csv`` + ``svar.yml``), or an export format the intake does not read (``.xls``, ``.sav``)
    with the tool's own export instructions."""
    names = [p.name for p in delivery.files]
    if delivery.folder is None and delivery.files:  # loose files: the same stem in any case, any suffix
        wanted = delivery.name.casefold()
        names = sorted(n for n in os.listdir(delivery.files[0].parent) if Path(n).stem.casefold() == wanted)
    unsupported = (unsupported_export_hint(n) for n in names)
    return case_mismatch_hint(names) or next((h for h in unsupported if h), None)


def _triage(delivery: Delivery, context: _Context, now: Callable[[], datetime], settle: float) -> Outcome | None:
    """The outcome of a delivery that cannot be processed now, or None when it is ready for the looks."""
    if delivery.hidden:
        message = "hidden (the name starts with '.'): not processed; rename it to process it"
        return Outcome(delivery.name, "ignored", message=message)
    if delivery.refused is not None:
        return _refuse(delivery, context.quarantine_root, now())
    if not delivery.complete:
        missing = "mapping file (.yml)" if delivery.mapping is None else "export file"
        hint = _waiting_hint(delivery)
        return Outcome(delivery.name, "waiting", message=f"waiting for its {missing}" + (f": {hint}" if hint else ""))
    age = time.time() - max(p.lstat().st_mtime for p in delivery.files)
    if age < settle:
        message = (
            f"still being written: changed {max(age, 0):.0f} s ago; processed once no file changed for "
            f"{settle:g} s (the settle time)"
        )
        return Outcome(delivery.name, "waiting", message=message)
    return None


def _where(exc: BaseException) -> str:
    """Where an exception was raised: the innermost frame of this project's code (file:line, function)."""
    root = Path(__file__).resolve().parents[2]
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [
        f
        for f in frames
        if Path(f.filename).resolve().is_relative_to(root) and "site-packages" not in Path(f.filename).parts
    ] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    try:
        name = Path(frame.filename).resolve().relative_to(root).as_posix()
    except ValueError:
        name = Path(frame.filename).name
    return f"{name}:{frame.lineno} ({frame.name})"


def _crashed(delivery: Delivery, context: _Context, exc: BaseException, when: datetime) -> Outcome:
    """Quarantine a delivery whose check or storing raised: the report says what, where and the
    fix, never the exception's text (it may quote a cell); the restricted ``crash.txt`` keeps the
    traceback with the exception's text shortened."""
    where = _where(exc)
    message = (
        f"{shown(delivery.name)}: checking or storing it stopped on an unexpected {type(exc).__name__} at {where}; "
        "the delivery was quarantined so that the inbox goes on. Fix: check it with `python -m sources.surveys "
        "validate EXPORT MAPPING`, correct the file or the mapping and deliver it again; if it looks right, "
        "report the quarantine folder's crash.txt to the maintainers"
    )
    export = str(delivery.export or delivery.folder or (delivery.files[0] if delivery.files else delivery.name))
    report = IngestReport(export=export, mapping=str(delivery.mapping or "?"), accepted=False, error=message)
    detail = "".join(traceback.format_exception_only(type(exc), exc))
    frames = "".join(traceback.format_tb(exc.__traceback__))
    crash = f"{message}\n\n{frames}{clip(detail.strip(), 500)}\n"
    try:
        place = quarantine(delivery, context.quarantine_root, report, when, {"crash.txt": crash})
    except Exception as again:  # even moving failed: leave it, report it, go on
        text = (
            f"{message}; it could not be moved to the quarantine either ({type(again).__name__} at {_where(again)}): "
            "it stays in the inbox, move it out by hand"
        )
        return Outcome(delivery.name, "failed", message=text)
    return Outcome(delivery.name, "quarantined", report.survey_id, message=message, where=place)


def _refuse(delivery: Delivery, quarantine_root: Path, when: datetime) -> Outcome:
    """Quarantine a delivery that cannot be processed (a link, an escape, two exports), unread."""
    message = f"{shown(delivery.name)}: {delivery.refused}"
    export = str(delivery.export or (delivery.folder or delivery.files[0]))
    report = IngestReport(export=export, mapping=str(delivery.mapping or "?"), accepted=False, error=message)
    where = quarantine(delivery, quarantine_root, report, when)
    return Outcome(delivery.name, "quarantined", message=message, where=where)


def _refused(delivery: Delivery, context: _Context, report: IngestReport, when: datetime, error: str) -> Outcome:
    report.accepted = False
    report.error = error
    where = quarantine(delivery, context.quarantine_root, report, when)
    return Outcome(delivery.name, "quarantined", report.survey_id, message=error, where=where)


def _console_message(report: IngestReport, export: Path | None) -> str:
    if report.error:
        error = report.error if report.error.startswith("mapping file:") else without_cells(report.error, export)
        return error + " (the whole message is in the quarantine's report.txt)" if error != report.error else error
    return report.lines[0] if report.lines else report.decision()


def _process(
    delivery: Delivery,
    context: _Context,
    when: datetime,
    shas: dict[str, str],
    operator_accepted: bool = False,
) -> Outcome:
    """One delivery, whole or not at all: check, compare, then store (atomic) and move the originals."""
    assert delivery.export is not None and delivery.mapping is not None
    export_sha = shas.get(str(delivery.export)) or sha256_file(delivery.export)
    mapping_sha = shas.get(str(delivery.mapping)) or sha256_file(delivery.mapping)
    checked = check_export(delivery.export, delivery.mapping, context.sectors)
    report = checked.report
    marker = sha256_marker(delivery)
    if marker is not None:
        declared = marker.read_text(encoding="ascii", errors="replace").strip().split()[:1]
        if [d.lower() for d in declared] != [export_sha]:
            error = (
                f"{shown(delivery.export.name)} does not match its {shown(marker.name)} (the sha256 the sender wrote): "
                "the copy is incomplete or was changed; deliver the export again"
            )
            return _refused(delivery, context, report, when, error)
    if report.accepted and report.survey_id in context.taken:
        error = (
            f"{shown(delivery.mapping.name)}: survey_id '{report.survey_id}' is already used by a survey in the "
            "inputs directory; give this survey its own id"
        )
        return _refused(delivery, context, report, when, error)
    if not report.accepted or checked.records is None:
        message = _console_message(report, delivery.export)  # before the files move
        where = quarantine(delivery, context.quarantine_root, report, when)
        return Outcome(delivery.name, "quarantined", report.survey_id, message=message, where=where)
    survey_id = str(report.survey_id)
    records = pseudonymise(checked.records, context.secret())
    refusal = _deny_list(survey_id, export_sha, records, context)
    if refusal is not None:
        return _refused(delivery, context, report, when, refusal)
    same = find_same(context.raw_surveys, survey_id, export_sha, mapping_sha)
    if same is not None:
        where = _move(delivery, _target(context.received_root, delivery, when))
        message = f"same export and mapping as the stored version {same.version}; nothing new"
        return Outcome(delivery.name, "repeated", same.survey_id, same.version, message, where)
    digest = content_digest(records)
    refusal = _another_survey(survey_id, export_sha, digest, context.raw_surveys)
    if refusal is not None:
        return _refused(delivery, context, report, when, refusal)
    current = store.current(context.raw_surveys, survey_id)
    ready_expected = current is not None and current.sidecar.get("ready_marker") and not operator_accepted
    if ready_expected and not has_ready_marker(delivery):
        message = (
            f"waiting for its READY marker: survey {survey_id}'s sender writes one when a delivery is complete "
            f"(stored version {current.version})"
        )
        return Outcome(delivery.name, "waiting", survey_id, message=message)
    comparison = None
    if current is not None:
        before = store.version_records(current, context.secret())
        if before is not None:
            responses = (current.sidecar.get("detected") or {}).get("responses")
            comparison = compare(before, records, current.version, responses, report.detected.get("responses"))
    if comparison is not None and comparison.held and not operator_accepted:
        return _hold(delivery, context, report, when, comparison)
    extra = {"records_sha256": digest, "ready_marker": has_ready_marker(delivery)}
    if comparison is not None:
        extra["compared_with_current"] = comparison.summary()
    if operator_accepted:
        extra["accepted_by_operator"] = True
    stored = store_accepted(
        context.raw_surveys,
        delivery.export,
        delivery.mapping,
        report,
        when,
        export_sha,
        mapping_sha,
        extra=extra,
        records=records,
    )
    message = report.decision()
    try:
        _move(delivery, _target(context.received_root, delivery, when))
    except Exception as exc:  # stored: the originals stay in the inbox, the next pass finds them "repeated"
        message += (
            f"; the originals could not be moved out of the inbox ({type(exc).__name__} at {_where(exc)}): "
            "the next pass recognises them as repeated"
        )
    return Outcome(delivery.name, "accepted", stored.survey_id, stored.version, message, stored.folder)


def _deny_list(survey_id: str, export_sha: str, records, context: _Context) -> str | None:
    """Why a delivery may not come back (a withdrawn survey, removed bytes, erased respondents)."""
    log = read_log(context.audit_log)
    withdrawn, erased = exclusions(log)
    current = store.current(context.raw_surveys, survey_id)
    if survey_id in withdrawn or (current is not None and current.withdrawn):
        return (
            f"survey {survey_id} was withdrawn (audit log): a withdrawn survey id stays withdrawn and nothing "
            "delivered under it is used; deliver new answers under a new survey_id"
        )
    removed = store.removed_export_shas(context.raw_surveys)
    if export_sha in removed:
        return (
            f"this export's bytes are those of a version removed by {removed[export_sha]}: it would bring back "
            "answers that were withdrawn or erased; the sender must deliver an export without them"
        )
    denied = {key for sid, key in erased if sid == survey_id}
    back = int(records["respondent_id"].isin(denied).sum()) if denied else 0
    if back:
        return (
            f"the delivery brings back {back} respondent(s) of survey {survey_id} erased on request (audit log): "
            "the sender must remove them from the export (the erasure request named them) and deliver it again"
        )
    return None


def _another_survey(survey_id: str, export_sha: str, digest: str, root: Path) -> str | None:
    """One export under two survey ids: the same bytes, or the same respondents with the same answers."""
    for other in store.survey_ids(root):
        if other == survey_id:
            continue
        for version in store.versions(root, other):
            same_bytes = version.sidecar.get("export_sha256") == export_sha
            if same_bytes or (version.sidecar.get("records_sha256") == digest and not version.withdrawn):
                what = "the same export bytes" if same_bytes else "the same respondents with the same answers"
                return (
                    f"{what} as survey {other} (version {version.version}): one export under two survey ids would "
                    "count every respondent twice; deliver it under its own survey_id only, or correct the export"
                )
    return None


def _hold(delivery: Delivery, context: _Context, report: IngestReport, when: datetime, comparison) -> Outcome:
    """Keep a re-delivery in the quarantine until an operator accepts it (counts only, no answers)."""
    survey_id = str(report.survey_id)
    report.accepted = False
    report.error = (
        f"re-delivery of survey {survey_id} held for an operator: {'; '.join(comparison.reasons)}; {comparison.text()}"
    )
    held = {"survey_id": survey_id, "held_at": when.isoformat(), **comparison.summary()}
    where = quarantine(
        delivery, context.quarantine_root, report, when, {HELD: json.dumps(held, indent=2, sort_keys=True) + "\n"}
    )
    message = (
        f"{report.error}. To make it the current version: python -m sources.surveys accept {survey_id} {where.name}"
    )
    return Outcome(delivery.name, "held", survey_id, message=message, where=where)


def accept_held(
    survey_id: str,
    name: str,
    raw_surveys: Path,
    quarantine_root: Path,
    received_root: Path,
    *,
    taken_ids: Iterable[str] = (),
    sectors: Iterable[str] | None = None,
    when: datetime | None = None,
    secret_file: Path | None = None,
    audit_log: Path | None = None,
    requested_by: str | None = None,
) -> Outcome:
    """An operator's decision: store a held re-delivery as the current version of its survey. It is
    checked again like any delivery (deny list, another survey id, ...) but not held again."""
    when = when or datetime.now(UTC)
    context = _context(raw_surveys, quarantine_root, received_root, taken_ids, sectors, secret_file, audit_log)
    folder = quarantine_root / name
    if "/" in name or name.startswith(".") or not (folder / HELD).is_file() or folder.is_symlink():
        raise ValueError(f"{shown(name)} is not a held delivery in {quarantine_root}")
    held = json.loads((folder / HELD).read_text(encoding="utf-8"))
    if held.get("survey_id") != survey_id:
        raise ValueError(f"{shown(name)} is a delivery of survey {held.get('survey_id')}, not {survey_id}")
    files, refused = _folder_files(folder, folder.parent)
    originals = [p for p in files if p.name not in (HELD, "report.json", "report.txt")]
    export = _pick(originals, EXPORT_SUFFIXES, "export")
    mapping = _pick(originals, MAPPING_SUFFIXES, "mapping")
    if refused or export is None or mapping is None:
        raise ValueError(f"{shown(name)}: its export and mapping cannot be told apart; deliver it again")
    delivery = Delivery(name, export, mapping, files, folder)
    outcome = _process(delivery, context, when, {}, operator_accepted=True)
    if outcome.status != "accepted":
        return outcome
    append_record(
        context.audit_log,
        {
            "at": when.isoformat(),
            "action": "accept",
            "survey_id": survey_id,
            "delivery": name,
            "version": outcome.version,
            "requested_by": requested_by,
            "held": held,
        },
    )
    return outcome
