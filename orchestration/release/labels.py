"""Readable names and units of the index components, in Norwegian and English.

The long labels come from the seed ``dbt_project/seeds/components.csv``; the short names and the
Norwegian units (the seed's units are English) are set here, keyed by component id.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

COMPONENTS_CSV = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "components.csv"
COMPONENT_IDS = ("C1", "C2", "C3", "C4", "C5")

SHORT = {
    "C1": ("Dokumentasjonstid", "Documentation time"),
    "C2": ("Unyttig rapportering", "Reporting of little use"),
    "C3": ("Dobbeltrapportering", "Duplicate reporting"),
    "C4": ("Lite faglig handlingsrom", "Lack of discretion"),
    "C5": ("Pålagt rapporteringstid", "Imposed reporting time"),
}
UNITS = {  # unit after a number: (nb, en)
    "C1": ("% av arbeidstiden", "% of working hours"),
    "C2": ("% enige", "% agreeing"),
    "C3": ("% ofte eller svært ofte", "% often or very often"),
    "C4": ("av 100", "out of 100"),
    "C5": ("timer per årsverk per år", "hours per FTE per year"),
}


@dataclass(frozen=True)
class Component:
    component_id: str
    code: str  # DOC_TIME, ...
    short_nb: str
    short_en: str
    label_nb: str
    label_en: str
    unit_nb: str
    unit_en: str


@cache
def components() -> dict[str, Component]:
    with COMPONENTS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = {row["component_id"]: row for row in csv.DictReader(handle)}
    out = {}
    for cid in COMPONENT_IDS:
        row = rows.get(cid, {})
        short_nb, short_en = SHORT[cid]
        unit_nb, unit_en = UNITS[cid]
        out[cid] = Component(
            cid,
            row.get("component_name", cid),
            short_nb,
            short_en,
            row.get("label_nb", short_nb),
            row.get("label_en", short_en),
            unit_nb,
            unit_en,
        )
    return out


def nb_number(text: str) -> str:
    """'27.8' -> '27,8' (Norwegian decimal comma)."""
    return text.replace(".", ",")
