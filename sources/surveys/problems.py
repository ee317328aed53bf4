"""Problems found while applying a mapping to an export, and their bounded summaries.

A :class:`ProblemGroup` is one kind of problem in one column: its message (never an answer), the
1-based data rows it concerns and, for the restricted outputs only, a few example answers. The
engine (:mod:`sources.surveys.engine`) makes one group per column and message, never one per
distinct bad answer, so 200,000 distinct bad answers cost one group and an array of row numbers.

Summaries are bounded: at most :data:`MAX_GROUPS_LISTED` lines (then ``... and N more``), at most
:data:`MAX_ROWS_LISTED` row numbers per line, every quoted example clipped.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sources.messages import clip, quote

MAX_ROWS_LISTED = 10
MAX_GROUPS_LISTED = 50
MAX_EXAMPLES = 3  # example answers kept per group (restricted outputs only)
MAX_CELLS_LISTED = 5  # cell addresses named per group
MAX_NAME = 500  # a path with a 255-byte file name fits


def shown_name(path: str | Path) -> str:
    """A file name as it may appear in a message: control characters escaped (a newline in a name
    cannot forge a log line), other characters kept, clipped."""
    text = str(path)
    if text.isprintable():
        return clip(text, MAX_NAME)
    escaped = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return clip(escaped, MAX_NAME)


_DATA_LIKE = re.compile(r"[\s\d.,:;/+\-TZ]*\d[\s\d.,:;/+\-TZ]*|[^@\s]+@[^@\s]+")


def header_name(name: str) -> str:
    """A header cell as a message may show it: quoted when it looks like a column name, described
    when it looks like data (a number, a date or time, an e-mail address): a header-less export's
    first row is answers, and a message never quotes an answer."""
    if _DATA_LIKE.fullmatch(name.strip()):
        return "(a cell that looks like data: a number, date or e-mail address)"
    return quote(name, 60)


def header_preview(header: list[str], n: int = 3) -> str:
    """The first header cells for a message, as :func:`header_name` shows them; a hint when the
    first row looks like data (is the header row missing?)."""
    shown = [header_name(name) for name in header[:n]]
    if any(name.startswith("(a cell") for name in shown):
        return "the first row holds data, not column names: is the header row missing?"
    return "first columns: " + ", ".join(shown)


@dataclass(frozen=True)
class Problem:
    """One problem found while mapping an export; ``row`` is the 1-based data row (None: whole file)."""

    row: int | None
    column: str | None
    field: str | None
    value: str | None
    message: str


@dataclass
class ProblemGroup:
    """Rows sharing one problem message (``rows`` 1-based; empty for a whole-file problem).

    ``whole_file``: the problem refuses the file even though it names rows (respondent ids that
    are personal data). ``value``/``examples``: answers for the restricted outputs only.
    """

    message: str
    column: str | None
    field: str | None
    value: str | None
    rows: np.ndarray
    order: int = 0
    row_values: list[str] | None = None  # per-row value when it differs by row (hours_doc > hours_total)
    whole_file: bool = False
    examples: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)  # addresses such as Sheet1!C14 (first few)

    def expand(self) -> list[Problem]:
        if len(self.rows) == 0:
            return [Problem(None, self.column, self.field, self.value, self.message)]
        values = self.row_values or [self.value] * len(self.rows)
        return [
            Problem(int(r), self.column, self.field, v, self.message)
            for r, v in zip(self.rows.tolist(), values, strict=True)
        ]

    @property
    def refuses_file(self) -> bool:
        return self.whole_file or len(self.rows) == 0


def _row_list(rows: list[int], total: int | None = None) -> str:
    total = len(rows) if total is None else total
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_LISTED])
    more = f", ... ({total} rows)" if total > MAX_ROWS_LISTED else ""
    return ("rows " if total > 1 else "row ") + shown + more


def _cells(group: ProblemGroup) -> str:
    if not group.cells:
        return ""
    more = ", ..." if len(group.cells) > MAX_CELLS_LISTED else ""
    return " (cells " + ", ".join(group.cells[:MAX_CELLS_LISTED]) + more + ")"


def _capped(lines: list[str], total: int) -> list[str]:
    if total > MAX_GROUPS_LISTED:
        return [*lines[:MAX_GROUPS_LISTED], f"... and {total - MAX_GROUPS_LISTED} more problem(s) not listed"]
    return lines


def summarise_groups(groups: Iterable[ProblemGroup], with_values: bool = False) -> list[str]:
    """One line per problem message, e.g. ``unmapped value in column 'q7' rows 12, 40, 41``.

    The messages never hold an answer. ``with_values`` (only for the restricted outputs: the
    operator's ``validate`` command and the quarantine report) adds up to three example answers,
    shortened: ``unmapped value in column 'q7': 'Ukentlig', 'Daglig' rows 12, 40, 41``.
    At most :data:`MAX_GROUPS_LISTED` lines, then one ``... and N more`` line.
    """
    merged: dict[str, list[ProblemGroup]] = {}
    for group in groups:
        key = group.message
        if with_values:
            examples = group.examples or ([group.value] if group.value is not None else [])
            if not examples and group.row_values:
                examples = group.row_values[:1]
            if examples:
                key = f"{group.message}: " + ", ".join(quote(e) for e in examples[:MAX_EXAMPLES])
        merged.setdefault(key, []).append(group)
    lines = []
    for message, parts in merged.items():
        if len(lines) > MAX_GROUPS_LISTED:
            break
        rows = parts[0].rows if len(parts) == 1 else np.unique(np.concatenate([g.rows for g in parts]))
        cells = _cells(parts[0])
        listed = _row_list(rows[:MAX_ROWS_LISTED].tolist(), len(rows))
        lines.append(f"{message}{cells} {listed}" if len(rows) else message)
    return _capped(lines, len(merged))


def summarise_problems(problems: Iterable[Problem]) -> list[str]:
    """Group identical problem messages, e.g. ``unmapped value in column 'q7' rows 12, 40, 41``.

    At most 10 row numbers are listed, then ``...`` and the count. Whole-file problems (no row)
    are listed as they are. Order: first occurrence. At most :data:`MAX_GROUPS_LISTED` lines.
    """
    groups: dict[str, set[int]] = {}
    for problem in problems:
        rows = groups.setdefault(problem.message, set())
        if problem.row is not None:
            rows.add(problem.row)
    lines = [f"{message} {_row_list(sorted(rows))}" if rows else message for message, rows in groups.items()]
    return _capped(lines, len(lines))


def problem_dicts(groups: list[ProblemGroup], max_rows: int, max_groups: int = MAX_GROUPS_LISTED) -> list[dict]:
    """The groups as JSON-ready dicts for the (restricted) report, bounded in rows and groups."""
    out = []
    for group in groups[:max_groups]:
        examples = group.examples or ([group.value] if group.value is not None else [])
        out.append(
            {
                "message": group.message,
                "column": group.column,
                "field": group.field,
                "value": None if not examples else clip(examples[0], 200),  # restricted report only
                "examples": [clip(e, 200) for e in examples[:MAX_EXAMPLES]],
                "cells": group.cells[:MAX_CELLS_LISTED],
                "row_count": len(group.rows),
                "rows": group.rows[:max_rows].tolist(),
            }
        )
    if len(groups) > max_groups:
        out.append({"message": f"... and {len(groups) - max_groups} more problem(s) not listed", "row_count": 0})
    return out
