"""Per-survey mapping files: from a survey export to canonical records (spec section 2).

A survey arrives as an export (Nettskjema CSV/XLSX, Microsoft Forms XLSX/CSV, or a generic
CSV/XLSX) and a ``mapping.yml`` saying which export column gives each canonical field and how its
answers translate. The schema is ``sources/surveys/mapping.schema.json`` (JSON Schema, checked
with ``jsonschema``) and is described with an example in ``docs/survey-mapping.md``::

    survey_id: DEMO-2025-ARBEIDSTID   # required, text: letters, digits, '_', '.', '-'
    year: 2025                        # required, integer survey year t
    format: nettskjema_csv            # required, see sources.surveys.exports.FORMATS
    data_status: demonstration        # required, 'demonstration' or 'published'
    title / publisher / licence: ...  # optional free text
    export: {encoding: cp1252, delimiter: ";", sheet: Sheet1}   # optional, overrides detection
    row_policy: {on_bad_rows: drop, max_bad_share: 0.05}       # optional, project default shown
    respondent_id: {column: "$submission_id"}   # required, unique within the survey
    fields:                           # required, canonical field -> how to get it
      sector_code: {column: arbeidssted, values: {"1": SYKEHUS, "2": SYKEHJEM}}   # required
      sex: {column: kjonn, values: {"1": F, "2": M, "3": null}}   # null => NULL
      hours_total: {column: timer_uke, type: number}              # decimal comma accepted
      unnecessary: {column: q7, values: {"Svært ofte": 5, "Vet ikke": 8}}
      design_weight: {column: vekt, type: number}                 # optional

Row-level problems (duplicate respondent id, hours_doc > hours_total, a code outside its domain,
an unknown sector, an unmapped value, a number that is not a number, a missing respondent id or
sector) reject the row and are reported as :class:`Problem` with the data row and column. Rows
sharing a respondent id are all rejected, since nothing tells which one is right. The
``row_policy`` says what happens to the file: ``drop`` (default) drops bad rows and rejects the
file when more than ``max_bad_share`` (default 5 %) of its rows are bad; ``reject_file`` rejects
the file at the first bad row.

Mapping is vectorised: each mapped column is dictionary-encoded, every *distinct* answer is
checked once, and the results are spread back to the rows with integer indexing. A million rows
with a few dozen distinct answers per column cost a few array operations per column.

Privacy: only the mapped canonical fields are returned. Every other column of the export (free
text, e-mail, names, ``$created`` timestamps, IP addresses) is dropped -- readers only parse the
mapped columns -- and problems only ever quote values of mapped columns. Columns that identify a
person or a moment (``Email``, ``Name``, ``$created``, ``Start time``, ...) cannot be mapped, and
a mapped column holding e-mail addresses is refused.
"""

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from sources.reference import CANONICAL_COLUMNS, sector_codes
from sources.surveys.delimited import Table
from sources.surveys.exports import FORMATS, ExportOptions, is_identifying_column
from sources.surveys.msforms import single_choice

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
REQUIRED_KEYS = ("survey_id", "year", "format", "data_status", "respondent_id", "fields")
OPTIONAL_KEYS = ("title", "publisher", "licence", "export", "row_policy")
FIELD_KEYS = ("column", "values", "type")
EXPORT_KEYS = ("encoding", "delimiter", "sheet")
ROW_POLICY_KEYS = ("on_bad_rows", "max_bad_share")
BAD_ROW_ACTIONS = ("drop", "reject_file")
SURVEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
NUMBER_PATTERN = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
INTEGER_PATTERN = re.compile(r"[+-]?\d+(\.0*)?")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_ROWS_LISTED = 10
SCHEMA_PATH = Path(__file__).with_name("mapping.schema.json")


class MappingError(ValueError):
    """A mapping file is not valid; the message names the file and the key."""


@dataclass(frozen=True)
class RowPolicy:
    """What a bad row does to its file: ``drop`` it (reject the file above ``max_bad_share``) or
    ``reject_file`` at once."""

    on_bad_rows: str = "drop"
    max_bad_share: float = 0.05

    def file_rejected(self, rows_rejected: int, rows_read: int) -> bool:
        if rows_read == 0:
            return True
        if self.on_bad_rows == "reject_file":
            return rows_rejected > 0
        return rows_rejected / rows_read > self.max_bad_share

    def describe(self) -> str:
        if self.on_bad_rows == "reject_file":
            return "reject the file at any bad row"
        return f"drop bad rows, reject the file when more than {self.max_bad_share:.0%} of rows are bad"


DEFAULT_ROW_POLICY = RowPolicy()


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
    export: ExportOptions = field(default_factory=ExportOptions)
    row_policy: RowPolicy = DEFAULT_ROW_POLICY


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
    """Rows sharing one problem message (``rows`` 1-based; empty for a whole-file problem)."""

    message: str
    column: str | None
    field: str | None
    value: str | None
    rows: np.ndarray
    order: int = 0
    row_values: list[str] | None = None  # per-row value when it differs by row (hours_doc > hours_total)

    def expand(self) -> list[Problem]:
        if len(self.rows) == 0:
            return [Problem(None, self.column, self.field, self.value, self.message)]
        values = self.row_values or [self.value] * len(self.rows)
        return [
            Problem(int(r), self.column, self.field, v, self.message)
            for r, v in zip(self.rows.tolist(), values, strict=True)
        ]


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
        return [g for g in self.groups if len(g.rows) == 0]


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


def _export_options(raw: object, path: str) -> ExportOptions:
    if raw is None:
        return ExportOptions()
    spec = _check_keys(raw, "export", path, (), EXPORT_KEYS)
    for key in EXPORT_KEYS:
        if key in spec and (not isinstance(spec[key], str) or not spec[key]):
            raise _fail(path, f"export.{key}", f"must be non-empty text, got {spec[key]!r}")
    delimiter = spec.get("delimiter")
    if delimiter is not None and delimiter not in (";", ",", "\t", "tab"):
        raise _fail(path, "export.delimiter", f"must be ';', ',' or tab, got {delimiter!r}")
    encoding = spec.get("encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _fail(path, "export.encoding", f"unknown encoding {encoding!r}") from None
    return ExportOptions(encoding, "\t" if delimiter == "tab" else delimiter, spec.get("sheet"))


def _row_policy(raw: object, path: str) -> RowPolicy:
    if raw is None:
        return DEFAULT_ROW_POLICY
    spec = _check_keys(raw, "row_policy", path, (), ROW_POLICY_KEYS)
    action = spec.get("on_bad_rows", DEFAULT_ROW_POLICY.on_bad_rows)
    if action not in BAD_ROW_ACTIONS:
        raise _fail(path, "row_policy.on_bad_rows", f"must be one of {', '.join(BAD_ROW_ACTIONS)}, got {action!r}")
    share = spec.get("max_bad_share", DEFAULT_ROW_POLICY.max_bad_share)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise _fail(path, "row_policy.max_bad_share", f"must be a share between 0 and 1, got {share!r}")
    return RowPolicy(action, float(share))


@cache
def mapping_schema() -> dict:
    """The JSON Schema of mapping files (``sources/surveys/mapping.schema.json``)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_problems(raw: object) -> list[str]:
    """Every violation of the JSON Schema, as ``key.path: message`` (empty when valid)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(mapping_schema())
    out = []
    for error in sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path]):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        out.append(f"{where}: {error.message}")
    return out


def parse_mapping(raw: object, path: str) -> Mapping:
    """Validate an already-parsed mapping document; ``path`` is used in error messages.

    The hand-written checks come first (they name the exact key and say what is wrong); the JSON
    Schema is then checked too, so that a file valid here is valid for editors using the schema.
    """
    doc = _check_keys(raw, "", path, REQUIRED_KEYS, OPTIONAL_KEYS)
    survey_id = _text(doc, "survey_id", path)
    if not SURVEY_ID_PATTERN.fullmatch(survey_id or ""):
        raise _fail(path, "survey_id", f"use letters, digits, '_', '.' or '-' only, got {survey_id!r}")
    mapping = Mapping(
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
        export=_export_options(doc.get("export"), path),
        row_policy=_row_policy(doc.get("row_policy"), path),
    )
    problems = schema_problems(raw)
    if problems:
        raise MappingError(f"{path}: " + "; ".join(problems))
    return mapping


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


def _header_problems(header: Sequence[str], mapping: Mapping) -> list[ProblemGroup]:
    present = set(header)
    groups = []
    for fm in [mapping.respondent_id, *mapping.fields.values()]:
        if fm.column not in present:
            message = f"unknown column '{fm.column}' (mapped to {fm.field}): not in the export header"
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


def _read_value(fm: FieldMapping, raw: str, multi_select: bool = False) -> tuple[object, str | None]:
    """Turn one answer into its canonical value (None = NULL); return (value, problem)."""
    text = raw.strip()
    if fm.values is not None:
        for candidate in (raw, text):
            if candidate in fm.values:
                return fm.values[candidate], None
        if text == "":
            return None, None
        if multi_select and ";" in text:
            option, single = single_choice(text)
            if not single:
                return None, f"several answers '{raw}' in column '{fm.column}' (one option is needed)"
            if option in fm.values:
                return fm.values[option], None
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


def _evaluate(fm: FieldMapping, raw: str, sectors: frozenset[str], multi_select: bool) -> tuple[object, str | None]:
    """The canonical value of one distinct answer and its problem, if any."""
    value, message = _read_value(fm, raw, multi_select)
    if message is None and value is not None:
        message = _domain_problem(fm, value, raw, sectors)
    if message is None and value is None and fm.field in REQUIRED_FIELDS:
        message = f"no {fm.field} (answer '{raw}') in column '{fm.column}'"
    return value, message


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


def _typed(kind: str, values: list[object]) -> np.ndarray:
    """Canonical values of the distinct answers as an array: float64 (NaN = NULL) for numbers and
    integer codes (exact in float64), objects for text."""
    if kind in ("number", "integer"):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array([*values, None], dtype=object)[:-1] if values else np.empty(0, dtype=object)


def _respondent(values: pa.Array, column: str) -> tuple[np.ndarray, list[ProblemGroup]]:
    """Respondent ids (stripped) per row, and the empty / duplicated / e-mail-like ids as problems.

    Computed with Arrow kernels: a million distinct ids never become a Python list of strings
    except for the output column itself.
    """
    trimmed = pc.utf8_trim_whitespace(values)
    encoded = pc.dictionary_encode(trimmed)
    row_codes = encoded.indices.to_numpy(zero_copy_only=False)
    labels = encoded.dictionary
    counts = np.bincount(row_codes, minlength=len(labels))
    groups: list[ProblemGroup] = []
    if len(labels) and pc.any(pc.match_substring_regex(labels, EMAIL_PATTERN.pattern)).as_py():
        message = f"column '{column}' (mapped to respondent_id) holds e-mail addresses; map the tool's own id"
        groups.append(ProblemGroup(message, column, "respondent_id", None, np.empty(0, dtype=np.int64)))
    empty = pc.equal(labels, "").to_numpy(zero_copy_only=False).astype(bool) if len(labels) else np.zeros(0, bool)
    bad = empty | (counts > 1)
    for k, rows in _group_rows(row_codes, bad).items():
        rid = str(labels[k].as_py())
        message = (
            f"empty respondent id in column '{column}'"
            if rid == ""
            else f"duplicate respondent id '{rid}' in column '{column}'"
        )
        groups.append(ProblemGroup(message, column, "respondent_id", rid, rows))
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
    values = [f"{doc_uniques[doc_codes[r]]} > {total_uniques[total_codes[r]]}" for r in flagged.tolist()]
    return [ProblemGroup(message, doc_map.column, "hours_doc", None, flagged + 1, order, values)]


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

    def arrow(self, column: str) -> pa.Array:
        """One column as an Arrow string array."""
        if isinstance(self._table, pd.DataFrame):
            values = self._table[column].map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object)
            return pa.array(values, type=pa.string())
        return self._table.arrow(column)

    def coded(self, column: str) -> tuple[np.ndarray, list[str]]:
        if column not in self._cache:
            if isinstance(self._table, pd.DataFrame):
                values = self._table[column].map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object)
                codes, uniques = pd.factorize(values, use_na_sentinel=False)
                self._cache[column] = (codes.astype(np.int64, copy=False), [str(u) for u in uniques])
            else:
                self._cache[column] = self._table.coded(column)
                if self._release:  # the text of the column is no longer needed: free it
                    self._table.columns[column] = pa.chunked_array([], type=pa.string())
        return self._cache[column]


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
) -> MappedSurvey:
    """Map an export's cells (all text) to canonical records; reject and report rows with problems.

    ``release_columns``: empty each column of ``table`` once it is encoded, to save memory on
    large exports (the table cannot be used afterwards).

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
    ids, groups = _respondent(coded.arrow(mapping.respondent_id.column), mapping.respondent_id.column)
    field_columns = {fm.column for fm in mapping.fields.values()}
    if release_columns and isinstance(table, Table) and mapping.respondent_id.column not in field_columns:
        table.columns[mapping.respondent_id.column] = pa.chunked_array([], type=pa.string())
    multi_select = mapping.format.startswith("msforms")
    columns: dict[str, np.ndarray] = {}
    for order, (name, fm) in enumerate(mapping.fields.items(), start=1):
        codes, uniques = coded.coded(fm.column)
        results = [_evaluate(fm, u, allowed, multi_select) for u in uniques]
        columns[name] = _typed(fm.type, [v for v, _ in results])[codes] if uniques else _typed(fm.type, [])
        bad = np.array([m is not None for _, m in results] + [False], dtype=bool)[:-1]
        for k, rows in _group_rows(codes, bad).items():
            groups.append(ProblemGroup(str(results[k][1]), fm.column, name, uniques[k], rows, order))
    groups.extend(_cross_field(mapping, columns, coded, len(mapping.fields) + 1))
    keep = np.ones(n, dtype=bool)
    for group in groups:
        keep[group.rows - 1] = False
    if any(len(g.rows) == 0 for g in groups):  # a file-level problem (e-mail ids): nothing is kept
        keep[:] = False
    groups.sort(key=lambda g: (int(g.rows.min()) if len(g.rows) else 0, g.order))
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


def _row_list(rows: list[int], total: int | None = None) -> str:
    total = len(rows) if total is None else total
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_LISTED])
    more = f", ... ({total} rows)" if total > MAX_ROWS_LISTED else ""
    return ("rows " if total > 1 else "row ") + shown + more


def summarise_groups(groups: Iterable[ProblemGroup]) -> list[str]:
    """One line per problem message, e.g. ``unmapped value 'X' in column 'q7' rows 12, 40, 41``."""
    merged: dict[str, list[np.ndarray]] = {}
    for group in groups:
        merged.setdefault(group.message, []).append(group.rows)
    lines = []
    for message, parts in merged.items():
        rows = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        lines.append(f"{message} {_row_list(rows[:MAX_ROWS_LISTED].tolist(), len(rows))}" if len(rows) else message)
    return lines


def summarise_problems(problems: Iterable[Problem]) -> list[str]:
    """Group identical problem messages, e.g. ``unmapped value 'X' in column 'q7' rows 12, 40, 41``.

    At most 10 row numbers are listed, then ``...`` and the count. Whole-file problems (no row)
    are listed as they are. Order: first occurrence.
    """
    groups: dict[str, set[int]] = {}
    for problem in problems:
        rows = groups.setdefault(problem.message, set())
        if problem.row is not None:
            rows.add(problem.row)
    return [f"{message} {_row_list(sorted(rows))}" if rows else message for message, rows in groups.items()]
