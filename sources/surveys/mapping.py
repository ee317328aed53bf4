"""Per-survey mapping files: from a survey export to canonical records (spec section 2).

A survey folder holds ``export.csv`` and ``mapping.yml``. The mapping says which export column
gives each canonical field and how its answer codes translate. Schema (see also
``docs/survey-mapping.md``)::

    survey_id: DEMO-2025-ARBEIDSTID   # required, text: letters, digits, '_', '.', '-'
    year: 2025                        # required, integer survey year t
    format: nettskjema_csv            # required, the export format (only nettskjema_csv so far)
    data_status: demonstration        # required, 'demonstration' or 'published'
    title: ...                        # optional free text
    publisher: ...                    # optional free text (who ran the survey)
    licence: ...                      # optional free text
    respondent_id: {column: "$submission_id"}   # required, unique within the survey
    fields:                           # required, canonical field -> how to get it
      sector_code: {column: arbeidssted, values: {"1": SYKEHUS, "2": SYKEHJEM}}   # required
      sex: {column: kjonn, values: {"1": F, "2": M, "3": null}}   # null => NULL
      hours_total: {column: timer_uke, type: number}              # decimal comma accepted
      hours_doc: {column: timer_dokumentasjon, type: number}
      unnecessary: {column: rapp_unyttig, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}
      duplicate: {column: dobbeltrapp, values: {...}}
      autonomy_1: {column: ..., values: {...}}                   # also autonomy_2, autonomy_3
      design_weight: {column: vekt, type: number}                 # optional

Each field entry has ``column`` (the export's column name, required), optionally ``values`` (a
table from the exact answer text to the canonical value; ``null`` maps to NULL; an answer not in
the table is a problem) and optionally ``type`` (``text``, ``integer`` or ``number``; if given it
must be the field's own type). Without ``values`` the answer is read as the field's type: text
as is, integers as digits, numbers with a decimal point or comma. An empty answer is NULL unless
the values table maps ``""``. A canonical field left out of the mapping is NULL for every row;
``respondent_id`` and ``sector_code`` are required.

Row-level problems (duplicate respondent id, hours_doc > hours_total, a code outside its domain,
an unknown sector, an unmapped value, a number that is not a number, a missing respondent id or
sector) reject the row and are reported as :class:`Problem`. Rows sharing a respondent id are
all rejected, since nothing tells which one is right.

Privacy: only the mapped canonical fields are returned. Every other column of the export (free
text, e-mail, names, ``$created`` timestamps, IP addresses) is dropped, and problems only ever
quote values of mapped columns.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

CANONICAL_COLUMNS: tuple[str, ...] = (
    "survey_id",
    "respondent_id",
    "year",
    "sector_code",
    "sex",
    "hours_total",
    "hours_doc",
    "unnecessary",
    "duplicate",
    "autonomy_1",
    "autonomy_2",
    "autonomy_3",
    "design_weight",
)
SECTOR_CODES: frozenset[str] = frozenset(
    {"SYKEHUS", "SYKEHJEM", "HJEMMETJ", "BARNEHAGE", "GRUNNSKOLE", "VGS", "NAV", "BARNEVERN", "POLITI"}
)
CODE_DOMAIN: frozenset[int] = frozenset({1, 2, 3, 4, 5, 8})
SEX_DOMAIN: frozenset[str] = frozenset({"F", "M"})
HOURS_TOTAL_RANGE = (1.0, 100.0)
HOURS_DOC_RANGE = (0.0, 100.0)

# Canonical fields that the `fields:` section may map, with their types.
FIELD_TYPES: dict[str, str] = {
    "sector_code": "text",
    "sex": "text",
    "hours_total": "number",
    "hours_doc": "number",
    "unnecessary": "integer",
    "duplicate": "integer",
    "autonomy_1": "integer",
    "autonomy_2": "integer",
    "autonomy_3": "integer",
    "design_weight": "number",
}
REQUIRED_FIELDS = ("sector_code",)
DATA_STATUSES = ("demonstration", "published")
FORMATS = ("nettskjema_csv",)
REQUIRED_KEYS = ("survey_id", "year", "format", "data_status", "respondent_id", "fields")
OPTIONAL_KEYS = ("title", "publisher", "licence")
FIELD_KEYS = ("column", "values", "type")
SURVEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
NUMBER_PATTERN = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
INTEGER_PATTERN = re.compile(r"[+-]?\d+(\.0*)?")
MAX_ROWS_LISTED = 10


class MappingError(ValueError):
    """A mapping file is not valid; the message names the file and the key."""


@dataclass(frozen=True)
class FieldMapping:
    """How one canonical field is read: source column, optional values table, value type."""

    field: str
    column: str
    type: str
    values: dict[str, object] | None = None


@dataclass(frozen=True)
class Mapping:
    """A validated survey mapping file."""

    survey_id: str
    year: int
    format: str
    data_status: str
    respondent_id: FieldMapping
    fields: dict[str, FieldMapping]
    title: str | None = None
    publisher: str | None = None
    licence: str | None = None
    path: str = ""


@dataclass(frozen=True)
class Problem:
    """One problem found while mapping an export; ``row`` is the 1-based data row (None: whole file)."""

    row: int | None
    column: str | None
    field: str | None
    value: str | None
    message: str


@dataclass
class MappedSurvey:
    """Canonical records (columns :data:`CANONICAL_COLUMNS`) and the problems of rejected rows."""

    records: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rows_rejected: int = 0
    rows_read: int = 0
    source_name: str = ""


# --------------------------------------------------------------------------- loading the YAML


def _fail(path: str, key: str, message: str) -> MappingError:
    return MappingError(f"{path}: {key}: {message}")


def _text(raw: dict, key: str, path: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"must be non-empty text, got {value!r}")
    return value.strip()


def _one_of(raw: dict, key: str, path: str, allowed: Sequence[str]) -> str:
    value = _text(raw, key, path)
    if value not in allowed:
        raise _fail(path, key, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _year(raw: dict, path: str) -> int:
    value = raw.get("year")
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise _fail(path, "year", f"must be an integer year, got {value!r}")
    return value


def _check_keys(raw: object, key: str, path: str, required: Iterable[str], optional: Iterable[str]) -> dict:
    if not isinstance(raw, dict):
        raise _fail(path, key, f"must be a mapping of keys to values, got {type(raw).__name__}")
    required, optional = list(required), list(optional)
    unknown = [str(k) for k in raw if k not in required and k not in optional]
    if unknown:
        raise _fail(
            path,
            f"{key}.{unknown[0]}" if key else unknown[0],
            f"unknown key (allowed: {', '.join(required + optional)})",
        )
    missing = [k for k in required if k not in raw]
    if missing:
        raise _fail(path, f"{key}.{missing[0]}" if key else missing[0], "required key is missing")
    return raw


def _value_target(target: object, kind: str, key: str, path: str) -> object:
    """Check one target of a values table against the field's type; return it typed."""
    if target is None:
        return None
    if kind == "text" and isinstance(target, str):
        return target
    if kind == "integer" and isinstance(target, int) and not isinstance(target, bool):
        return target
    if kind == "number" and isinstance(target, int | float) and not isinstance(target, bool):
        return float(target)
    raise _fail(path, key, f"maps to {target!r}, which is not {kind} or null (quote text such as 'no')")


def _values_table(raw: object, name: str, kind: str, path: str) -> dict[str, object]:
    key = f"fields.{name}.values"
    if not isinstance(raw, dict) or not raw:
        raise _fail(path, key, "must be a non-empty table of answer -> canonical value")
    table: dict[str, object] = {}
    for answer, target in raw.items():
        if isinstance(answer, bool) or not isinstance(answer, str | int):
            raise _fail(path, f"{key}.{answer}", 'answers must be text or integers; quote them, e.g. "1"')
        table[str(answer)] = _value_target(target, kind, f"{key}.{answer}", path)
    return table


def _field_mapping(name: str, raw: object, path: str) -> FieldMapping:
    key = f"fields.{name}"
    if name not in FIELD_TYPES:
        hint = " (set it at the top level)" if name in CANONICAL_COLUMNS else ""
        raise _fail(path, key, f"unknown canonical field{hint}; known: {', '.join(FIELD_TYPES)}")
    spec = _check_keys(raw, key, path, ("column",), ("values", "type"))
    column = spec["column"]
    if not isinstance(column, str) or not column:
        raise _fail(path, f"{key}.column", f"must be a column name, got {column!r}")
    kind = FIELD_TYPES[name]
    if "type" in spec and spec["type"] != kind:
        raise _fail(path, f"{key}.type", f"must be {kind!r} for {name}, got {spec['type']!r}")
    values = _values_table(spec["values"], name, kind, path) if "values" in spec else None
    return FieldMapping(field=name, column=column, type=kind, values=values)


def _respondent_mapping(raw: object, path: str) -> FieldMapping:
    spec = _check_keys(raw, "respondent_id", path, ("column",), ())
    column = spec["column"]
    if not isinstance(column, str) or not column:
        raise _fail(path, "respondent_id.column", f"must be a column name, got {column!r}")
    return FieldMapping(field="respondent_id", column=column, type="text")


def _fields(raw: object, path: str) -> dict[str, FieldMapping]:
    if not isinstance(raw, dict):
        raise _fail(path, "fields", "must be a mapping of canonical field -> {column: ...}")
    fields = {str(name): _field_mapping(str(name), spec, path) for name, spec in raw.items()}
    for name in REQUIRED_FIELDS:
        if name not in fields:
            raise _fail(path, f"fields.{name}", "required field is missing")
    return fields


def parse_mapping(raw: object, path: str) -> Mapping:
    """Validate an already-parsed mapping document; ``path`` is used in error messages."""
    doc = _check_keys(raw, "", path, REQUIRED_KEYS, OPTIONAL_KEYS)
    survey_id = _text(doc, "survey_id", path)
    if not SURVEY_ID_PATTERN.fullmatch(survey_id or ""):
        raise _fail(path, "survey_id", f"use letters, digits, '_', '.' or '-' only, got {survey_id!r}")
    return Mapping(
        survey_id=str(survey_id),
        year=_year(doc, path),
        format=_one_of(doc, "format", path, FORMATS),
        data_status=_one_of(doc, "data_status", path, DATA_STATUSES),
        respondent_id=_respondent_mapping(doc["respondent_id"], path),
        fields=_fields(doc["fields"], path),
        title=_text(doc, "title", path, required=False),
        publisher=_text(doc, "publisher", path, required=False),
        licence=_text(doc, "licence", path, required=False),
        path=path,
    )


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping YAML file; raise :class:`MappingError` naming the file and key."""
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{source}: cannot read the mapping: {exc}") from exc
    if raw is None:
        raise MappingError(f"{source}: the mapping file is empty")
    return parse_mapping(raw, source)


def mapping_columns(mapping: Mapping) -> list[str]:
    """Source columns the mapping reads, respondent id first, without repeats."""
    columns = [mapping.respondent_id.column] + [fm.column for fm in mapping.fields.values()]
    return list(dict.fromkeys(columns))


def validate_mapping_against_export(df: pd.DataFrame, mapping: Mapping) -> list[Problem]:
    """Whole-file problems: mapped columns that the export does not have."""
    present = set(df.columns)
    problems = []
    for fm in [mapping.respondent_id, *mapping.fields.values()]:
        if fm.column not in present:
            message = f"unknown column '{fm.column}' (mapped to {fm.field}): not in the export header"
            problems.append(Problem(row=None, column=fm.column, field=fm.field, value=None, message=message))
    return problems


# --------------------------------------------------------------------------- mapping the rows


def _parse_raw(fm: FieldMapping, text: str) -> tuple[object, str | None]:
    """Read an answer without a values table as the field's type; return (value, problem)."""
    if fm.type == "text":
        return text, None
    if fm.type == "integer":
        if INTEGER_PATTERN.fullmatch(text):
            return int(float(text)), None
        return None, f"not an integer '{text}' in column '{fm.column}'"
    if NUMBER_PATTERN.fullmatch(text):
        return float(text.replace(",", ".")), None
    return None, f"not a number '{text}' in column '{fm.column}'"


def _read_value(fm: FieldMapping, raw: str) -> tuple[object, str | None]:
    """Turn one answer into its canonical value (None = NULL); return (value, problem)."""
    text = raw.strip()
    if fm.values is not None:
        for candidate in (raw, text):
            if candidate in fm.values:
                return fm.values[candidate], None
        if text == "":
            return None, None
        return None, f"unmapped value '{raw}' in column '{fm.column}'"
    if text == "":
        return None, None
    return _parse_raw(fm, text)


def _domain_problem(fm: FieldMapping, value: object, raw: str, sectors: frozenset[str]) -> str | None:
    """Check a non-NULL canonical value against its domain (spec section 2)."""
    where = f"in column '{fm.column}'"
    if fm.field == "sector_code":
        return None if value in sectors else f"unknown sector '{value}' (from '{raw}') {where}"
    if fm.field == "sex":
        return None if value in SEX_DOMAIN else f"sex '{value}' (from '{raw}') is not F or M {where}"
    if fm.type == "integer":
        return None if value in CODE_DOMAIN else f"{fm.field} code {value} outside 1..5 or 8 {where}"
    number = float(value)  # type: ignore[arg-type]
    if fm.field == "design_weight":
        ok = math.isfinite(number) and number > 0
        return None if ok else f"design_weight {number:g} is not > 0 {where}"
    low, high = HOURS_TOTAL_RANGE if fm.field == "hours_total" else HOURS_DOC_RANGE
    return None if low <= number <= high else f"{fm.field} {number:g} outside {low:g}..{high:g} {where}"


def _map_row(
    mapping: Mapping, cells: dict[str, str], row: int, sectors: frozenset[str]
) -> tuple[dict[str, object], list[Problem]]:
    """Map one export row; return its canonical values and its problems."""
    record: dict[str, object] = {}
    problems: list[Problem] = []
    for name, fm in mapping.fields.items():
        raw = cells[fm.column]
        value, message = _read_value(fm, raw)
        if message is None and value is not None:
            message = _domain_problem(fm, value, raw, sectors)
        if message is None and value is None and name in REQUIRED_FIELDS:
            message = f"no {name} (answer '{raw}') in column '{fm.column}'"
        if message is not None:
            problems.append(Problem(row, fm.column, name, raw, message))
        record[name] = value
    problems.extend(_cross_field_problems(mapping, record, cells, row))
    return record, problems


def _cross_field_problems(
    mapping: Mapping, record: dict[str, object], cells: dict[str, str], row: int
) -> list[Problem]:
    total, doc = record.get("hours_total"), record.get("hours_doc")
    if total is None or doc is None or float(doc) <= float(total):  # type: ignore[arg-type]
        return []
    doc_map, total_map = mapping.fields["hours_doc"], mapping.fields["hours_total"]
    message = f"hours_doc greater than hours_total (columns '{doc_map.column}' > '{total_map.column}')"
    value = f"{cells[doc_map.column]} > {cells[total_map.column]}"
    return [Problem(row, doc_map.column, "hours_doc", value, message)]


def _respondent_problems(ids: list[str], column: str) -> list[Problem]:
    """Empty and duplicated respondent ids (every row of a duplicated id is a problem)."""
    counts: dict[str, int] = {}
    for rid in ids:
        counts[rid] = counts.get(rid, 0) + 1
    problems = []
    for position, rid in enumerate(ids, start=1):
        if rid == "":
            problems.append(
                Problem(position, column, "respondent_id", rid, f"empty respondent id in column '{column}'")
            )
        elif counts[rid] > 1:
            message = f"duplicate respondent id '{rid}' in column '{column}'"
            problems.append(Problem(position, column, "respondent_id", rid, message))
    return problems


def _records_frame(mapping: Mapping, ids: list[str], rows: list[dict[str, object]]) -> pd.DataFrame:
    """Build the canonical DataFrame with the spec's column order and dtypes."""
    n = len(rows)

    def column(name: str) -> list[object]:
        return [row.get(name) for row in rows]

    data = {
        "survey_id": pd.Series([mapping.survey_id] * n, dtype=object),
        "respondent_id": pd.Series(ids, dtype=object),
        "year": pd.Series(np.full(n, mapping.year, dtype=np.int64)),
    }
    for name in CANONICAL_COLUMNS[3:]:
        kind = FIELD_TYPES[name]
        values = column(name)
        if kind == "number":
            data[name] = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        elif kind == "integer":
            data[name] = pd.Series(values, dtype="Int64")
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(CANONICAL_COLUMNS))


def apply_mapping(
    df: pd.DataFrame,
    mapping: Mapping,
    source_name: str,
    sectors: Iterable[str] = SECTOR_CODES,
) -> MappedSurvey:
    """Map an export (all columns text) to canonical records; reject and report rows with problems.

    ``sectors`` is the set of allowed sector codes (default: the nine sectors of spec section 1).
    If a mapped column is missing from the export, no row can be mapped: every row is rejected
    and the missing columns are the problems.
    """
    allowed = frozenset(sectors)
    missing = validate_mapping_against_export(df, mapping)
    if missing:
        return MappedSurvey(_records_frame(mapping, [], []), missing, len(df), len(df), source_name)
    columns = mapping_columns(mapping)
    ids = [str(v).strip() for v in df[mapping.respondent_id.column]]
    problems = _respondent_problems(ids, mapping.respondent_id.column)
    bad_rows = {p.row for p in problems}
    kept_ids: list[str] = []
    kept: list[dict[str, object]] = []
    for position, values in enumerate(df[columns].itertuples(index=False, name=None), start=1):
        cells = {c: "" if v is None else str(v) for c, v in zip(columns, values, strict=True)}
        record, row_problems = _map_row(mapping, cells, position, allowed)
        problems.extend(row_problems)
        if row_problems or position in bad_rows:
            bad_rows.add(position)
            continue
        kept_ids.append(ids[position - 1])
        kept.append(record)
    problems.sort(key=lambda p: p.row or 0)
    records = _records_frame(mapping, kept_ids, kept)
    return MappedSurvey(records, problems, len(bad_rows), len(df), source_name)


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_LISTED])
    more = f", ... ({len(rows)} rows)" if len(rows) > MAX_ROWS_LISTED else ""
    return ("rows " if len(rows) > 1 else "row ") + shown + more


def summarise_problems(problems: Iterable[Problem]) -> list[str]:
    """Group identical problem messages, e.g. ``unmapped value 'X' in column 'q7' rows 12, 40, 41``.

    At most 10 row numbers are listed, then ``...`` and the count. Whole-file problems (no row)
    are listed as they are. Order: first occurrence.
    """
    groups: dict[str, list[int]] = {}
    for problem in problems:
        rows = groups.setdefault(problem.message, [])
        if problem.row is not None and problem.row not in rows:
            rows.append(problem.row)
    return [f"{message} {_row_list(sorted(rows))}" if rows else message for message, rows in groups.items()]
