"""README.txt of a release: plain bilingual text a journalist can read without opening anything else.

The demonstration banner when it applies, what the index is and is not, the headline of each year
(from the data), how to read a value (raw value with unit beside the 0-100 score), a description of
every file, the flag glossary, the citation, the changelog and the checksums.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from publication.calendar import next_release
from publication.glossary import glossary_text
from publication.meaning import (
    CITATION_EN,
    CITATION_NB,
    RANK_INTERVAL_EN,
    RANK_INTERVAL_NB_DEFINITE,
    WHAT_EN,
    WHAT_NB,
    headline,
    value_phrase,
)

DEMO_BANNER = (
    "DEMONSTRASJONSDATA / DEMONSTRATION DATA\n"
    "Tallene i denne utgivelsen bygger på oppdiktede data og er IKKE reelle målinger.\n"
    "The numbers in this release are built from invented data and are NOT real measurements.\n"
)
FILE_GUIDE = """\
Filene / the files
- report.html: åpne i en nettleser (også på mobil, uten nett): hovedfunn, diagrammer med
  usikkerhet, tabeller, flaggforklaring. / Open in a browser (also on a phone, offline): headline,
  charts with uncertainty, tables, flag glossary.
- rapporteringsbyrdeindeksen.xlsx: alle tabeller i Excel med norske overskrifter og enheter; arket
  «Om tallene - About» forklarer tallene, flaggene og hvordan du siterer. / All tables in Excel with
  Norwegian headers and units; the "Om tallene - About" sheet explains numbers, flags and citation.
- <tabell>.excel-nb.csv: hver tabell for Excel og LibreOffice med norske innstillinger (semikolon,
  desimalkomma, norske overskrifter, flagg forklart, datastatus); åpnes med dobbeltklikk. / Each
  table for Excel and LibreOffice with Norwegian settings (semicolon, decimal comma, Norwegian
  headers, flags explained, data status); opens with a double click.
- <tabell>.csv og .parquet: de samme tabellene for programmer (komma, desimalpunktum, faste
  kolonnenavn på engelsk, beskrevet i datapackage.json). / The same tables for software (comma,
  decimal point, fixed English column names, described in datapackage.json).
  index_sector_year = indeksen per sektor og år / the index by sector and year;
  component_sector_year = de fem målene med enhet og poeng / the five measures with unit and score;
  sensitivity = indeksen med andre metodevalg (S0-S4) / the index under other method choices;
  context_sector_year = offentlig statistikk ved siden av (sykefravær, sysselsatte) / public
  statistics shown beside it; sources = kildene / the sources; releases = alle utgivelser med
  endringslogg / every release with its changelog.
- index-<år>.png/.svg, trend.png/.svg: diagrammene som egne bildefiler / the charts as image files.
- methodology.html: metoden, med en kort forklaring på norsk og engelsk først / the method, with a
  plain-language summary in Norwegian and English first (methodology.md: the same text as Markdown).
- changes.json: hva som er endret siden forrige utgivelse / what changed since the last release.
- datapackage.json: beskrivelse av tabellene (Frictionless Data) / description of the tables.
- rbi.duckdb: for analytikere (DuckDB): alle tabeller, metodetabeller (vekter, målestolper,
  flagg, scenarioer, sektorer) og en bred resultattabell / for analysts. Åpnes med / opens with
  DuckDB 1.0 eller nyere / or newer (1.x og/and 2.x): duckdb rbi.duckdb -c "FROM results".
- SHA256SUMS: kontrollsummer / checksums.
"""


def _example(component_rows: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The documentation share of the first sector of the newest year, as 'value with unit → score'."""
    cells = [c for c in component_rows if c.get("component_id") == "C1" and c.get("raw_value") is not None]
    if not cells:
        return None
    newest = max(c["year"] for c in cells)
    cell = next(c for c in cells if c["year"] == newest)
    where = f"{cell['sector_code']} {newest}"
    return f"{where}: {value_phrase(cell, 'nb')}", f"{where}: {value_phrase(cell, 'en')}"


def release_readme(
    release_id: str,
    created_at: str,
    method_version: str,
    data_status: str,
    files: Mapping[str, str],
    changelog: str = "First release.",
    unchecked: Mapping[str, str] | None = None,
    index_rows: Sequence[Mapping[str, Any]] = (),
    component_rows: Sequence[Mapping[str, Any]] = (),
) -> str:
    """``files``: name -> what it is (in SHA256SUMS); ``unchecked``: files outside SHA256SUMS."""
    banner = DEMO_BANNER + "\n" if data_status == "demonstration" else ""
    listing = "\n".join(f"- {name}: {what}" for name, what in sorted(files.items()))
    outside = "\n".join(f"- {name}: {what}" for name, what in sorted((unchecked or {}).items()))
    years = sorted({r["year"] for r in index_rows}, reverse=True)
    headlines = "\n".join(
        f"{headline(y, index_rows, component_rows, 'nb')}\n{headline(y, index_rows, component_rows, 'en')}\n"
        for y in years
    )
    example = _example(component_rows)
    reading = (
        f"Eksempel / example: dokumentasjonstid / documentation time {example[0]} ({example[1]}).\n" if example else ""
    )
    citation = {"release_id": release_id, "date": created_at, "method": method_version}
    next_nb, next_en = next_release([r["year"] for r in index_rows])
    return f"""{banner}Rapporteringsbyrdeindeksen — utgivelse {release_id}
Reporting Burden Index — release {release_id}

Dato / date: {created_at}
Metodeversjon / method version: {method_version}
Datastatus / data status: {data_status}

Hva tallene betyr / what the numbers mean
{WHAT_NB}
{WHAT_EN}

Hovedfunn / headline
{headlines or "(ingen indeks / no index)"}
Slik leser du en verdi / how to read a value
Hver av de fem komponentene har en verdi med enhet (f.eks. % av arbeidstiden) og en poengsum 0-100;
indeksen er et vektet snitt av poengsummene. 95 %-intervallet og {RANK_INTERVAL_NB_DEFINITE} (rank_p05-rank_p95)
viser usikkerheten; sektorer med overlappende intervaller kan ikke skilles fra hverandre.
Each of the five components has a value with its unit (e.g. % of working hours) and a 0-100 score;
the index is a weighted mean of the scores. The 95 % interval and the {RANK_INTERVAL_EN} (rank_p05-rank_p95)
show the uncertainty; sectors whose intervals overlap cannot be told apart.
{reading}Tallene er avrundet halvt bort fra null; tomme celler er prikket (for få svar) eller mangler.
Numbers are rounded half away from zero; empty cells are suppressed (too few answers) or missing.
The CSV files are UTF-8, comma-separated, '.' as decimal mark; text cells that would start with
= + - @ are prefixed with '.

{FILE_GUIDE}
Flagg / flags (i kolonnen flags, skilt med ';' / in the column flags, separated by ';')
{glossary_text()}

Slik siterer du / how to cite
{CITATION_NB.format(**citation)}
{CITATION_EN.format(**citation)}

Endringer siden forrige utgivelse / changes since the previous release (details: changes.json):
{changelog}
{next_nb}
{next_en}

Filer / files (kontroller med / verify with `sha256sum -c SHA256SUMS`):
{listing}

Utenfor SHA256SUMS / not in SHA256SUMS (DuckDB files are not byte-reproducible; same content):
{outside or "- (none)"}

Lisens / licence: CC BY 4.0. Kilde / source: Rapporteringsbyrdeindeksen; public statistics from
Statistisk sentralbyrå (CC BY 4.0), see sources.csv.
"""
