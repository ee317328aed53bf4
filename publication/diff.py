"""What changed since the previous release: ``changes.json`` and a readable changelog line.

Compares the published CSV text of each table (so rounding noise below the published precision is
not a change), by the table's key (publication/contracts.py KEYS): rows added and removed, values
changed, sectors and years that appear or disappear (with an index: an emptied index counts as
removed), the method version, and inputs (the
``sources`` table) added, removed or changed. ``release_id`` columns are ignored (they always change).

Spec sections 5 and 5b (method 1.2, the atoms rule): a cell held by the revision rule (flag
REVISION_HELD) is not a change -- its published values are those of the previous release, and
gaining or keeping the flag is not listed as a changed value; ``cells_held`` names the held cells by
key only. A suppressed value is empty in the published CSV, so it never appears here: only published
text is compared. When the revision store was written under an earlier method and carried over
(sources/revisions.py), ``revision_store_upgrade`` gives that method and how many cells are held
because their footprint under it could not be rebuilt (a count, never a key or a value), and the
changelog says so.
"""

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from publication.contracts import KEYS

IGNORED_COLUMNS = ("release_id",)
HELD_FLAG = "REVISION_HELD"
FLAG_SEPARATOR = ";"
MAX_LISTED = 200  # values_changed listed per table; the count is always complete


@dataclass(frozen=True)
class RevisionUpgrade:
    """A revision store carried over from an earlier method (the first build under the new one):
    the method it was written under and how many published cells are held (REVISION_HELD) because
    their footprint under that method could not be rebuilt."""

    from_method: str
    cells_held: int


def read_csv_text(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _keyed(table: str, rows: list[dict[str, str]]) -> dict[tuple[str, ...], dict[str, str]]:
    key = KEYS[table]
    return {tuple(row.get(k, "") for k in key): row for row in rows}


def _without_held(flags: str | None) -> set[str]:
    return {f for f in (flags or "").split(FLAG_SEPARATOR) if f and f != HELD_FLAG}


def _is_change(column: str, before: str | None, after: str | None) -> bool:
    """A published value that changed; a flags value that differs only by REVISION_HELD did not."""
    if column == "flags":
        return _without_held(before) != _without_held(after)
    return before != after


def held_cells(table: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The keys of the rows flagged REVISION_HELD (spec 5b), without any value."""
    key = KEYS[table]
    held = [r for r in rows if HELD_FLAG in (r.get("flags") or "").split(FLAG_SEPARATOR)]
    return sorted(({k: r.get(k, "") for k in key} for r in held), key=lambda d: tuple(d.values()))


def table_changes(table: str, before: list[dict[str, str]], after: list[dict[str, str]]) -> dict[str, Any]:
    key = KEYS[table]
    old, new = _keyed(table, before), _keyed(table, after)
    changed = []
    for k in sorted(old.keys() & new.keys()):
        for column in new[k]:
            if column in IGNORED_COLUMNS or column in key:
                continue
            if _is_change(column, old[k].get(column), new[k].get(column)):
                changed.append(
                    {
                        "key": dict(zip(key, k, strict=True)),
                        "column": column,
                        "before": old[k].get(column),
                        "after": new[k][column],
                    }
                )
    columns_before = list(before[0]) if before else []
    columns_after = list(after[0]) if after else []
    return {
        "rows_before": len(before),
        "rows_after": len(after),
        "rows_added": [dict(zip(key, k, strict=True)) for k in sorted(new.keys() - old.keys())],
        "rows_removed": [dict(zip(key, k, strict=True)) for k in sorted(old.keys() - new.keys())],
        "values_changed_count": len(changed),
        "values_changed": changed[:MAX_LISTED],
        "columns_added": [c for c in columns_after if columns_before and c not in columns_before],
        "columns_removed": [c for c in columns_before if columns_after and c not in columns_after],
    }


def _values(rows: list[dict[str, str]], column: str) -> set[str]:
    """Values of ``column`` among rows that have an index: a sector (or year) whose rows stay with the
    index emptied counts as removed."""
    return {row[column] for row in rows if row.get(column) and row.get("index")}


def release_changes(
    previous_id: str | None,
    previous_method: str | None,
    previous_tables: Mapping[str, list[dict[str, str]]],
    current_method: str,
    current_tables: Mapping[str, list[dict[str, str]]],
    revision_upgrade: RevisionUpgrade | None = None,
) -> dict[str, Any]:
    """The changes document; ``*_tables`` map table name -> rows as read from the published CSV;
    ``revision_upgrade`` when this build carried a revision store over from an earlier method."""
    upgrade = (
        {}
        if revision_upgrade is None
        else {
            "revision_store_upgrade": {
                "from_method": revision_upgrade.from_method,
                "cells_held": revision_upgrade.cells_held,
            }
        }
    )
    if previous_id is None:
        return {"previous_release": None, "first_release": True, "method_version": {"after": current_method}} | upgrade
    tables = {
        name: table_changes(name, list(previous_tables.get(name, [])), list(rows))
        for name, rows in current_tables.items()
        if name in KEYS
    }
    index_before = list(previous_tables.get("index_sector_year", []))
    index_after = list(current_tables.get("index_sector_year", []))
    sources = tables.get("sources", {})
    changed_inputs = sorted(
        {c["key"]["source_id"] for c in sources.get("values_changed", []) if c["column"] == "sha256"}
    )
    return {
        "previous_release": previous_id,
        "first_release": False,
        "method_version": {
            "before": previous_method,
            "after": current_method,
            "changed": previous_method != current_method,
        },
        "sectors_added": sorted(_values(index_after, "sector_code") - _values(index_before, "sector_code")),
        "sectors_removed": sorted(_values(index_before, "sector_code") - _values(index_after, "sector_code")),
        "years_added": sorted(_values(index_after, "year") - _values(index_before, "year")),
        "years_removed": sorted(_values(index_before, "year") - _values(index_after, "year")),
        "inputs_added": [r["source_id"] for r in sources.get("rows_added", [])],
        "inputs_removed": [r["source_id"] for r in sources.get("rows_removed", [])],
        "inputs_changed": changed_inputs,
        "tables": {name: tables[name] for name in sorted(tables) if name != "sources"},
        "tables_added": sorted(n for n in current_tables if n in KEYS and n not in previous_tables),
        "cells_held": held_cells("component_sector_year", list(current_tables.get("component_sector_year", []))),
    } | upgrade


def changes_json(changes: Mapping[str, Any]) -> bytes:
    return (json.dumps(changes, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# what a method version changed from the one before (docs/methodology.md, "Changes from 1.1" and
# "Changes from 1.0"), for
# the changelog line of the first release made with it
METHOD_CHANGES: dict[str, str] = {
    "1.1": (
        "stratum weights rescaled before surveys are pooled, NCHS precision rules instead of cv, "
        "Korn-Graubard intervals for C2 and C3, flags SKEWED and NO_FTE, C5 on the fte of its own year, "
        "C1-C4 rows also at n = 0, S3 and S4 stated exactly"
    ),
    "1.2": (
        "a revision checked against every published version at once (atoms of at least 10 respondents), "
        "the relative-width rule on min(value, 100 - value), 10 respondents of each sex to post-stratify, "
        "Rao-Wu bootstrap intervals (n_h - 1 draws), the S4 rank from the median index, 90 % rank intervals "
        "said so, SKEWED also on the index, an fte total from sex rows only with both F and M"
    ),
}


def _method_summary(version: str) -> str:
    summary = METHOD_CHANGES.get(version)
    return f" ({summary})" if summary else ""


def upgrade_note(changes: Mapping[str, Any]) -> str | None:
    """The changelog's sentence on a revision store carried over from an earlier method, if any."""
    upgrade = changes.get("revision_store_upgrade")
    if not upgrade:
        return None
    method, held = upgrade["from_method"], int(upgrade["cells_held"])
    note = f"the revision store was carried over from method {method}; "
    if held == 0:
        return note + f"the {method} footprint of every published cell was rebuilt, so the atoms rule decides each"
    return note + (
        f"{_plural(held, 'cell')} whose {method} footprint could not be rebuilt "
        f"{'is' if held == 1 else 'are'} held at {'its' if held == 1 else 'their'} published values "
        f"(REVISION_HELD) until the atoms rule can decide {'it' if held == 1 else 'them'}"
    )


def changelog_text(changes: Mapping[str, Any]) -> str:
    """One readable line (English) for releases.csv and the README."""
    upgrade = upgrade_note(changes)
    if changes.get("first_release"):
        after = str(changes["method_version"]["after"])
        text = f"First release, method {after}{_method_summary(after)}" if after in METHOD_CHANGES else "First release"
        return f"{text}; {upgrade}." if upgrade else f"{text}."
    notes = []
    method = changes["method_version"]
    if method["changed"]:
        notes.append(f"method {method['before']} -> {method['after']}{_method_summary(str(method['after']))}")
    if upgrade:
        notes.append(upgrade)
    for label, field in (("sector", "sectors"), ("year", "years")):
        if changes[f"{field}_added"]:
            notes.append(f"new {label}s {', '.join(changes[f'{field}_added'])}")
        if changes[f"{field}_removed"]:
            notes.append(f"{label}s removed {', '.join(changes[f'{field}_removed'])}")
    notes += [f"new input {s}" for s in changes["inputs_added"]]
    notes += [f"input {s} removed" for s in changes["inputs_removed"]]
    notes += [f"input {s} changed" for s in changes["inputs_changed"]]
    notes += [f"new table {t}" for t in changes["tables_added"]]
    if changes.get("cells_held"):
        held = len(changes["cells_held"])
        notes.append(f"{_plural(held, 'component cell')} held at the values last published (REVISION_HELD)")
    for name, table in changes["tables"].items():
        if name in changes["tables_added"]:
            continue
        parts = []
        if table["rows_added"]:
            parts.append(f"{_plural(len(table['rows_added']), 'row')} added")
        if table["rows_removed"]:
            parts.append(f"{_plural(len(table['rows_removed']), 'row')} removed")
        if table["values_changed_count"]:
            parts.append(f"{_plural(table['values_changed_count'], 'published value')} changed")
        if parts:
            notes.append(f"{name}: {', '.join(parts)}")
    previous = changes["previous_release"]
    if not notes:
        return f"Rebuilt from the inputs of {previous}; no published value changed."
    return f"Since {previous}: " + "; ".join(notes) + "."
