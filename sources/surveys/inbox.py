"""The survey inbox: a user drops an export and its mapping file; each delivery is checked,
then stored in the raw survey area or quarantined. Nothing is ever deleted.

A *delivery* in the inbox (``Paths.inbox``) is either

- a folder ``<name>/`` holding one mapping (``mapping.yml``/``.yaml``, or the only ``*.yml``) and
  one export (``export.<ext>``, or the only ``.csv``/``.tsv``/``.txt``/``.xlsx``), or
- two files side by side with the same stem: ``<name>.<csv|tsv|txt|xlsx>`` and ``<name>.yml``.

A file younger than ``min_age_seconds`` is left for the next look (it may still be copying); an
export without a mapping (or the reverse) waits too. Each complete delivery is checked with
:func:`sources.surveys.ingest.check_export`, then

- **accepted**: copied into ``raw/surveys/<survey_id>/<version>/`` (see ``sources.surveys.store``)
  and the originals moved to ``raw/received/<stamp>-<name>/``;
- **repeated** (the same export and mapping as a stored version): nothing new is stored, the
  originals move to ``raw/received/`` and no run is needed;
- **quarantined** (unreadable, bad mapping, missing column, too many bad rows, or a survey id that
  the inputs directory already uses): moved to ``raw/quarantine/<stamp>-<name>/`` with
  ``report.json`` and ``report.txt`` naming the file, rows and columns of every problem.
"""

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sources.reference import sector_codes
from sources.snapshots import sha256_file
from sources.surveys.ingest import IngestReport, check_export
from sources.surveys.mapping import MappingError, load_mapping
from sources.surveys.store import find_same, store_accepted

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAPPING_SUFFIXES = (".yml", ".yaml")


@dataclass
class Delivery:
    """One export + mapping found in the inbox (``files``: everything that moves with it)."""

    name: str
    export: Path | None
    mapping: Path | None
    files: list[Path] = field(default_factory=list)
    folder: Path | None = None

    @property
    def complete(self) -> bool:
        return self.export is not None and self.mapping is not None


@dataclass
class Outcome:
    """What happened to one delivery."""

    delivery: str
    status: str  # accepted | repeated | quarantined | waiting
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
    """Folders and same-stem file pairs in the inbox (hidden files and folders are ignored)."""
    if not inbox.is_dir():
        return []
    out: list[Delivery] = []
    loose: dict[str, list[Path]] = {}
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith((".", "~$")):
            continue
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*") if p.is_file() and not p.name.startswith("."))
            out.append(
                Delivery(
                    entry.name,
                    _pick(files, EXPORT_SUFFIXES, "export"),
                    _pick(files, MAPPING_SUFFIXES, "mapping"),
                    files,
                    entry,
                )
            )
        elif entry.suffix.lower() in EXPORT_SUFFIXES + MAPPING_SUFFIXES:
            loose.setdefault(entry.stem, []).append(entry)
    for stem, files in sorted(loose.items()):
        export = _pick(files, EXPORT_SUFFIXES, stem.lower())
        out.append(Delivery(stem, export, _pick(files, MAPPING_SUFFIXES, stem.lower()), files))
    return out


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%dT%H%M%SZ")


def _move(delivery: Delivery, target: Path) -> Path:
    """Move a delivery's files (or its folder) into ``target`` (a new folder); nothing is deleted."""
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = 1
    final = target
    while final.exists():
        suffix += 1
        final = target.with_name(f"{target.name}-{suffix}")
    if delivery.folder is not None:
        shutil.move(str(delivery.folder), str(final))
    else:
        final.mkdir()
        for path in delivery.files:
            shutil.move(str(path), str(final / path.name))
    return final


def quarantine(delivery: Delivery, root: Path, report: IngestReport, when: datetime) -> Path:
    """Move a delivery into the quarantine with ``report.json`` and ``report.txt`` beside it."""
    final = _move(delivery, root / f"{_stamp(when)}-{delivery.name}")
    (final / "report.json").write_text(report.to_json(), encoding="utf-8")
    (final / "report.txt").write_text(report.to_text(), encoding="utf-8")
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
        if not delivery.complete:
            missing = "mapping file (.yml)" if delivery.mapping is None else "export file"
            outcomes.append(Outcome(delivery.name, "waiting", message=f"waiting for its {missing}"))
            continue
        newest_change = max(p.stat().st_mtime for p in delivery.files)
        if time.time() - newest_change < min_age_seconds:
            outcomes.append(Outcome(delivery.name, "waiting", message="still being written"))
            continue
        outcomes.append(_process(delivery, raw_surveys, quarantine_root, received_root, taken, allowed, now()))
    return outcomes


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
