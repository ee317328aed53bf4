"""The mapping ENGINE: apply a validated :class:`~sources.surveys.mapping.Mapping` to an export's table.

Every cell is read by a declared rule (docs/survey-mapping.md, "How cells are read"):

- answer labels are compared after Unicode NFC and trimming (a label typed on a Mac in NFD form
  matches the mapping's NFC label);
- numbers follow the mapping's declared number format (``export.decimal_mark``,
  ``export.thousands_separator``); undeclared, ``1,250`` or ``1.250`` (a mark before exactly three
  digits) is refused as ambiguous, never guessed; numbers that were Excel number cells are exact;
- a cached Excel error (``#N/A``, ``#VALUE!``, ...), a merged cell, a hidden row of an autofilter
  and a formula without a cached value are row problems naming the cell (``Sheet1!C14``), never NULL;
- a mapped ``design_weight`` is needed for every respondent: an empty one is a row problem, never a
  silent switch of the survey's weighting;
- a response date (the tool's time column) outside the mapping's ``year`` is a row problem;
- respondent ids follow :mod:`sources.surveys.respondent_ids` (no personal data) and are unique.

Row-level problems reject the row; the mapping's ``row_policy`` decides what that does to the file.
Problems are grouped by column and kind (:mod:`sources.surveys.problems`), so the memory used for
problems is bounded by the number of mapped columns, not by the number of distinct bad answers.

Mapping is vectorised: each mapped column is dictionary-encoded, every *distinct* answer is
checked once, and the results are spread back to the rows with integer indexing.

Privacy: only the mapped canonical fields are returned. Problem *messages* never quote an answer;
a few example answers are kept beside them for the restricted outputs only.
"""

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from method.reference import CANONICAL_COLUMNS, sector_codes
from sources.messages import quote
from sources.surveys.delimited import Table
from sources.surveys.exports import is_identifying_column, tool_id_column
from sources.surveys.mapping import (
    CODE_DOMAIN,
    FIELD_TYPES,
    HOURS_DOC_RANGE,
    HOURS_TOTAL_RANGE,
    REQUIRED_FIELDS,
    SEX_DOMAIN,
    FieldMapping,
    Mapping,
    NumberFormat,
    label_key,
)
from sources.surveys.msforms import parse_dates, single_choice
from sources.surveys.problems import MAX_CELLS_LISTED, MAX_EXAMPLES, Problem, ProblemGroup
from sources.surveys.respondent_ids import respondent_id_problems

INTEGER_PATTERN = re.compile(r"[+-]?\d{1,15}(\.0*)?")
_NUMBER_ANY = re.compile(r"[+-]?(\d{1,15}([.,]\d{0,15})?|[.,]\d{1,15})")
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
EXCEL_ERRORS = frozenset(
    {"#N/A", "#N/A N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
    | {"#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)
EXCEL_ERROR_MESSAGE = (
    "a cached Excel error (#N/A, #VALUE!, #DIV/0!, ...) in column '{column}': fix the formula or the cell"
)


@dataclass
class MappedSurvey:
    """Canonical records (columns :data:`CANONICAL_COLUMNS`) and the problems of rejected rows."""

    records: pd.DataFrame
    groups: list[ProblemGroup] = field(default_factory=list)
    rows_rejected: int = 0
    rows_read: int = 0
    source_name: str = ""

    @property
    def problems(self) -> list[Problem]:
        """Every problem, one per row and problem, ordered by row (whole-file problems first)."""
        keyed = [(p.row or 0, g.order, p) for g in self.groups for p in g.expand()]
        keyed.sort(key=lambda item: (item[0], item[1]))
        return [p for _, _, p in keyed]

    @property
    def file_problems(self) -> list[ProblemGroup]:
        return [g for g in self.groups if g.refuses_file]


# --------------------------------------------------------------------------- the header


def _loose(name: str) -> str:
    """A column name compared loosely: NFC, any whitespace (NBSP too) as one space, trimmed, casefolded."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def near_miss_hint(column: str, header: Sequence[str], loose: dict[str, str] | None = None) -> str:
    """``; the header has 'Kjønn ' (differs by: trailing space)`` for a column that is almost there.
    ``loose``: the header indexed by :func:`_loose` (built once: linear in the header)."""
    if loose is None:
        loose = {}
        for name in header:
            loose.setdefault(_loose(name), name)
    name = loose.get(_loose(column))
    if name is None:
        return ""
    differences = []
    if unicodedata.normalize("NFC", name) != name or unicodedata.normalize("NFC", column) != column:
        differences.append("Unicode form (composed vs decomposed letters)")
    if name.strip() != name or column.strip() != column:
        differences.append("leading or trailing space")
    if any(c.isspace() and c != " " for c in name + column):
        differences.append("a non-breaking or other special space")
    if " ".join(unicodedata.normalize("NFC", name).split()) != " ".join(unicodedata.normalize("NFC", column).split()):
        differences.append("upper/lower case")
    return f"; the header has {quote(name)} (differs by: {', '.join(differences) or 'spacing'}): copy it exactly"


def _header_problems(header: Sequence[str], mapping: Mapping) -> list[ProblemGroup]:
    present = set(header)
    loose: dict[str, str] = {}
    groups = []
    for fm in [mapping.respondent_id, *mapping.fields.values()]:
        if fm.column not in present:
            if not loose:
                for name in header:
                    loose.setdefault(_loose(name), name)
            message = f"unknown column '{fm.column}' (mapped to {fm.field}): not in the export header"
            message += near_miss_hint(fm.column, header, loose)
        elif is_identifying_column(mapping.format, fm.column):
            message = (
                f"column '{fm.column}' (mapped to {fm.field}) identifies a person or an exact time; "
                "it can never be mapped"
            )
        else:
            continue
        groups.append(ProblemGroup(message, fm.column, fm.field, None, np.empty(0, dtype=np.int64)))
    return groups


def validate_mapping_against_export(df: pd.DataFrame | Sequence[str], mapping: Mapping) -> list[Problem]:
    """Whole-file problems of the header: mapped columns that the export does not have, or that
    identify a person or a moment (e-mail, name, timestamps)."""
    header = list(df.columns) if isinstance(df, pd.DataFrame) else list(df)
    return [p for g in _header_problems(header, mapping) for p in g.expand()]


# --------------------------------------------------------------------------- reading one answer


def parse_number(text: str, numbers: NumberFormat, typed: bool = False) -> tuple[float | None, str | None]:
    """A number by the declared format; ``typed``: the text came from an Excel number cell (exact).
    Returns (value, problem kind) where the kind is ``None``, ``"ambiguous"`` or ``"not a number"``."""
    if typed:
        try:
            return float(text), None
        except ValueError:
            return None, "not a number"
    if len(text) > 40:
        return None, "not a number"
    mark = numbers.decimal_mark
    if mark is None:
        if not _NUMBER_ANY.fullmatch(text):
            return None, "not a number"
        if _AMBIGUOUS.fullmatch(text):
            return None, "ambiguous"
        return float(text.replace(",", ".")), None
    sep = numbers.thousands_separator
    group = "[ \u00a0\u202f]" if sep == " " else re.escape(sep) if sep else None
    whole = rf"(\d{{1,3}}({group}\d{{3}})+|\d+)" if group else r"\d+"
    pattern = rf"[+-]?({whole}({re.escape(mark)}\d*)?|{re.escape(mark)}\d+)"
    if not re.fullmatch(pattern, text):
        return None, "not a number"
    if group:
        text = re.sub(group, "", text)
    return float(text.replace(mark, ".")), None


def _number_problem(kind: str, fm: FieldMapping, numbers: NumberFormat) -> str:
    if kind == "ambiguous":
        return (
            f"ambiguous number in column '{fm.column}' (a ',' or '.' before exactly three digits: decimal mark or "
            "thousands separator?); declare `export: {decimal_mark: ',', thousands_separator: ' '}` (or '.' and ',')"
        )
    declared = ""
    if numbers.decimal_mark is not None:
        declared = f" (declared decimal mark {quote(numbers.decimal_mark)}"
        separator = numbers.thousands_separator
        declared += f", thousands separator {quote(separator)})" if separator else ")"
    return f"not a number in column '{fm.column}'{declared}"


def _parse_raw(fm: FieldMapping, text: str, numbers: NumberFormat, typed: bool) -> tuple[object, str | None]:
    """Read an answer without a values table as the field's type; return (value, problem)."""
    if fm.type == "text":
        return text, None
    if fm.type == "integer":
        if INTEGER_PATTERN.fullmatch(text):
            return int(text.split(".")[0]), None
        return None, f"not an integer in column '{fm.column}'"
    value, kind = parse_number(text, numbers, typed)
    return (value, None) if kind is None else (None, _number_problem(kind, fm, numbers))


def _read_value(
    fm: FieldMapping, raw: str, multi_select: bool = False, numbers: NumberFormat | None = None, typed: bool = False
) -> tuple[object, str | None]:
    """Turn one answer into its canonical value (None = NULL); return (value, problem)."""
    text = label_key(raw)
    if text in EXCEL_ERRORS:
        return None, EXCEL_ERROR_MESSAGE.format(column=fm.column)
    if fm.values is not None:
        if text in fm.values:
            return fm.values[text], None
        if text == "":
            return None, None
        if multi_select and ";" in text:
            option, single = single_choice(text)
            if not single:
                return None, f"several answers in column '{fm.column}' (one option is needed)"
            if option in fm.values:
                return fm.values[option], None
        return None, f"unmapped value in column '{fm.column}' (not in its values table)"
    if text == "":
        return None, None
    return _parse_raw(fm, text, numbers or NumberFormat(), typed)


def _domain_problem(fm: FieldMapping, value: object, sectors: frozenset[str]) -> str | None:
    """Check a non-NULL canonical value against its domain (spec section 2). The message names the
    field, column and rule, never the answer (problem values are only shown in restricted reports)."""
    where = f"in column '{fm.column}'"
    if fm.field == "sector_code":
        return None if value in sectors else f"unknown sector code {where}"
    if fm.field == "sex":
        return None if value in SEX_DOMAIN else f"sex is not F or M {where}"
    if fm.type == "integer":
        return None if value in CODE_DOMAIN else f"{fm.field} code outside 1..5 or 8 {where}"
    number = float(value)  # type: ignore[arg-type]
    if fm.field == "design_weight":
        ok = math.isfinite(number) and number > 0
        return None if ok else f"design_weight is not > 0 {where}"
    low, high = HOURS_TOTAL_RANGE if fm.field == "hours_total" else HOURS_DOC_RANGE
    return None if low <= number <= high else f"{fm.field} outside {low:g}..{high:g} {where}"


def _evaluate(
    fm: FieldMapping, raw: str, sectors: frozenset[str], multi_select: bool, numbers: NumberFormat, typed: bool
) -> tuple[object, str | None]:
    """The canonical value of one distinct answer and its problem, if any."""
    value, message = _read_value(fm, raw, multi_select, numbers, typed)
    if message is None and value is not None:
        message = _domain_problem(fm, value, sectors)
    if message is None and value is None and fm.field in REQUIRED_FIELDS:
        message = f"no {fm.field} (empty, or mapped to null) in column '{fm.column}'"
    if message is None and value is None and fm.field == "design_weight":
        message = (
            f"no design_weight in column '{fm.column}': once a design weight is mapped every respondent needs one "
            "(the survey is never switched to another weighting silently)"
        )
    return value, message


# --------------------------------------------------------------------------- rows


def _group_rows(codes: np.ndarray, bad_code: np.ndarray) -> dict[int, np.ndarray]:
    """1-based rows per bad distinct answer (``bad_code[k]`` = answer k is bad)."""
    rows = np.flatnonzero(bad_code[codes])
    if rows.size == 0:
        return {}
    keys = codes[rows]
    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    cuts = np.flatnonzero(np.diff(keys)) + 1
    return {int(k[0]): r + 1 for k, r in zip(np.split(keys, cuts), np.split(rows, cuts), strict=True)}


def _message_groups(
    codes: np.ndarray, uniques: list[str], messages: list[str | None], fm: FieldMapping, order: int
) -> list[ProblemGroup]:
    """One group per distinct message of a column (never one per distinct bad answer): its rows and
    up to :data:`MAX_EXAMPLES` example answers for the restricted outputs."""
    bad = np.array([m is not None for m in messages] + [False], dtype=bool)[:-1]
    if not bad.any():
        return []
    index: dict[str, int] = {}
    kinds = np.full(len(messages), -1, dtype=np.int64)
    examples: list[list[str]] = []
    for k, message in enumerate(messages):
        if message is None:
            continue
        i = index.setdefault(message, len(index))
        kinds[k] = i
        if i == len(examples):
            examples.append([])
        if len(examples[i]) < MAX_EXAMPLES:
            examples[i].append(uniques[k])
    row_kinds = kinds[codes]
    groups = []
    for message, i in index.items():
        rows = np.flatnonzero(row_kinds == i) + 1
        if len(rows):
            first = examples[i][0]
            groups.append(ProblemGroup(message, fm.column, fm.field, first, rows, order, None, False, examples[i]))
    return groups


def _typed(kind: str, values: list[object]) -> np.ndarray:
    """Canonical values of the distinct answers as an array: float64 (NaN = NULL) for numbers and
    integer codes (exact in float64), objects for text."""
    if kind in ("number", "integer"):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array([*values, None], dtype=object)[:-1] if values else np.empty(0, dtype=object)


def _respondent(values: pa.Array, column: str, tool_id: bool = False) -> tuple[np.ndarray, list[ProblemGroup]]:
    """Respondent ids (stripped) per row, and the personal-data / not-issued / empty / duplicated
    ids as problems (:mod:`sources.surveys.respondent_ids`; docs/survey-mapping.md, "Respondent id")."""
    trimmed = pc.utf8_trim_whitespace(values)
    encoded = pc.dictionary_encode(trimmed)
    row_codes = encoded.indices.to_numpy(zero_copy_only=False)
    labels = encoded.dictionary
    counts = np.bincount(row_codes, minlength=len(labels))
    groups = respondent_id_problems(labels, row_codes, column, tool_id)
    empty = pc.equal(labels, "").to_numpy(zero_copy_only=False).astype(bool) if len(labels) else np.zeros(0, bool)
    for mask, message in (
        (empty, f"empty respondent id in column '{column}' (a blank, title or total row?)"),
        (~empty & (counts > 1), f"duplicate respondent id in column '{column}'"),
    ):
        rows = np.flatnonzero(mask[row_codes]) + 1 if len(labels) else np.empty(0, dtype=np.int64)
        if len(rows):
            first = [str(labels[int(k)].as_py()) for k in np.flatnonzero(mask)[:MAX_EXAMPLES]]
            groups.append(ProblemGroup(message, column, "respondent_id", first[0], rows, 0, None, False, first))
    ids = trimmed.to_numpy(zero_copy_only=False).astype(object, copy=False)
    return ids, groups


def _cross_field(
    mapping: Mapping, columns: dict[str, np.ndarray], table: "CodedTable", order: int
) -> list[ProblemGroup]:
    if "hours_total" not in columns or "hours_doc" not in columns:
        return []
    total, doc = columns["hours_total"], columns["hours_doc"]
    with np.errstate(invalid="ignore"):
        flagged = np.flatnonzero(doc > total)
    if flagged.size == 0:
        return []
    doc_map, total_map = mapping.fields["hours_doc"], mapping.fields["hours_total"]
    message = f"hours_doc greater than hours_total (columns '{doc_map.column}' > '{total_map.column}')"
    doc_codes, doc_uniques = table.coded(doc_map.column)
    total_codes, total_uniques = table.coded(total_map.column)
    values = [f"{doc_uniques[doc_codes[r]]} > {total_uniques[total_codes[r]]}" for r in flagged[:MAX_EXAMPLES].tolist()]
    return [ProblemGroup(message, doc_map.column, "hours_doc", None, flagged + 1, order, None, False, values)]


def _cell_problems(table: Table | pd.DataFrame, mapping: Mapping) -> list[ProblemGroup]:
    """The reader's cell problems (formula without a cached value, cached Excel error, merged cell,
    hidden row) in mapped columns or whole rows, as row problems naming the cells."""
    if not isinstance(table, Table) or not table.cell_problems:
        return []
    fields = {fm.column: fm.field for fm in [*mapping.fields.values(), mapping.respondent_id]}
    found: dict[tuple[str | None, str], tuple[list[int], list[str]]] = {}
    for problem in table.cell_problems:
        row, column, kind = problem[:3]
        address = problem[3] if len(problem) > 3 else None
        if column is not None and column not in fields:
            continue
        rows, cells = found.setdefault((column, kind), ([], []))
        rows.append(row)
        if address and len(cells) < 6:
            cells.append(address)
    groups = []
    for (column, kind), (rows, cells) in found.items():
        message = f"{kind} in column '{column}'" if column is not None else kind
        group = ProblemGroup(message, column, fields.get(column or ""), None, np.unique(np.array(rows, dtype=np.int64)))
        group.cells = cells
        groups.append(group)
    return groups


def _date_problems(table: "CodedTable", columns: Sequence[str], year: int, order: int) -> list[ProblemGroup]:
    """Rows whose response date (the tool's time column) falls outside the survey's fielding window:
    the mapping's ``year`` t or the year after (a survey about year t may be fielded early in t+1)."""
    for column in columns:
        if column not in table.header:
            continue
        codes, uniques = table.coded(column, release=False)
        dates = parse_dates(uniques)
        outside = np.array([d is not None and d.year not in (year, year + 1) for d in dates] + [False], dtype=bool)[:-1]
        rows = np.flatnonzero(outside[codes]) + 1 if len(uniques) else np.empty(0, dtype=np.int64)
        if not len(rows):
            return []
        years = sorted({d.year for d in dates if d is not None and d.year not in (year, year + 1)})
        shown = ", ".join(str(y) for y in years[:5])
        message = (
            f"response date outside the survey year {year} and the year after (in {shown}) in column '{column}': "
            "is the mapping's `year` right?"
        )
        return [ProblemGroup(message, column, None, None, rows, order)]
    return []


class CodedTable:
    """Dictionary-encoded columns of an export, each encoded once."""

    def __init__(self, table: Table | pd.DataFrame, release: bool = False) -> None:
        self._table = table
        self._release = release and isinstance(table, Table)
        self._cache: dict[str, tuple[np.ndarray, list[str]]] = {}
        if isinstance(table, pd.DataFrame):
            self.header, self.n_rows = [str(c) for c in table.columns], len(table)
        else:
            self.header, self.n_rows = table.header, table.n_rows
        self.numeric_texts: dict[str, frozenset[str]] = getattr(table, "numeric_texts", {}) or {}

    def arrow(self, column: str) -> pa.Array:
        """One column as an Arrow string array."""
        if isinstance(self._table, pd.DataFrame):
            values = self._table[column].map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object)
            return pa.array(values, type=pa.string())
        return self._table.arrow(column)

    def coded(self, column: str, release: bool = True) -> tuple[np.ndarray, list[str]]:
        if column not in self._cache:
            if isinstance(self._table, pd.DataFrame):
                values = self._table[column].map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object)
                codes, uniques = pd.factorize(values, use_na_sentinel=False)
                self._cache[column] = (codes.astype(np.int64, copy=False), [str(u) for u in uniques])
            else:
                self._cache[column] = self._table.coded(column)
                if self._release and release:  # the text of the column is no longer needed: free it
                    self._table.columns[column] = pa.chunked_array([], type=pa.string())
        return self._cache[column]


def _add_cell_addresses(table: Table | pd.DataFrame, groups: list[ProblemGroup]) -> None:
    """In a workbook, every row problem also names its first cells (``Form1!C14``): the sheet row is
    the data row + 1 (the header is row 1)."""
    if not isinstance(table, Table) or not table.sheet:
        return
    from sources.surveys.xlsx import column_letters

    index = {name: i for i, name in enumerate(table.header)}
    for group in groups:
        if group.cells or not len(group.rows) or group.column not in index:
            continue
        letters = column_letters(index[group.column])
        group.cells = [f"{table.sheet}!{letters}{row + 1}" for row in group.rows[:MAX_CELLS_LISTED].tolist()]


def _repeat(value: object, n: int) -> np.ndarray:
    """``n`` references to one object (``np.full`` would make ``n`` copies of a string)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _records_frame(mapping: Mapping, ids: np.ndarray, columns: dict[str, np.ndarray], keep: np.ndarray) -> pd.DataFrame:
    """Build the canonical DataFrame with the spec's column order and dtypes."""
    n = int(keep.sum())
    everything = n == len(keep)  # no row dropped: no copies

    def kept(values: np.ndarray) -> np.ndarray:
        return values if everything else values[keep]

    data: dict[str, pd.Series] = {
        "survey_id": pd.Series(_repeat(mapping.survey_id, n), dtype=object),
        "respondent_id": pd.Series(kept(ids), dtype=object),
        "year": pd.Series(np.full(n, mapping.year, dtype=np.int64)),
    }
    for name in CANONICAL_COLUMNS[3:]:
        kind = FIELD_TYPES[name]
        if name not in columns:
            values = np.full(n, np.nan) if kind in ("number", "integer") else _repeat(None, n)
        else:
            values = kept(columns.pop(name))  # the caller's arrays are released as they are used
        if kind == "number":
            data[name] = pd.Series(values, dtype="float64")
        elif kind == "integer":
            missing = np.isnan(values)
            codes = np.where(missing, 0, values).astype(np.int64)
            data[name] = pd.Series(pd.arrays.IntegerArray(codes, missing))
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(CANONICAL_COLUMNS))


def map_table(
    table: Table | pd.DataFrame,
    mapping: Mapping,
    source_name: str,
    sectors: Iterable[str] | None = None,
    release_columns: bool = False,
    time_columns: Sequence[str] = (),
) -> MappedSurvey:
    """Map an export's cells (all text) to canonical records; reject and report rows with problems.

    ``release_columns``: empty each mapped column of ``table`` once it is encoded, to save memory on
    large exports (the mapped columns cannot be used afterwards). ``time_columns``: the tool's
    response-time columns, checked against the mapping's ``year`` (never mapped, never released).

    ``sectors`` is the set of allowed sector codes (default: the sectors of the seed, spec section 1).
    If a mapped column is missing from the export (or may not be mapped), no row can be mapped:
    every row is rejected and those columns are the problems.
    """
    allowed = frozenset(sector_codes() if sectors is None else sectors)
    coded = CodedTable(table, release_columns)
    n = coded.n_rows
    file_groups = _header_problems(coded.header, mapping)
    if file_groups:
        empty = _records_frame(mapping, np.empty(0, dtype=object), {}, np.zeros(0, dtype=bool))
        return MappedSurvey(empty, file_groups, n, n, source_name)
    rid_column = mapping.respondent_id.column
    ids, groups = _respondent(coded.arrow(rid_column), rid_column, rid_column == tool_id_column(mapping.format))
    if release_columns and isinstance(table, Table):
        table.columns[rid_column] = pa.chunked_array([], type=pa.string())
    multi_select = mapping.format.startswith("msforms")
    columns: dict[str, np.ndarray] = {}
    for order, (name, fm) in enumerate(mapping.fields.items(), start=1):
        codes, uniques = coded.coded(fm.column)
        typed = coded.numeric_texts.get(fm.column, frozenset())
        results = [_evaluate(fm, u, allowed, multi_select, mapping.numbers, u in typed) for u in uniques]
        columns[name] = _typed(fm.type, [v for v, _ in results])[codes] if uniques else _typed(fm.type, [])
        groups.extend(_message_groups(codes, uniques, [m for _, m in results], fm, order))
    groups.extend(_cross_field(mapping, columns, coded, len(mapping.fields) + 1))
    groups.extend(_cell_problems(table, mapping))
    groups.extend(_date_problems(coded, time_columns, mapping.year, len(mapping.fields) + 2))
    keep = np.ones(n, dtype=bool)
    for group in groups:
        keep[group.rows - 1] = False
    if any(g.refuses_file for g in groups):  # a file-level problem (personal data as ids): nothing is kept
        keep[:] = False
    _add_cell_addresses(table, groups)
    groups.sort(key=lambda g: (0 if g.refuses_file else int(g.rows.min()), g.order))
    records = _records_frame(mapping, ids, columns, keep)
    return MappedSurvey(records, groups, n - int(keep.sum()), n, source_name)


def apply_mapping(
    df: pd.DataFrame,
    mapping: Mapping,
    source_name: str,
    sectors: Iterable[str] | None = None,
) -> MappedSurvey:
    """Map an export read into a DataFrame of strings (see :func:`map_table`)."""
    return map_table(df, mapping, source_name, sectors)
