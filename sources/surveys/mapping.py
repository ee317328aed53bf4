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
mapped columns. Problem *messages* never quote an answer (they name the row, column and kind of
problem; they reach logs and Dagster events); the answer is kept beside them (``Problem.value``)
for the restricted outputs only: the ``validate`` command and the quarantine report
(:func:`summarise_groups` with ``with_values=True``). Columns that identify a person or a moment
(``Email``, ``Name``, ``$created``, ``Start time``, ...) cannot be mapped, and the respondent id
must look issued by the survey tool (:func:`_respondent`; docs/survey-mapping.md, "Respondent id").
"""

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from sources.messages import clip, quote
from sources.reference import CANONICAL_COLUMNS, sector_codes
from sources.surveys.delimited import Table
from sources.surveys.exports import FORMATS, ExportOptions, is_identifying_column, tool_id_column
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
ID_PATTERN = r"^[A-Za-z0-9_.:#/-]{1,64}$"  # a respondent id: one token, as a survey tool issues it
MAX_ROWS_LISTED = 10
MAX_MAPPING_BYTES = 256 * 1024  # a mapping with hundreds of value labels is a few KiB
MAX_MAPPING_NODES = 20_000  # values once YAML aliases are expanded
MAX_SCHEMA_PROBLEMS = 10
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
    return MappingError(f"{path}: {clip(key, 120)}: {message}")


def _text(raw: dict, key: str, path: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"must be non-empty text, got {quote(value)}")
    return value.strip()


def _one_of(raw: dict, key: str, path: str, allowed: Sequence[str]) -> str:
    value = _text(raw, key, path)
    if value not in allowed:
        raise _fail(path, key, f"must be one of {', '.join(allowed)}, got {quote(value)}")
    return value


def _year(raw: dict, path: str) -> int:
    value = raw.get("year")
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise _fail(path, "year", f"must be an integer year, got {quote(value)}")
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
    raise _fail(path, key, f"maps to {quote(target)}, which is not {kind} or null (quote text such as 'no')")


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
        raise _fail(path, f"{key}.column", f"must be a column name, got {quote(column)}")
    kind = FIELD_TYPES[name]
    if "type" in spec and spec["type"] != kind:
        raise _fail(path, f"{key}.type", f"must be {quote(kind)} for {name}, got {quote(spec['type'])}")
    values = _values_table(spec["values"], name, kind, path) if "values" in spec else None
    return FieldMapping(field=name, column=column, type=kind, values=values)


def _respondent_mapping(raw: object, path: str) -> FieldMapping:
    spec = _check_keys(raw, "respondent_id", path, ("column",), ())
    column = spec["column"]
    if not isinstance(column, str) or not column:
        raise _fail(path, "respondent_id.column", f"must be a column name, got {quote(column)}")
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
            raise _fail(path, f"export.{key}", f"must be non-empty text, got {quote(spec[key])}")
    delimiter = spec.get("delimiter")
    if delimiter is not None and delimiter not in (";", ",", "\t", "tab", "|"):
        raise _fail(path, "export.delimiter", f"must be ';', ',', '|' or tab, got {quote(delimiter)}")
    encoding = spec.get("encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _fail(path, "export.encoding", f"unknown encoding {quote(encoding)}") from None
    return ExportOptions(encoding, "\t" if delimiter == "tab" else delimiter, spec.get("sheet"))


def _row_policy(raw: object, path: str) -> RowPolicy:
    if raw is None:
        return DEFAULT_ROW_POLICY
    spec = _check_keys(raw, "row_policy", path, (), ROW_POLICY_KEYS)
    action = spec.get("on_bad_rows", DEFAULT_ROW_POLICY.on_bad_rows)
    if action not in BAD_ROW_ACTIONS:
        raise _fail(path, "row_policy.on_bad_rows", f"must be one of {', '.join(BAD_ROW_ACTIONS)}, got {quote(action)}")
    share = spec.get("max_bad_share", DEFAULT_ROW_POLICY.max_bad_share)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise _fail(path, "row_policy.max_bad_share", f"must be a share between 0 and 1, got {quote(share)}")
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
        out.append(f"{clip(where, 120)}: {clip(error.message, 200)}")
        if len(out) >= MAX_SCHEMA_PROBLEMS:
            break
    return out


def parse_mapping(raw: object, path: str) -> Mapping:
    """Validate an already-parsed mapping document; ``path`` is used in error messages.

    The hand-written checks come first (they name the exact key and say what is wrong); the JSON
    Schema is then checked too, so that a file valid here is valid for editors using the schema.
    """
    doc = _check_keys(raw, "", path, REQUIRED_KEYS, OPTIONAL_KEYS)
    survey_id = _text(doc, "survey_id", path)
    if not SURVEY_ID_PATTERN.fullmatch(survey_id or ""):
        raise _fail(path, "survey_id", f"use letters, digits, '_', '.' or '-' only, got {quote(survey_id)}")
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


def _expanded_nodes(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once every alias is expanded (memoised: linear time)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0  # a recursive alias counts as nothing more
        if isinstance(node, yaml.MappingNode):
            size = 1 + sum(_expanded_nodes(k, memo) + _expanded_nodes(v, memo) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(_expanded_nodes(v, memo) for v in node.value)
        else:
            size = 1
        memo[key] = size
    return memo[key]


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error without the file's text: the problem and its line and column."""
    problem = getattr(exc, "problem", None) or type(exc).__name__
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"not valid YAML: {clip(str(problem), 120)}{where}"


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping YAML file; raise :class:`MappingError` naming the file and key.

    Bounds: at most :data:`MAX_MAPPING_BYTES` bytes and :data:`MAX_MAPPING_NODES` nodes once YAML
    aliases are expanded (a small file of nested aliases can stand for billions of values). Errors
    never quote the file's text, only line and column.
    """
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_MAPPING_BYTES + 1)
        if len(data) > MAX_MAPPING_BYTES:
            raise MappingError(
                f"{source}: the mapping is larger than {MAX_MAPPING_BYTES // 1024} KiB; is it a mapping?"
            )
        text = data.decode("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None and _expanded_nodes(node, {}) > MAX_MAPPING_NODES:
            raise MappingError(
                f"{source}: the mapping expands to more than {MAX_MAPPING_NODES} values (nested YAML aliases?)"
            )
        raw = yaml.safe_load(text)
    except MappingError:
        raise
    except OSError as exc:
        raise MappingError(
            f"{source}: cannot read the mapping ({type(exc).__name__}: {clip(exc.strerror or '', 80)})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{source}: the mapping is not UTF-8 text (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{source}: cannot read the mapping: {_yaml_problem(exc)}") from exc
    except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, nesting deeper than Python's stack
        raise MappingError(f"{source}: cannot read the mapping: a value cannot be read ({type(exc).__name__})") from exc
    if raw is None:
        raise MappingError(f"{source}: the mapping file is empty")
    return parse_mapping(raw, source)


def mapping_columns(mapping: Mapping) -> list[str]:
    """Source columns the mapping reads, respondent id first, without repeats."""
    columns = [mapping.respondent_id.column] + [fm.column for fm in mapping.fields.values()]
    return list(dict.fromkeys(columns))


def _loose(name: str) -> str:
    """A column name compared loosely: NFC, any whitespace (NBSP too) as one space, trimmed, casefolded."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def near_miss_hint(column: str, header: Sequence[str]) -> str:
    """``; the header has 'Kjønn ' (differs by: trailing space)`` for a column that is almost there."""
    for name in header:
        if _loose(name) != _loose(column):
            continue
        differences = []
        if unicodedata.normalize("NFC", name) != name or unicodedata.normalize("NFC", column) != column:
            differences.append("Unicode form (composed vs decomposed letters)")
        if name.strip() != name or column.strip() != column:
            differences.append("leading or trailing space")
        if any(c.isspace() and c != " " for c in name + column):
            differences.append("a non-breaking or other special space")
        if " ".join(unicodedata.normalize("NFC", name).split()) != " ".join(
            unicodedata.normalize("NFC", column).split()
        ):
            differences.append("upper/lower case")
        return f"; the header has {quote(name)} (differs by: {', '.join(differences) or 'spacing'}): copy it exactly"
    return ""


def _header_problems(header: Sequence[str], mapping: Mapping) -> list[ProblemGroup]:
    present = set(header)
    groups = []
    for fm in [mapping.respondent_id, *mapping.fields.values()]:
        if fm.column not in present:
            message = f"unknown column '{fm.column}' (mapped to {fm.field}): not in the export header"
            message += near_miss_hint(fm.column, header)
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
        return None, f"not an integer in column '{fm.column}'"
    if NUMBER_PATTERN.fullmatch(text):
        return float(text.replace(",", ".")), None
    return None, f"not a number in column '{fm.column}'"


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
                return None, f"several answers in column '{fm.column}' (one option is needed)"
            if option in fm.values:
                return fm.values[option], None
        return None, f"unmapped value in column '{fm.column}' (not in its values table)"
    if text == "":
        return None, None
    return _parse_raw(fm, text)


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


def _evaluate(fm: FieldMapping, raw: str, sectors: frozenset[str], multi_select: bool) -> tuple[object, str | None]:
    """The canonical value of one distinct answer and its problem, if any."""
    value, message = _read_value(fm, raw, multi_select)
    if message is None and value is not None:
        message = _domain_problem(fm, value, sectors)
    if message is None and value is None and fm.field in REQUIRED_FIELDS:
        message = f"no {fm.field} (empty, or mapped to null) in column '{fm.column}'"
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


def _respondent(values: pa.Array, column: str, tool_id: bool = False) -> tuple[np.ndarray, list[ProblemGroup]]:
    """Respondent ids (stripped) per row, and the empty / duplicated / e-mail-like ids as problems.

    The rule (docs/survey-mapping.md, "Respondent id"): the column is the survey tool's own id
    column (``tool_id``: Nettskjema ``$submission_id``, Microsoft Forms ``ID``), or every non-empty
    id is a single token that looks issued by a machine: 1 to 64 characters from letters, digits
    and ``_ . : # / -``, at least one digit, no e-mail address. Names ("Kari Nordmann", "Kari"),
    e-mail addresses and free text are refused for the whole file, without quoting them.

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
    elif len(labels) and not tool_id:
        looks_issued = pc.and_(pc.match_substring_regex(labels, ID_PATTERN), pc.match_substring_regex(labels, "[0-9]"))
        not_ids = pc.and_(pc.invert(looks_issued), pc.not_equal(labels, ""))
        count = int(np.count_nonzero(not_ids.to_numpy(zero_copy_only=False)[row_codes]))
        if count:
            message = (
                f"column '{column}' (mapped to respondent_id) holds {count} value(s) that do not look like ids "
                "issued by a survey tool (spaces, letters only, or other characters: names or free text?); "
                "map the tool's own id column"
            )
            groups.append(ProblemGroup(message, column, "respondent_id", None, np.empty(0, dtype=np.int64)))
    empty = pc.equal(labels, "").to_numpy(zero_copy_only=False).astype(bool) if len(labels) else np.zeros(0, bool)
    bad = empty | (counts > 1)
    for k, rows in _group_rows(row_codes, bad).items():
        rid = str(labels[k].as_py())
        message = (
            f"empty respondent id in column '{column}'"
            if rid == ""
            else f"duplicate respondent id in column '{column}'"
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


def _cell_problems(table: Table | pd.DataFrame, mapping: Mapping) -> list[ProblemGroup]:
    """The reader's cell problems (a formula without a cached value) in mapped columns, as row problems."""
    if not isinstance(table, Table) or not table.cell_problems:
        return []
    fields = {fm.column: fm.field for fm in [*mapping.fields.values(), mapping.respondent_id]}
    rows: dict[tuple[str, str], list[int]] = {}
    for row, column, kind in table.cell_problems:
        if column in fields:
            rows.setdefault((column, kind), []).append(row)
    return [
        ProblemGroup(f"{kind} in column '{column}'", column, fields[column], None, np.unique(np.array(found)))
        for (column, kind), found in rows.items()
    ]


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
    rid_column = mapping.respondent_id.column
    ids, groups = _respondent(coded.arrow(rid_column), rid_column, rid_column == tool_id_column(mapping.format))
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
    groups.extend(_cell_problems(table, mapping))
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


def summarise_groups(groups: Iterable[ProblemGroup], with_values: bool = False) -> list[str]:
    """One line per problem message, e.g. ``unmapped value in column 'q7' rows 12, 40, 41``.

    The messages never hold an answer. ``with_values`` (only for the restricted outputs: the
    operator's ``validate`` command and the quarantine report) adds the answer, shortened, to each
    line: ``unmapped value in column 'q7': 'Ukentlig' rows 12, 40, 41``.
    """
    merged: dict[str, list[np.ndarray]] = {}
    for group in groups:
        key = group.message
        if with_values and group.value is not None:
            key = f"{group.message}: {quote(group.value)}"
        elif with_values and group.row_values:
            key = f"{group.message}: {quote(group.row_values[0])}"
        merged.setdefault(key, []).append(group.rows)
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
