"""The short bilingual README of a release, with the demonstration banner when it applies."""

from collections.abc import Mapping

DEMO_BANNER = (
    "DEMONSTRASJONSDATA / DEMONSTRATION DATA\n"
    "Tallene i denne utgivelsen bygger på oppdiktede data og er IKKE reelle målinger.\n"
    "The numbers in this release are built from invented data and are NOT real measurements.\n"
)


def release_readme(
    release_id: str,
    created_at: str,
    method_version: str,
    data_status: str,
    files: Mapping[str, str],
    changelog: str = "First release.",
    unchecked: Mapping[str, str] | None = None,
) -> str:
    """``files``: name -> what it is (in SHA256SUMS); ``unchecked``: files outside SHA256SUMS."""
    banner = DEMO_BANNER + "\n" if data_status == "demonstration" else ""
    listing = "\n".join(f"- {name}: {what}" for name, what in sorted(files.items()))
    outside = "\n".join(f"- {name}: {what}" for name, what in sorted((unchecked or {}).items()))
    return f"""{banner}Rapporteringsbyrdeindeksen — utgivelse {release_id}
Reporting Burden Index — release {release_id}

Dato / date: {created_at}
Metodeversjon / method version: {method_version}
Datastatus / data status: {data_status}

Norsk: Indeksen måler hvor stor del av arbeidstiden offentlig ansatte bruker på rapportering,
dokumentasjon og kontroll, per sektor og år (0-100, høyere = mer byrde). Tallene er avrundet
halvt bort fra null; tomme celler er undertrykt (for få svar) eller mangler. Metoden står i
methodology.md; report.html viser tallene i en nettleser uten nett. Filen
index_sector_year.xlsx-no.csv er for Excel med norske innstillinger (semikolon, desimalkomma).

English: The index measures how much of public employees' working time goes to reporting,
documentation and control, per sector and year (0-100, higher = more burden). Numbers are rounded
half away from zero; empty cells are suppressed (too few respondents) or missing. The method is
in methodology.md; report.html shows the numbers in a browser, offline. The CSV files are UTF-8,
comma-separated, '.' as decimal mark; text cells that would start with = + - @ are prefixed with '.

Endringer siden forrige utgivelse / changes since the previous release (details: changes.json):
{changelog}

Filer / files (kontroller med / verify with `sha256sum -c SHA256SUMS`):
{listing}

Utenfor SHA256SUMS / not in SHA256SUMS (DuckDB files are not byte-reproducible; same content):
{outside or "- (none)"}

Lisens / licence: CC BY 4.0. Kilde / source: Rapporteringsbyrdeindeksen; public statistics from
Statistisk sentralbyrå (CC BY 4.0), see sources.csv.
"""
