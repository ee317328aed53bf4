"""Shared checks for the small CSV tables the pipeline reads (transcriptions and registers).

Every problem names the file, the 1-based data row (the header is row 0) and the field, and all
problems of a file are collected before one :class:`TableError` is raised, so an analyst can fix
a file in one go.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MAX_REPORTED = 20


class TableError(ValueError):
    """A CSV input does not have the expected layout or holds invalid values."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = f"\n  ... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n  " + "\n  ".join(shown) + more)


@dataclass(frozen=True)
class Column:
    """An expected column: its name, a parser (raising ValueError) and whether it may be empty."""

    name: str
    parse: Callable[[str], object] = str
    required: bool = True


def read_csv_rows(data: bytes, source: str, columns: Iterable[Column]) -> list[dict[str, object]]:
    """Parse UTF-8 CSV bytes into typed dicts, checking the header and every cell."""
    rows, problems = parse_csv_rows(data, source, columns)
    if problems:
        raise TableError(source, problems)
    return rows


def parse_csv_rows(data: bytes, source: str, columns: Iterable[Column]) -> tuple[list[dict[str, object]], list[str]]:
    """Like :func:`read_csv_rows` but returns the cell problems so callers can add their own
    cross-row checks before raising; a bad header still raises at once."""
    columns = list(columns)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(source, [f"not UTF-8 at byte {exc.start}"]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    expected = [c.name for c in columns]
    if header is None:
        raise TableError(source, ["the file is empty"])
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        detail = []
        if missing:
            detail.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected column(s) {', '.join(extra)}")
        if not detail:
            detail.append(f"columns out of order; expected {', '.join(expected)}")
        raise TableError(source, ["header: " + "; ".join(detail)])
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    for number, cells in enumerate(reader, start=1):
        if len(cells) != len(expected):
            problems.append(f"row {number}: {len(cells)} fields, expected {len(expected)}")
            continue
        row: dict[str, object] = {}
        for column, cell in zip(columns, cells, strict=True):
            if cell == "":
                if column.required:
                    problems.append(f"row {number}, field '{column.name}': empty")
                row[column.name] = None
                continue
            try:
                row[column.name] = column.parse(cell)
            except ValueError as exc:
                row[column.name] = None
                problems.append(f"row {number}, field '{column.name}': {exc}")
        rows.append(row)
    return rows, problems


def number(cell: str) -> float:
    """A decimal number written with a point (``12.5``)."""
    try:
        return float(cell)
    except ValueError:
        raise ValueError(f"'{cell}' is not a number") from None


def positive_number(cell: str) -> float:
    value = number(cell)
    if value <= 0:
        raise ValueError(f"{cell} must be > 0")
    return value


def non_negative_number(cell: str) -> float:
    value = number(cell)
    if value < 0:
        raise ValueError(f"{cell} must be >= 0")
    return value


def year(cell: str) -> int:
    if not re.fullmatch(r"(19|20)\d\d", cell):
        raise ValueError(f"'{cell}' is not a year")
    return int(cell)


def one_of(*allowed: str) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        if cell not in allowed:
            raise ValueError(f"'{cell}' is not one of {', '.join(allowed)}")
        return cell

    return parse


def matching(pattern: str, what: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def parse(cell: str) -> str:
        if not compiled.fullmatch(cell):
            raise ValueError(f"'{cell}' is not {what}")
        return cell

    return parse
