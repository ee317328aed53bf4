"""The mapping FILE: from ``mapping.yml`` to a validated :class:`Mapping` (spec section 2).

A survey arrives as an export (Nettskjema CSV/XLSX, Microsoft Forms XLSX/CSV, or a generic
CSV/XLSX) and a ``mapping.yml`` saying which export column gives each canonical field and how its
answers translate. This module only reads and validates that file; applying it to an export is
:mod:`sources.surveys.engine`, and the problems it finds are :mod:`sources.surveys.problems`.

Three layers, each with one job (docs/survey-mapping.md, "Strict mapping files"):

1. a strict YAML loader (:class:`StrictLoader`): a key given twice in any table is refused with the
   line and column of the second one (YAML's default is "last wins"), and a key that YAML would
   read as something other than the text typed (``01:`` is the number 1, ``yes:`` is true,
   ``1.0:`` is a float, ``2025-01-01:`` a date) is refused with the quoted form to use;
2. the one structural validator: the JSON Schema ``sources/surveys/mapping.schema.json`` (keys,
   types, closed lists for every enumerated option, bounded lengths); there is no hand-written
   copy of it here;
3. the semantic checks the schema cannot express, each a small named function: two fields on one
   export column, values-table answers that become equal after Unicode NFC and trimming, and an
   unknown canonical field named with a hint.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from method.reference import CANONICAL_COLUMNS
from sources.messages import clip, quote
from sources.surveys.exports import ExportOptions
from sources.surveys.problems import shown_name

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
MAX_MAPPING_BYTES = 256 * 1024  # a mapping with hundreds of value labels is a few KiB
MAX_MAPPING_NODES = 20_000  # values once YAML aliases are expanded
MAX_SCHEMA_PROBLEMS = 10
SCHEMA_PATH = Path(__file__).with_name("mapping.schema.json")
# a plain YAML key that reads as the integer it spells, and nothing else: 0, 7, 12 (not 01, 0x1, 1_0, +1)
_PLAIN_INTEGER = re.compile(r"0|[1-9][0-9]*")


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
class NumberFormat:
    """How the export writes numbers (the mapping's ``export.decimal_mark`` and
    ``export.thousands_separator``). Undeclared (None): ``.`` and ``,`` are both read as a decimal
    mark, except before exactly three digits (``1,250``), which is refused as ambiguous."""

    decimal_mark: str | None = None
    thousands_separator: str | None = None


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
    numbers: NumberFormat = field(default_factory=NumberFormat)


# --------------------------------------------------------------------------- 1. strict YAML


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys and keys YAML would read as non-text (see module doc)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *anchor`: explicit keys beside it override it, by design
                check_key_node(key_node)
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                if key in seen:
                    first = seen[key].start_mark
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {quote(key)} (first given at line {first.line + 1}, column "
                        f"{first.column + 1}); YAML would keep only the last one: remove one of them",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def check_key_node(node: yaml.Node) -> None:
    """Refuse a key that does not read as the text typed: ``01`` (read as 1), ``yes`` (true),
    ``1.0`` (a float), ``~`` (null), ``2025-01-01`` (a date), or a table/list used as a key.
    A plain decimal integer (``5:``) reads as the text ``"5"`` and is accepted."""
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(None, None, "a table or a list cannot be a key", node.start_mark)
    if node.tag == "tag:yaml.org,2002:str":
        return
    if node.tag == "tag:yaml.org,2002:int" and node.style is None and _PLAIN_INTEGER.fullmatch(node.value):
        return
    kind = {
        "tag:yaml.org,2002:int": "a number",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:bool": "true/false",
        "tag:yaml.org,2002:null": "null (no key)",
        "tag:yaml.org,2002:timestamp": "a date",
    }.get(node.tag, "something other than text")
    shown = json.dumps(node.value, ensure_ascii=False)
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"the key {clip(node.value, 60)} is read by YAML as {kind}, not as the text typed; "
        f"quote it: use {clip(shown, 64)}:",
        node.start_mark,
    )


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
    return f"not valid YAML: {clip(str(problem), 240)}{where}"


def read_yaml(text: str, source: str) -> object:
    """Parse mapping text strictly (duplicate and non-text keys refused, aliases bounded)."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node, {}) > MAX_MAPPING_NODES:
            raise MappingError(
                f"{source}: the mapping expands to more than {MAX_MAPPING_NODES} values (nested YAML aliases?)"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- 2. the one schema


@cache
def mapping_schema() -> dict:
    """The JSON Schema of mapping files (``sources/surveys/mapping.schema.json``)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_message(error) -> tuple[str, str]:
    """(key path, message) of a schema violation, in words a mapping author acts on: the exact key
    (an unknown or missing key is named itself), its allowed values or bounds."""
    kind, schema, instance = error.validator, error.schema, error.instance
    path = [str(p) for p in error.absolute_path]
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        unknown = next((str(k) for k in instance if k not in allowed), "?")
        if path == ["fields"]:
            hint = " (set it at the top level)" if unknown in CANONICAL_COLUMNS else ""
            return ".".join([*path, unknown]), f"unknown canonical field{hint}; known: {', '.join(allowed)}"
        return ".".join([*path, unknown]), f"unknown key (allowed: {', '.join(allowed)})"
    if kind == "required" and isinstance(instance, dict):
        missing = next((k for k in schema["required"] if k not in instance), "?")
        what = "required field is missing" if path == ["fields"] else "required key is missing"
        return ".".join([*path, missing]), what
    where = ".".join(path) or "(top level)"
    if kind == "enum":
        return where, f"must be one of {', '.join(quote(v) for v in schema['enum'])}, got {quote(instance)}"
    if kind == "const":
        return where, f"must be {quote(schema['const'])}, got {quote(instance)}"
    if kind == "maxLength":
        return where, f"is longer than {schema['maxLength']} characters"
    if kind == "minLength":
        return where, "must not be empty"
    if kind == "pattern":
        return where, f"{quote(instance, 60)} does not match the allowed form {schema['pattern']}"
    if kind == "type":
        expected = schema["type"] if isinstance(schema["type"], str) else " or ".join(schema["type"])
        return where, f"must be {expected}, got {quote(instance, 60)} (quote text such as 'no' or 'NO')"
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum", "..."), schema.get("maximum", "...")
        return where, f"must be between {low} and {high}, got {quote(instance)}"
    return where, clip(error.message, 200)


def schema_problems(raw: object) -> list[str]:
    """Every violation of the JSON Schema, as ``key.path: message`` (empty when valid); at most
    :data:`MAX_SCHEMA_PROBLEMS`."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(mapping_schema())
    out = []
    errors = sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        where, message = _schema_message(error)
        out.append(f"{clip(where, 120)}: {message}")
        if len(out) >= MAX_SCHEMA_PROBLEMS:
            break
    return out


# --------------------------------------------------------------------------- 3. semantic checks


def label_key(text: str) -> str:
    """An answer label as compared: Unicode NFC, surrounding whitespace trimmed."""
    return unicodedata.normalize("NFC", text).strip()


def _values_table(name: str, raw: dict, kind: str, path: str) -> dict[str, object]:
    """A values table with its answers compared as :func:`label_key`; two answers that become one
    after normalisation are refused (they would silently overwrite each other)."""
    table: dict[str, object] = {}
    written: dict[str, str] = {}
    for answer, target in raw.items():
        key = label_key(str(answer))
        if key in table and table[key] != target:
            raise MappingError(
                f"{path}: fields.{name}.values: the answers {quote(written[key], 40)} and {quote(str(answer), 40)} "
                "are the same text once Unicode form and surrounding spaces are ignored, but map to different "
                "values: keep one"
            )
        table[key], written[key] = (float(target) if kind == "number" and target is not None else target), str(answer)
    return table


def check_columns_distinct(respondent: FieldMapping, fields: dict[str, FieldMapping], path: str) -> None:
    """Two fields mapped to one export column: refused (one column answers one question)."""
    owner: dict[str, str] = {}
    for fm in [respondent, *fields.values()]:
        if fm.column in owner:
            raise MappingError(
                f"{path}: fields.{fm.field}.column: column {quote(fm.column, 60)} is already mapped to "
                f"{owner[fm.column]}; one export column gives one field (check which question each field is)"
            )
        owner[fm.column] = fm.field


def check_number_format(export: dict, path: str) -> None:
    """The decimal mark and the thousands separator must differ."""
    mark, separator = export.get("decimal_mark"), export.get("thousands_separator")
    if mark is not None and mark == separator:
        raise MappingError(f"{path}: export.thousands_separator: must differ from export.decimal_mark")
    if separator is not None and mark is None:
        raise MappingError(
            f"{path}: export.decimal_mark: required with export.thousands_separator "
            f"(how else is '1{separator}250' read?)"
        )


def parse_mapping(raw: object, path: str) -> Mapping:
    """Validate an already-parsed mapping document; ``path`` is used in error messages.

    The JSON Schema is the structural check (keys, types, closed lists, lengths); the semantic
    checks the schema cannot express follow it."""
    problems = schema_problems(raw)
    if problems:
        raise MappingError(f"{path}: " + "; ".join(problems))
    assert isinstance(raw, dict)  # the schema says so
    fields = {
        name: FieldMapping(
            field=name,
            column=spec["column"],
            type=FIELD_TYPES[name],
            values=_values_table(name, spec["values"], FIELD_TYPES[name], path) if "values" in spec else None,
        )
        for name, spec in raw["fields"].items()
    }
    respondent = FieldMapping(field="respondent_id", column=raw["respondent_id"]["column"], type="text")
    check_columns_distinct(respondent, fields, path)
    export = raw.get("export") or {}
    check_number_format(export, path)
    delimiter = export.get("delimiter")
    return Mapping(
        survey_id=raw["survey_id"],
        year=raw["year"],
        format=raw["format"],
        data_status=raw["data_status"],
        respondent_id=respondent,
        fields=fields,
        title=(raw.get("title") or "").strip() or None,
        publisher=(raw.get("publisher") or "").strip() or None,
        licence=(raw.get("licence") or "").strip() or None,
        path=path,
        export=ExportOptions(export.get("encoding"), "\t" if delimiter == "tab" else delimiter, export.get("sheet")),
        row_policy=RowPolicy(**(raw.get("row_policy") or {})),
        numbers=NumberFormat(export.get("decimal_mark"), export.get("thousands_separator")),
    )


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping YAML file; raise :class:`MappingError` naming the file and key.

    Bounds: at most :data:`MAX_MAPPING_BYTES` bytes and :data:`MAX_MAPPING_NODES` nodes once YAML
    aliases are expanded (a small file of nested aliases can stand for billions of values). Errors
    never quote the file's text beyond the key at fault, with its line and column.
    """
    source = shown_name(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_MAPPING_BYTES + 1)
        if len(data) > MAX_MAPPING_BYTES:
            raise MappingError(
                f"{source}: the mapping is larger than {MAX_MAPPING_BYTES // 1024} KiB; is it a mapping?"
            )
        raw = read_yaml(data.decode("utf-8"), source)
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


# --------------------------------------------------------------------------- re-exports, one release
# Re-exports for one release (the engine and the problems moved to sources.surveys.engine and
# sources.surveys.problems); import them from there. Resolved lazily: the engine imports this module.
_MOVED = {
    "apply_mapping": "sources.surveys.engine",
    "map_table": "sources.surveys.engine",
    "MappedSurvey": "sources.surveys.engine",
    "CodedTable": "sources.surveys.engine",
    "validate_mapping_against_export": "sources.surveys.engine",
    "near_miss_hint": "sources.surveys.engine",
    "Problem": "sources.surveys.problems",
    "ProblemGroup": "sources.surveys.problems",
    "summarise_groups": "sources.surveys.problems",
    "summarise_problems": "sources.surveys.problems",
}


def __getattr__(name: str) -> object:
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
