"""The method as tables for the analyst file: weights, goalposts, flags with meanings, scenarios,
sectors and components, read from the dbt seeds (the same files dbt computes with) and filtered to
the release's method version; the glossary and readable names from glossary.py and labels.py."""

from collections.abc import Mapping
from typing import Any

from method.reference import seed_rows
from method.scenarios import LABELS
from publication.glossary import flags
from publication.labels import components
from storage.paths import SEEDS_DIR

SCENARIO_LABELS = LABELS  # the one wording of the scenarios (method.scenarios)


def _seed(name: str) -> list[dict[str, str]]:
    if not (SEEDS_DIR / f"{name}.csv").exists():
        return []
    return list(seed_rows(f"{name}.csv"))


def _of_method(rows: list[dict[str, str]], method_version: str) -> list[dict[str, str]]:
    return [r for r in rows if r.get("method_version") == method_version]


def method_tables(method_version: str) -> dict[str, tuple[dict[str, str], list[dict[str, Any]], str]]:
    """name -> (columns name -> DuckDB type, rows, comment)."""
    labels = components()
    weights = {r["component_id"]: float(r["weight"]) for r in _of_method(_seed("component_weights"), method_version)}
    goalposts = {r["component_id"]: r for r in _of_method(_seed("goalposts"), method_version)}
    scenarios = _of_method(_seed("sensitivity_scenarios"), method_version)
    return {
        "weights": (
            {"component_id": "VARCHAR", "component_nb": "VARCHAR", "component_en": "VARCHAR", "weight": "DOUBLE"},
            [
                {"component_id": c, "component_nb": labels[c].short_nb, "component_en": labels[c].short_en, "weight": w}
                for c, w in sorted(weights.items())
            ],
            f"Default weights of the components (method {method_version}); the index is the weighted mean of the "
            "scores present, divided by the sum of their weights / Standardvektene.",
        ),
        "goalposts": (
            {
                "component_id": "VARCHAR",
                "lower": "DOUBLE",
                "upper": "DOUBLE",
                "unit_nb": "VARCHAR",
                "unit_en": "VARCHAR",
            },
            [
                {
                    "component_id": c,
                    "lower": float(g["lower"]),
                    "upper": float(g["upper"]),
                    "unit_nb": labels[c].unit_nb if c in labels else "",
                    "unit_en": labels[c].unit_en if c in labels else "",
                }
                for c, g in sorted(goalposts.items())
            ],
            "Fixed goalposts: score = 100 * clamp((value - lower) / (upper - lower), 0, 1) / Faste målestolper.",
        ),
        "flags": (
            {
                "flag": "VARCHAR",
                "applies_to": "VARCHAR",
                "label_nb": "VARCHAR",
                "label_en": "VARCHAR",
                "meaning_nb": "VARCHAR",
                "meaning_en": "VARCHAR",
            },
            [vars(f) for f in flags()],
            "Every flag of the column flags with its meaning / Alle flagg med forklaring.",
        ),
        "scenarios": (
            {
                "scenario_id": "VARCHAR",
                "label_nb": "VARCHAR",
                "label_en": "VARCHAR",
                "weighting": "VARCHAR",
                "component_set": "VARCHAR",
                "aggregation": "VARCHAR",
                "perturbed": "BOOLEAN",
            },
            [
                {
                    "scenario_id": s["scenario_id"],
                    "label_nb": SCENARIO_LABELS.get(s["scenario_id"], (s["description"],) * 2)[0],
                    "label_en": SCENARIO_LABELS.get(s["scenario_id"], (s["description"],) * 2)[1],
                    "weighting": s["weighting"],
                    "component_set": s["component_set"],
                    "aggregation": s["aggregation"],
                    "perturbed": s["perturbed"].strip().lower() == "true",
                }
                for s in scenarios
            ],
            "The sensitivity scenarios of table sensitivity / Scenarioene i tabellen sensitivity.",
        ),
        "sectors": (
            {
                "sector_code": "VARCHAR",
                "sector_nb": "VARCHAR",
                "sector_en": "VARCHAR",
                "sn2007_codes": "VARCHAR",
                "sort_order": "INTEGER",
            },
            [
                {
                    **{k: r[k] for k in ("sector_code", "sector_nb", "sector_en", "sn2007_codes")},
                    "sort_order": int(r["sort_order"]),
                }
                for r in _seed("sectors")
            ],
            "The sectors and their SN2007 industry codes / Sektorene og næringskodene deres.",
        ),
        "components": (
            {
                "component_id": "VARCHAR",
                "component_name": "VARCHAR",
                "name_nb": "VARCHAR",
                "name_en": "VARCHAR",
                "label_nb": "VARCHAR",
                "label_en": "VARCHAR",
                "unit_nb": "VARCHAR",
                "unit_en": "VARCHAR",
            },
            [
                {
                    "component_id": c.component_id,
                    "component_name": c.code,
                    "name_nb": c.short_nb,
                    "name_en": c.short_en,
                    "label_nb": c.label_nb,
                    "label_en": c.label_en,
                    "unit_nb": c.unit_nb,
                    "unit_en": c.unit_en,
                }
                for c in labels.values()
            ],
            "The five components with readable names and units / De fem komponentene.",
        ),
    }


def rows_as_columns(columns: Mapping[str, str], rows: list[dict[str, Any]]) -> Any:
    """The rows as an Arrow table (DuckDB reads it by name)."""
    import pyarrow as pa

    return pa.table({name: [row.get(name) for row in rows] for name in columns})
