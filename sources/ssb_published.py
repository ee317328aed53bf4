"""Reader for SSB figures transcribed from published table pages (the embedded public statistics).

Format (see ``shared/fixtures/ssb-published/SOURCES.md``): UTF-8 CSV with the columns
``table_ref, measure, unit, period, nace_code, nace_label, sector, value, status, source_url``;
``value`` uses a decimal point and is empty exactly when ``status`` holds an SSB status symbol.
"""

from sources.tables import Column, TableError, matching, number, parse_csv_rows

STATUS_SYMBOLS = ("", ":", "..", ".", "period_inferred")
PERIOD = r"\d{4}(K[1-4])?(-\d{4}(K[1-4])?)?"

COLUMNS = (
    Column("table_ref"),
    Column("measure"),
    Column("unit"),
    Column("period", matching(PERIOD, "a period like 2016, 2016K2 or 2015K4-2016K4")),
    Column("nace_code", required=False),
    Column("nace_label"),
    Column("sector"),
    Column("value", number, required=False),
    Column("status", required=False),
    Column("source_url", matching(r"https?://\S+", "an http(s) URL")),
)


def read_published_table(data: bytes, source: str) -> list[dict[str, object]]:
    """Rows of a transcribed SSB table, each checked; raises TableError naming row and field."""
    rows, problems = parse_csv_rows(data, source, COLUMNS)
    for number_, row in enumerate(rows, start=1):
        status = row["status"] or ""
        if status not in STATUS_SYMBOLS:
            problems.append(f"row {number_}, field 'status': unknown status symbol '{status}'")
        has_value = row["value"] is not None
        if has_value and status not in ("", "period_inferred"):
            problems.append(f"row {number_}: a value and the status '{status}' (a value must be empty then)")
        if not has_value and status in ("", "period_inferred"):
            problems.append(f"row {number_}, field 'value': empty without a status symbol")
        row["status"] = status or None
    if problems:
        raise TableError(source, problems)
    return rows
