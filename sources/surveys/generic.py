"""Generic survey exports: any CSV/TSV or .xlsx with a header row and one row per respondent.

Covers tools such as Enalyzer and SurveyXact, which export either value *codes* (``1``..``5``) or
value *labels* (``Svært ofte``, ``Vet ikke``); the mapping file's ``values`` table turns either
into canonical codes. There is no structural check beyond the reader's (a header, no repeated
column names, every row as wide as the header); the mapping names the respondent id column.
Encoding (UTF-8, UTF-8 with BOM, Windows-1252/ISO-8859-1) and delimiter (``;``, ``,``, tab) are
detected; decimal commas in numbers are read by the mapping.
"""

# column names that identify a person or a moment in common generic exports: never mapped
IDENTIFYING_COLUMNS = frozenset(
    {"email", "e-mail", "e-post", "epost", "name", "navn", "ip", "ip address", "ip-adresse", "ipaddress"}
)


def is_identifying(column: str) -> bool:
    return column.strip().lower() in IDENTIFYING_COLUMNS
