"""The survey inbox: a user drops an export and its mapping file; each delivery is checked,
then stored in the raw survey area or quarantined. Nothing is ever deleted.

A *delivery* in the inbox (``Paths.inbox``) is either

- a folder ``<name>/`` holding one mapping (``mapping.yml``/``.yaml``, or the only ``*.yml``) and
  one export (``export.<ext>``, or the only ``.csv``/``.tsv``/``.txt``/``.xlsx``), or
- two files side by side with the same stem: ``<name>.<csv|tsv|txt|xlsx>`` and ``<name>.yml``.

A delivery is processed once no file of it changed for ``min_age_seconds`` (the *settle time*,
5 s by default: it may still be copying); until then it is reported as ``waiting``, with the time
left. An export without a mapping (or the reverse) waits too. Each complete delivery is checked
with :func:`sources.surveys.ingest.check_export`, then

- **accepted**: copied into ``raw/surveys/<survey_id>/<version>/`` (see ``sources.surveys.store``)
  and the originals moved to ``raw/received/<stamp>-<name>/``;
- **repeated** (the same export and mapping as a stored version): nothing new is stored, the
  originals move to ``raw/received/`` and no run is needed;
- **quarantined** (unreadable, bad mapping, missing column, too many bad rows, a survey id that
  the inputs directory already uses, two exports or two mappings in one delivery, or a symbolic
  link anywhere in it): moved to ``raw/quarantine/<stamp>-<name>/`` with ``report.json`` and
  ``report.txt`` naming the file, rows and columns of every problem.

Escapes: a symbolic link (an export, a mapping, a delivery folder or anything inside one) is never
followed or read: the link itself is moved to the quarantine. Every path is checked to resolve
inside the inbox. Hidden entries (a name starting with ``.``) are not processed, and reported as
``ignored`` so that a user who saved ``.survey/`` sees why nothing happens; ``~$`` files (Excel's
lock files) are skipped silently.

Modes: ``received/``, ``quarantine/`` and ``surveys/`` are created ``0o750`` and everything moved
or written there is made ``0o640`` (stored versions ``0o440``): owner and group only
(``sources.restricted``).
"""

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sources.reference import sector_codes
from sources.restricted import restrict_tree, restricted_dir, write_text
from sources.snapshots import sha256_file
from sources.surveys.ingest import IngestReport, check_export
from sources.surveys.mapping import MappingError, load_mapping
from sources.surveys.store import find_same, store_accepted

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAPPING_SUFFIXES = (".yml", ".yaml")


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
    status: str  # accepted | repeated | quarantined | waiting | ignored
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


def find_deliveries(inbox: Path) -> list[Delivery]:
    """Folders and same-stem file pairs in the inbox; hidden entries are returned as ``hidden``,
    symbolic links and ambiguous deliveries as ``refused`` (see the module doc)."""
    if not inbox.is_dir():
        return []
    out: list[Delivery] = []
    loose: dict[str, list[Path]] = {}
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith("~$"):
            continue
        if entry.name.startswith("."):
            out.append(Delivery(entry.name, None, None, [entry], hidden=True))
            continue
        if entry.is_symlink() or not _inside(entry, inbox):
            what = "is a symbolic link" if entry.is_symlink() else "resolves outside the inbox"
            refused = f"'{entry.name}' {what}; the inbox takes only real files and folders"
            out.append(Delivery(entry.name, None, None, [entry], refused=refused))
            continue
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
    for stem, files in sorted(loose.items()):
        export = _pick(files, EXPORT_SUFFIXES, stem.lower())
        refused = _ambiguity(files, EXPORT_SUFFIXES, stem.lower() + "!", "export") if export is None else None
        out.append(Delivery(stem, export, _pick(files, MAPPING_SUFFIXES, stem.lower()), files, refused=refused))
    return out


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
        for path in delivery.files:
            shutil.move(str(path), str(final / path.name))
    restrict_tree(final)
    return final


def quarantine(delivery: Delivery, root: Path, report: IngestReport, when: datetime) -> Path:
    """Move a delivery into the quarantine with ``report.json`` and ``report.txt`` beside it."""
    final = _move(delivery, root / f"{_stamp(when)}-{delivery.name}")
    write_text(final / "report.json", report.to_json())
    write_text(final / "report.txt", report.to_text(restricted=True))  # the quarantine is restricted
    return final


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
) -> list[Outcome]:
    """Check every complete delivery in the inbox; store, skip or quarantine it. See module doc.

    ``taken_ids``: survey ids that other inputs (the inputs directory) already use.
    """
    taken = set(taken_ids)
    allowed = frozenset(sector_codes() if sectors is None else sectors)
    outcomes = []
    for delivery in find_deliveries(inbox):
        if delivery.hidden:
            message = "hidden (the name starts with '.'): not processed; rename it to process it"
            outcomes.append(Outcome(delivery.name, "ignored", message=message))
            continue
        if delivery.refused is not None:
            outcomes.append(_refuse(delivery, quarantine_root, now()))
            continue
        if not delivery.complete:
            missing = "mapping file (.yml)" if delivery.mapping is None else "export file"
            outcomes.append(Outcome(delivery.name, "waiting", message=f"waiting for its {missing}"))
            continue
        age = time.time() - max(p.lstat().st_mtime for p in delivery.files)
        if age < min_age_seconds:
            message = (
                f"still being written: changed {max(age, 0):.0f} s ago; processed once no file changed for "
                f"{min_age_seconds:g} s (the settle time)"
            )
            outcomes.append(Outcome(delivery.name, "waiting", message=message))
            continue
        outcomes.append(_process(delivery, raw_surveys, quarantine_root, received_root, taken, allowed, now()))
    return outcomes


def _refuse(delivery: Delivery, quarantine_root: Path, when: datetime) -> Outcome:
    """Quarantine a delivery that cannot be processed (a link, an escape, two exports), unread."""
    message = f"{delivery.name}: {delivery.refused}"
    export = str(delivery.export or (delivery.folder or delivery.files[0]))
    report = IngestReport(export=export, mapping=str(delivery.mapping or "?"), accepted=False, error=message)
    where = quarantine(delivery, quarantine_root, report, when)
    return Outcome(delivery.name, "quarantined", message=message, where=where)


def _process(
    delivery: Delivery,
    raw_surveys: Path,
    quarantine_root: Path,
    received_root: Path,
    taken: set[str],
    sectors: frozenset[str],
    when: datetime,
) -> Outcome:
    assert delivery.export is not None and delivery.mapping is not None
    checked = check_export(delivery.export, delivery.mapping, sectors)
    report = checked.report
    if report.accepted and report.survey_id in taken:
        report.accepted = False
        report.error = (
            f"{delivery.mapping}: survey_id '{report.survey_id}' is already used by a survey in the inputs "
            "directory; give this survey its own id"
        )
    if not report.accepted:
        where = quarantine(delivery, quarantine_root, report, when)
        first = report.error or (report.lines[0] if report.lines else report.decision())
        return Outcome(delivery.name, "quarantined", report.survey_id, message=first, where=where)
    export_sha, mapping_sha = sha256_file(delivery.export), sha256_file(delivery.mapping)
    same = find_same(raw_surveys, str(report.survey_id), export_sha, mapping_sha)
    if same is not None:
        where = _move(delivery, received_root / f"{_stamp(when)}-{delivery.name}")
        message = f"same export and mapping as the stored version {same.version}; nothing new"
        return Outcome(delivery.name, "repeated", same.survey_id, same.version, message, where)
    stored = store_accepted(raw_surveys, delivery.export, delivery.mapping, report, when, export_sha, mapping_sha)
    _move(delivery, received_root / f"{_stamp(when)}-{delivery.name}")
    return Outcome(delivery.name, "accepted", stored.survey_id, stored.version, report.decision(), stored.folder)
