"""The short bilingual README of a release, with the demonstration banner when it applies."""

DEMO_BANNER = (
    "DEMONSTRASJONSDATA / DEMONSTRATION DATA\n"
    "Tallene i denne utgivelsen bygger på oppdiktede data og er IKKE reelle målinger.\n"
    "The numbers in this release are built from invented data and are NOT real measurements.\n"
)


def release_readme(release_id: str, created_at: str, method_version: str, data_status: str, tables: list[str]) -> str:
    banner = DEMO_BANNER + "\n" if data_status == "demonstration" else ""
    listing = "\n".join(f"- {name}.csv" for name in tables)
    return f"""{banner}Rapporteringsbyrdeindeksen — utgivelse {release_id}
Reporting Burden Index — release {release_id}

Dato / date: {created_at}
Metodeversjon / method version: {method_version}
Datastatus / data status: {data_status}

Norsk: Indeksen måler hvor stor del av arbeidstiden offentlig ansatte bruker på rapportering,
dokumentasjon og kontroll, per sektor og år (0-100, høyere = mer byrde). Tallene er avrundet
halvt bort fra null; tomme celler er undertrykt (for få svar) eller mangler. Metoden er beskrevet
i docs/methodology.md i prosjektet.

English: The index measures how much of public employees' working time goes to reporting,
documentation and control, per sector and year (0-100, higher = more burden). Numbers are rounded
half away from zero; empty cells are suppressed (too few respondents) or missing. The method is
described in docs/methodology.md of the project.

Filer / files (UTF-8, comma-separated, '.' as decimal mark):
{listing}
- releases.csv
- README.txt

Lisens / licence: CC BY 4.0. Kilde / source: Rapporteringsbyrdeindeksen; public statistics from
Statistisk sentralbyrå (CC BY 4.0), see sources.csv.
"""
