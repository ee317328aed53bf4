"""The gate's coverage rule: a sector or a year that had an index in the previous release keeps one.

An emptied index counts as lost: when every respondent of a sector disappears, its rows stay in
``index_sector_year`` with the index empty, so comparing row counts or sector codes does not see it.
Compared on the rows with an index, before (the previous release's CSV) and after (the mart).
"""

from collections.abc import Iterable, Mapping
from typing import Any

RULE = (
    "a sector or a year with an index in the previous release keeps an index; a loss stops the "
    "release (spec: a lost sector or year stops the release)"
)


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and value != value:  # NaN
        return False
    return str(value).strip() != ""


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def indexed(rows: Iterable[Mapping[str, Any]], column: str) -> set[str]:
    """Values of ``column`` among rows whose ``index`` is filled."""
    return {_text(row[column]) for row in rows if _filled(row.get("index")) and _filled(row.get(column))}


def lost(previous: list[Mapping[str, Any]], current: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Sectors and years with an index before and none now."""
    return {
        "sectors": sorted(indexed(previous, "sector_code") - indexed(current, "sector_code")),
        "years": sorted(indexed(previous, "year") - indexed(current, "year")),
    }


def failure_lines(previous: list[Mapping[str, Any]], current: list[Mapping[str, Any]]) -> list[str]:
    """One readable line per lost sector or year (empty when nothing is lost)."""
    found = lost(previous, current)
    lines = []
    for sector in found["sectors"]:
        years = sorted({_text(r["year"]) for r in previous if _filled(r.get("index")) and r["sector_code"] == sector})
        rows_now = sum(1 for r in current if _text(r.get("sector_code")) == sector)
        lines.append(
            f"sector {sector} lost: it had an index in the previous release (years {', '.join(years)}) and has "
            f"none now ({rows_now} row(s) left, index empty) [rule: {RULE}]"
        )
    for year in found["years"]:
        lines.append(f"year {year} lost: it had an index in the previous release and has none now [rule: {RULE}]")
    return lines
