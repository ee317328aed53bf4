"""What a number means, in words: the definition sentences, value-with-unit phrases and the
headline sentence of each year, generated from the published (typed, rounded) rows.

Norwegian text uses the decimal comma, English text the decimal point.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from method.ranks import rank_interval_label
from publication.csv_writer import format_cell
from publication.labels import components, nb_number

WHAT_NB = (
    "Indeksen er en poengsum fra 0 til 100 for hvor tung rapporteringsbyrden er for offentlig ansatte i en "
    "sektor, satt sammen av fem mål; den er ikke en prosentandel av arbeidstiden og ikke en vurdering av "
    "den enkelte arbeidsplass."
)
WHAT_EN = (
    "The index is a score from 0 to 100 of how heavy the reporting burden is for public employees in a "
    "sector, combining five measures; it is not a percentage of working time and not a rating of any "
    "single workplace."
)
CITATION_NB = "Rapporteringsbyrdeindeksen, utgivelse {release_id} ({date}), metode {method}. Lisens CC BY 4.0."
CITATION_EN = "Reporting Burden Index, release {release_id} ({date}), method {method}. Licence CC BY 4.0."


def num(value: float | None, language: str = "en", kind: str = "dec1") -> str:
    if value is None:
        return "–"
    text = format_cell(value, kind)
    return nb_number(text) if language == "nb" else text


def value_phrase(cell: Mapping[str, Any], language: str = "nb") -> str:
    """'27.8 % av arbeidstiden → poeng 55.6' (the raw value with its unit beside the 0-100 score)."""
    comp = components().get(str(cell["component_id"]))
    unit = (comp.unit_nb if language == "nb" else comp.unit_en) if comp else str(cell.get("unit") or "")
    score_word = "poeng" if language == "nb" else "score"
    if cell.get("raw_value") is None:
        return "prikket" if language == "nb" else "suppressed"
    return f"{num(cell['raw_value'], language)} {unit} → {score_word} {num(cell.get('normalised'), language)}"


# the words of the rank interval (rank_p05-rank_p95) wherever a person reads ranks (method.ranks)
RANK_INTERVAL_NB = rank_interval_label("nb")  # "90 %-rangintervall"
RANK_INTERVAL_EN = rank_interval_label("en")  # "90 % rank interval"
RANK_INTERVAL_NB_DEFINITE = rank_interval_label("nb", definite=True)  # "90 %-rangintervallet"


def rank_range(row: Mapping[str, Any], language: str = "nb") -> str:
    """'2–3' or '2' (rank_p05 to rank_p95), '–' without ranks."""
    low, high = row.get("rank_p05"), row.get("rank_p95")
    if low is None or high is None:
        return "–"
    return str(int(low)) if low == high else f"{int(low)}–{int(high)}"


def interval_text(
    row: Mapping[str, Any], language: str = "nb", low: str = "index_ci_low", high: str = "index_ci_high"
) -> str:
    if row.get(low) is None or row.get(high) is None:
        return "–"
    return f"{num(row[low], language)}–{num(row[high], language)}"


def overlapping(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Per sector code, the sectors (codes, by rank) of the same year whose 95 % index intervals overlap
    its own: sectors that cannot be told apart. Empty list = clearly separated from every other."""
    ranked = [r for r in rows if r.get("index_ci_low") is not None and r.get("index_ci_high") is not None]
    ranked.sort(key=lambda r: (r.get("rank") or 0, r["sector_code"]))
    out: dict[str, list[str]] = {}
    for row in ranked:
        out[row["sector_code"]] = [
            other["sector_code"]
            for other in ranked
            if other is not row
            and other["index_ci_low"] <= row["index_ci_high"]
            and row["index_ci_low"] <= other["index_ci_high"]
        ]
    return out


def _c1(component_rows: Sequence[Mapping[str, Any]], year: int, sector: str) -> Mapping[str, Any] | None:
    for cell in component_rows:
        if cell["year"] == year and cell["sector_code"] == sector and cell["component_id"] == "C1":
            return cell
    return None


def headline(
    year: int,
    index_rows: Sequence[Mapping[str, Any]],
    component_rows: Sequence[Mapping[str, Any]],
    language: str = "nb",
) -> str:
    """One sentence (two short ones) on the year, from the data: the sector with most burden, its index,
    interval and 90 % rank interval, its documentation share, and the sector with least burden."""
    rows = [r for r in index_rows if r["year"] == year and r.get("index") is not None and r.get("rank") is not None]
    if not rows:
        return (
            f"{year}: ingen sektor har nok data til en indeks."
            if language == "nb"
            else f"{year}: no sector has enough data for an index."
        )
    rows.sort(key=lambda r: (r["rank"], r["sector_code"]))
    top, bottom = rows[0], rows[-1]
    name = "sector_nb" if language == "nb" else "sector_en"
    c1 = _c1(component_rows, year, top["sector_code"])
    share = c1.get("raw_value") if c1 else None
    previous = [r for r in index_rows if r["year"] == year - 1 and r["sector_code"] == top["sector_code"]]
    before = previous[0].get("index") if previous else None
    if language == "nb":
        text = (
            f"{year}: {top[name]} har den tyngste rapporteringsbyrden av {len(rows)} sektorer, indeks "
            f"{num(top['index'], 'nb')} av 100 (95 %-intervall {interval_text(top, 'nb')}; "
            f"{RANK_INTERVAL_NB} {rank_range(top, 'nb')})."
        )
        if before is not None:
            text += f" Året før: {num(before, 'nb')}."
        if share is not None:
            text += f" Ansatte der bruker {num(share, 'nb')} % av arbeidstiden på dokumentasjon og rapportering."
        if bottom is not top:
            text += (
                f" Lettest byrde: {bottom[name]}, {num(bottom['index'], 'nb')} "
                f"({interval_text(bottom, 'nb')}; {RANK_INTERVAL_NB} {rank_range(bottom, 'nb')})."
            )
        return text
    text = (
        f"{year}: the heaviest reporting burden of {len(rows)} sectors is in {top[name]}: index "
        f"{num(top['index'])} out of 100 (95 % interval {interval_text(top, 'en')}; "
        f"{RANK_INTERVAL_EN} {rank_range(top, 'en')})."
    )
    if before is not None:
        text += f" The year before: {num(before)}."
    if share is not None:
        text += f" Employees there spend {num(share)} % of their working hours on documentation and reporting."
    if bottom is not top:
        text += (
            f" Lightest burden: {bottom[name]}, {num(bottom['index'])} "
            f"({interval_text(bottom, 'en')}; {RANK_INTERVAL_EN} {rank_range(bottom, 'en')})."
        )
    return text
