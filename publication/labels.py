"""Readable names and units of the index components, in Norwegian and English.

The long labels, the Norwegian short names (``name_nb``) and units (``unit_nb``) come from the seed
``dbt_project/seeds/components.csv`` (via method/reference.py); the English short names and units
after a number are set here, keyed by component id.
"""

from dataclasses import dataclass
from functools import cache

from method.reference import component_ids, seed_rows

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
    "C4": ("poeng 0–100", "out of 100"),
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
    rows = {row["component_id"]: row for row in seed_rows("components.csv")}
    out = {}
    for cid in component_ids():
        row = rows.get(cid, {})
        short_nb, short_en = SHORT[cid]
        unit_nb, unit_en = UNITS[cid]
        short_nb, unit_nb = row.get("name_nb") or short_nb, row.get("unit_nb") or unit_nb
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
