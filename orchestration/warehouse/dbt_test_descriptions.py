"""Readable descriptions for the dbt tests that dagster-dbt shows as asset checks.

dbt tests run inside `dbt build` (a failing one stops the build before anything downstream);
the checks that decide publication are the `gate_<table>` Great Expectations checks on the marts
(orchestration/publication/checks.py). Each description says which kind of check it is.
"""

from collections.abc import Mapping
from typing import Any

SUFFIX = "dbt test, runs inside `dbt build`; a failure stops the build (the publication gate is `gate_<table>`)."


def _rule(name: str, kwargs: Mapping[str, Any], column: str | None) -> str:
    col = f"`{column}`" if column else "the rows"
    if name == "not_null":
        return f"{col} is never null"
    if name == "unique":
        return f"{col} is unique"
    if name == "unique_combination":
        return "one row per (" + ", ".join(str(c) for c in kwargs.get("columns", [])) + ")"
    if name == "accepted_values":
        return f"{col} is one of " + ", ".join(str(v) for v in kwargs.get("values", []))
    if name == "relationships":
        target = str(kwargs.get("to", "")).removeprefix("ref('").removesuffix("')")
        return f"{col} exists in {target}.{kwargs.get('field', '')}"
    if name == "between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        bounds = [f">= {low}" if low is not None else "", f"<= {high}" if high is not None else ""]
        return f"{col} " + " and ".join(b for b in bounds if b)
    if name == "sorted_flags":
        return f"{col} lists its flags sorted, without duplicates"
    return f"{name} on {col}"


def describe_dbt_test(test_node: Mapping[str, Any]) -> str:
    """`<rule>. dbt test, ...` for a test node of the manifest."""
    metadata = test_node.get("test_metadata") or {}
    name = metadata.get("name") or test_node.get("name", "test")
    kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
    column = test_node.get("column_name") or kwargs.get("column_name")
    return f"{_rule(name, kwargs, column)[:1].upper()}{_rule(name, kwargs, column)[1:]}. {SUFFIX}"
