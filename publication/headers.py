"""Norwegian column headers with units, for the workbook and the Norwegian-Excel CSVs:
``Indeks (poeng 0–100)``, from the titles and units of publication/metadata.py."""

from publication.metadata import table_metadata

UNITS_NB = {
    "score 0-100": "poeng 0–100",
    "rank": "rang",
    "count": "antall",
    "%": "%",
    "ratio": "forholdstall",
    "see unit": "se Enhet",
}
SHEETS_NB = {  # sheet names in the workbook (at most 31 characters)
    "index_sector_year": "Indeks",
    "component_sector_year": "Komponenter",
    "context_sector_year": "Kontekst",
    "sensitivity": "Følsomhet",
    "sources": "Kilder",
    "releases": "Utgivelser",
}


def norwegian_header(table: str, column: str) -> str:
    described = table_metadata(table, [column]).columns[column]
    unit = UNITS_NB.get(described.unit or "", described.unit)
    return f"{described.title_nb} ({unit})" if unit else described.title_nb


def english_header(table: str, column: str) -> str:
    described = table_metadata(table, [column]).columns[column]
    return f"{described.title_en} ({described.unit})" if described.unit else described.title_en
