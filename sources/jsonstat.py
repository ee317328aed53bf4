"""JSON-stat reader: JSON-stat 2.0 datasets and 1.x bundles (as SSB's APIs return them) -> tidy rows.

Handles dense and sparse (object) ``value`` and ``status``, a single status for every cell (a
string, or -- JSON-stat 2.0 -- an array of one element), category ``index`` as list or object (or
absent), roles, units, and SSB's status symbols (``.``, ``..``, ``:``), which are kept verbatim in
the ``status`` column. Values are numbers or null, or -- JSON-stat 2.0 allows it -- text, which is
kept verbatim (``Dataset.has_text_values``; the pipeline's numeric tables refuse it where they
need numbers). Structure is validated before any row is produced; every problem -- including a
document of the wrong JSON type, a wrongly typed field or nesting deeper than Python's stack --
raises :class:`JsonStatError` naming what is wrong, never AttributeError or TypeError. At most
:data:`MAX_CELLS` cells.

Command for analysts::

    python -m sources.jsonstat FILE > tidy.csv
"""

import csv
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_CELLS = 20_000_000


class JsonStatError(ValueError):
    """The document is not valid JSON-stat, or its parts disagree."""


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    unit: dict[str, Any] | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    role: str | None
    categories: list[Category]

    @property
    def size(self) -> int:
        return len(self.categories)


@dataclass
class Dataset:
    label: str | None
    updated: str | None
    source: str | None
    dimensions: list[Dimension]
    values: list[float | str | None]
    statuses: list[str | None]
    extension: dict[str, Any] = field(default_factory=dict)
    note: list[str] = field(default_factory=list)

    def tidy_rows(self) -> list[dict[str, Any]]:
        """One dict per cell in row-major order (last dimension fastest): a code and a label
        column per dimension, then ``value`` and ``status``."""
        rows = []
        sizes = [d.size for d in self.dimensions]
        for flat in range(len(self.values)):
            row: dict[str, Any] = {}
            remainder = flat
            positions = []
            for size in reversed(sizes):
                positions.append(remainder % size)
                remainder //= size
            for dimension, position in zip(self.dimensions, reversed(positions), strict=True):
                category = dimension.categories[position]
                row[dimension.id] = category.code
                row[f"{dimension.id}_label"] = category.label
            row["value"] = self.values[flat]
            row["status"] = self.statuses[flat]
            rows.append(row)
        return rows

    @property
    def has_text_values(self) -> bool:
        return any(isinstance(v, str) for v in self.values)

    @property
    def all_null(self) -> bool:
        """No cell has a value (every cell null): a dataset that says nothing."""
        return all(v is None for v in self.values)


def _parse_json(source: Any) -> Any:
    if not isinstance(source, bytes | str | Path):
        return source  # already parsed (any JSON type: checked by the caller)
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonStatError(f"JSON-stat: not UTF-8 text (byte {exc.start})") from exc
    text = source.lstrip()
    if text.startswith("<"):
        raise JsonStatError("JSON-stat: the body is HTML or XML, not JSON (an error page?)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonStatError(f"JSON-stat: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    except RecursionError as exc:
        raise JsonStatError("JSON-stat: the JSON is nested too deeply") from exc


def _categories(dim_id: str, raw: dict[str, Any], size: int) -> list[Category]:
    category = raw.get("category")
    if not isinstance(category, dict):
        raise JsonStatError(f"JSON-stat: dimension '{dim_id}' has no category object")
    labels = category.get("label") or {}
    if not isinstance(labels, dict):
        raise JsonStatError(f"JSON-stat: dimension '{dim_id}' category label must be an object")
    index = category.get("index")
    if index is None:
        if not labels:
            raise JsonStatError(f"JSON-stat: dimension '{dim_id}' has neither category index nor label")
        codes = list(labels)
    elif isinstance(index, list):
        codes = [str(c) for c in index]
        if len(set(codes)) != len(codes):
            raise JsonStatError(f"JSON-stat: dimension '{dim_id}' repeats a code in its category index")
    elif isinstance(index, dict):
        positions = sorted(index.values()) if all(isinstance(v, int) for v in index.values()) else None
        if positions != list(range(len(index))):
            raise JsonStatError(f"JSON-stat: dimension '{dim_id}' category index positions are not 0..{len(index) - 1}")
        codes = [code for code, _ in sorted(index.items(), key=lambda item: item[1])]
    else:
        raise JsonStatError(f"JSON-stat: dimension '{dim_id}' category index must be a list or an object")
    if len(codes) != size:
        raise JsonStatError(
            f"JSON-stat: dimension '{dim_id}' has {len(codes)} categories in its index but size says {size}"
        )
    units = category.get("unit") or {}
    if not isinstance(units, dict):
        raise JsonStatError(f"JSON-stat: dimension '{dim_id}' category unit must be an object")
    return [Category(code, str(labels.get(code, code)), units.get(code)) for code in codes]


def _cells(name: str, raw: Any, count: int, numeric: bool) -> list[Any]:
    """Dense list, sparse object {flat index: value}, or (status only) one value for all cells."""
    if raw is None:
        return [None] * count
    if isinstance(raw, list) and len(raw) == 1 and count != 1 and not numeric:
        cells = [raw[0]] * count  # JSON-stat 2.0: a one-element status array applies to every cell
    elif isinstance(raw, list):
        if len(raw) != count:
            raise JsonStatError(f"JSON-stat: '{name}' has {len(raw)} cells but the sizes multiply to {count}")
        cells = list(raw)
    elif isinstance(raw, dict):
        cells = [None] * count
        for key, item in raw.items():
            try:
                position = int(key)
            except ValueError:
                raise JsonStatError(f"JSON-stat: '{name}' has a non-numeric key '{key}'") from None
            if not 0 <= position < count:
                raise JsonStatError(f"JSON-stat: '{name}' key {position} is outside 0..{count - 1}")
            cells[position] = item
    elif isinstance(raw, str) and not numeric:
        cells = [raw] * count
    else:
        raise JsonStatError(f"JSON-stat: '{name}' must be a list or an object")
    if numeric:
        out = []
        for position, item in enumerate(cells):
            if item is None:
                out.append(None)
            elif isinstance(item, str):
                out.append(item)  # JSON-stat 2.0 allows text values: kept verbatim
            elif isinstance(item, bool) or not isinstance(item, int | float):
                kind = type(item).__name__
                raise JsonStatError(f"JSON-stat: 'value' cell {position} is a {kind}, not a number, text or null")
            else:
                out.append(float(item) if math.isfinite(item) else None)
        return out
    for position, item in enumerate(cells):
        if item is not None and not isinstance(item, str | int | float):
            raise JsonStatError(f"JSON-stat: '{name}' cell {position} is a {type(item).__name__}, not text")
    return [None if item in (None, "") else str(item) for item in cells]


def _dataset(raw: dict[str, Any], where: str) -> Dataset:
    """One dataset; any malformed part becomes a :class:`JsonStatError` (see :func:`_checked_dataset`)."""
    try:
        return _checked_dataset(raw, where)
    except JsonStatError:
        raise
    except (AttributeError, TypeError, KeyError, ValueError, RecursionError, MemoryError) as exc:
        raise JsonStatError(
            f"JSON-stat: {where} is malformed ({type(exc).__name__}: a field has the wrong type)"
        ) from exc


def _checked_dataset(raw: dict[str, Any], where: str) -> Dataset:
    """One dataset: 2.0 keeps id/size/role at the top, 1.x inside ``dimension``."""
    if not isinstance(raw, dict):
        raise JsonStatError(f"JSON-stat: {where} is not an object")
    dimensions_raw = raw.get("dimension")
    if not isinstance(dimensions_raw, dict):
        raise JsonStatError(f"JSON-stat: {where} has no 'dimension' object")
    ids = raw.get("id", dimensions_raw.get("id"))
    sizes = raw.get("size", dimensions_raw.get("size"))
    roles = raw.get("role", dimensions_raw.get("role")) or {}
    if not isinstance(ids, list) or not isinstance(sizes, list):
        raise JsonStatError(f"JSON-stat: {where} lacks the 'id' and 'size' lists")
    if len(ids) != len(sizes):
        raise JsonStatError(f"JSON-stat: {where} has {len(ids)} ids but {len(sizes)} sizes")
    if not all(isinstance(i, str) for i in ids) or not isinstance(roles, dict):
        raise JsonStatError(f"JSON-stat: {where} has an 'id' that is not text or a 'role' that is not an object")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise JsonStatError(f"JSON-stat: {where} has a 'size' that is not a positive integer")
    if math.prod(sizes) > MAX_CELLS:
        raise JsonStatError(f"JSON-stat: {where} has {math.prod(sizes)} cells (limit {MAX_CELLS})")
    role_of = {dim: role for role, dims in roles.items() for dim in (dims or [])}
    dimensions = []
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dimensions_raw:
            raise JsonStatError(f"JSON-stat: dimension '{dim_id}' is listed in 'id' but missing from 'dimension'")
        if not isinstance(size, int) or size < 1:
            raise JsonStatError(f"JSON-stat: dimension '{dim_id}' has size {size!r}")
        dim_raw = dimensions_raw[dim_id]
        if not isinstance(dim_raw, dict):
            raise JsonStatError(f"JSON-stat: dimension '{dim_id}' is not an object")
        dimensions.append(
            Dimension(
                str(dim_id),
                str(dim_raw.get("label", dim_id)),
                role_of.get(dim_id),
                _categories(str(dim_id), dim_raw, size),
            )
        )
    count = math.prod(sizes)
    note = raw.get("note") or []
    return Dataset(
        label=raw.get("label"),
        updated=raw.get("updated"),
        source=raw.get("source"),
        dimensions=dimensions,
        values=_cells("value", raw.get("value"), count, numeric=True),
        statuses=_cells("status", raw.get("status"), count, numeric=False),
        extension=raw.get("extension") or {},
        note=[str(n) for n in note] if isinstance(note, list) else [str(note)],
    )


def load(source: bytes | str | Path | dict) -> list[Dataset]:
    """Every dataset of a JSON-stat document (a 2.0 dataset, a 2.0 bundle or a 1.x bundle)."""
    document = _parse_json(source)
    if not isinstance(document, dict):
        kind = {list: "an array", type(None): "null", str: "a string", bool: "a boolean"}.get(
            type(document), "a number"
        )
        raise JsonStatError(f"JSON-stat: the document is {kind}, not a JSON object")
    klass = document.get("class")
    if klass == "dataset" or ("version" in document and "dimension" in document):
        return [_dataset(document, "the dataset")]
    if klass in ("collection", "dimension"):
        raise JsonStatError(f"JSON-stat: class '{klass}' holds no data; expected a dataset")
    bundles = {k: v for k, v in document.items() if isinstance(v, dict) and "dimension" in v}
    if not bundles:
        raise JsonStatError("JSON-stat: no dataset found (no 'class': 'dataset' and no bundle member with 'dimension')")
    return [_dataset(value, f"dataset '{name}'") for name, value in bundles.items()]


def read(source: bytes | str | Path | dict) -> Dataset:
    """The one dataset of a document; an error if there are none or several."""
    datasets = load(source)
    if len(datasets) != 1:
        raise JsonStatError(f"JSON-stat: expected one dataset, found {len(datasets)}")
    return datasets[0]


def main(argv: list[str] | None = None) -> int:
    """``python -m sources.jsonstat FILE``: the tidy table as CSV on stdout."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m sources.jsonstat FILE  (writes the tidy table as CSV to stdout)", file=sys.stderr)
        return 2
    path = Path(args[0])
    try:
        dataset = read(path)
    except (OSError, JsonStatError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    columns = [c for d in dataset.dimensions for c in (d.id, f"{d.id}_label")] + ["value", "status"]
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    try:
        for row in dataset.tidy_rows():
            value = row["value"]
            if isinstance(value, str):
                text = value  # text values are kept verbatim
            elif value is None:
                text = ""
            else:
                text = repr(value)[:-2] if repr(value).endswith(".0") else repr(value)
            row["value"] = text
            writer.writerow(row)
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
