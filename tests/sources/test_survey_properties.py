"""Property tests of the intake's mapping and readers (issue 19, "Tests that search").

Hypothesis generates valid exports of both tools with their truth (the kit's generators: Nettskjema
CSV and XLSX, Microsoft Forms XLSX and its CSV), then applies one mutation a person or a tool could
make (re-encoding, delimiter and line-end changes, duplicated/renamed/reordered columns, mapping
edits, workbook variations, a planted marker in a cell). Invariants, for every example:

- checking never raises: a bad file is a report, never a traceback;
- accepted => the records equal the truth, row for row, for the rows kept;
- refused or flagged => the report names the file, and row problems name column and row;
- a marker string planted in a cell or a column name never appears in a message that may reach
  logs (the report without answers).

Bounded: a fixed number of examples, no deadline, no example database (nothing written to the
repository), so the whole file runs in well under a minute.
"""

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.questionnaire import load
from kit.sample import msforms_rows, nettskjema_csv, sample_mapping
from sources.surveys.ingest import check_export
from tests.kit.exports import as_tuples, truth

MARKER = "ZQXMARKER"
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("SURVEY_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUESTIONNAIRE = load()
SECTORS = ["SYKEHUS", "NAV", "BARNEHAGE", "GRUNNSKOLE"]
TOOLS = ["nettskjema_csv", "nettskjema_xlsx", "msforms_xlsx", "msforms_csv"]
CSV_MUTATIONS = ["none", "utf-8-sig", "cp1252", "utf-16", "crlf", "comma", "tab", "excel_sep_line"]
TABLE_MUTATIONS = ["reorder", "duplicate_column", "rename_mapped", "marker_in_cell", "marker_in_header"]
MAPPING_MUTATIONS = ["duplicate_key", "unquoted_01_key", "two_fields_one_column"]
XLSX_MUTATIONS = ["hidden_first_sheet", "merged_cells", "second_visible_sheet", "styled_empty_rows"]


def rows_for(tool: str, records: pd.DataFrame) -> list[list[object]]:
    """The export's rows (header first) as the tool writes them."""
    if tool.startswith("nettskjema"):
        text = nettskjema_csv(records, QUESTIONNAIRE, extra={"kommentar": ["fri tekst"] * len(records)}).decode()
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=";")]
    return msforms_rows(records, QUESTIONNAIRE, "nb")


def csv_bytes(rows: list[list[object]], delimiter: str, encoding: str, line_end: str, sep_line: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.strftime("%m/%d/%Y %H:%M:%S") if hasattr(v, "strftime") else v) for v in row]
        )
    text = (f"sep={delimiter}{line_end}" if sep_line else "") + out.getvalue()
    return text.encode(encoding)


def write_workbook(rows: list[list[object]], path: Path, mutation: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    if mutation == "hidden_first_sheet":
        old = book.add_worksheet("Gammel")
        for r, row in enumerate(rows[:1] + [[f"{MARKER}{i}"] * len(rows[0]) for i in range(3)]):
            old.write_row(r, 0, row)
        old.hide()
    sheet = book.add_worksheet("Form1")
    if mutation == "hidden_first_sheet":
        sheet.activate()
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if hasattr(value, "strftime"):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    if mutation == "merged_cells" and len(rows) > 2:
        sheet.merge_range(1, 6, 2, 6, rows[1][6])
    if mutation == "second_visible_sheet":
        book.add_worksheet("Notater").write(0, 0, "notes")
    if mutation == "styled_empty_rows":
        fill = book.add_format({"bg_color": "#FFFF00"})
        for r in range(len(rows), len(rows) + 30):
            sheet.set_row(r, None, fill)
    book.close()


def mutate_table(rows: list[list[object]], mutation: str, mapped: list[str]) -> list[list[object]]:
    rows = [list(r) for r in rows]
    header = rows[0]
    if mutation == "reorder":
        order = list(reversed(range(len(header))))
        return [[r[i] for i in order] for r in rows]
    if mutation == "duplicate_column":
        return [[*r, r[-1]] for r in rows]
    if mutation == "rename_mapped":
        index = header.index(mapped[-1])
        header[index] = f"{header[index]}_{MARKER}"
    if mutation == "marker_in_cell" and len(rows) > 1:
        rows[1][header.index(mapped[1])] = f"{MARKER} 1,250"
    if mutation == "marker_in_header":
        header.append(f"kommentar {MARKER}")
        for r in rows[1:]:
            r.append("")
    return rows


def mutate_mapping(text: str, mutation: str) -> str:
    if mutation == "duplicate_key":
        return text + "year: 2031\n"
    if mutation == "unquoted_01_key":  # a copy of the first answer line, keyed 01 (YAML reads the number 1)
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith("    values:")) + 1
        value = lines[first].split('": ', 1)[1]
        lines.insert(first, f"      01: {value}")
        return "\n".join(lines) + "\n"
    if mutation == "two_fields_one_column":
        lines = text.splitlines()
        columns = [i for i, line in enumerate(lines) if line.startswith("    column: ")]
        lines[columns[1]] = lines[columns[0]]
        return "\n".join(lines) + "\n"
    return text


@st.composite
def deliveries(draw: st.DrawFn) -> dict:
    tool = draw(st.sampled_from(TOOLS))
    sizes = draw(st.dictionaries(st.sampled_from(SECTORS), st.integers(1, 6), min_size=1, max_size=3))
    kinds = CSV_MUTATIONS if tool.endswith("_csv") else [*XLSX_MUTATIONS, "none"]
    mutation = draw(st.sampled_from(kinds + TABLE_MUTATIONS + MAPPING_MUTATIONS))
    return {"tool": tool, "sizes": sizes, "seed": draw(st.integers(0, 10_000)), "mutation": mutation}


def deliver(folder: Path, case: dict) -> tuple[pd.DataFrame, Path, Path]:
    tool, mutation = case["tool"], case["mutation"]
    records = truth(case["sizes"], case["seed"])
    kit_tool = tool.split("_")[0]
    mapping_text = sample_mapping(QUESTIONNAIRE, kit_tool, "nb", "PROP-2026", 2026).replace(
        f"format: {'nettskjema_csv' if kit_tool == 'nettskjema' else 'msforms_xlsx'}", f"format: {tool}"
    )
    mapped = [line.split('"')[1] for line in mapping_text.splitlines() if line.startswith("    column: ")]
    rows = mutate_table(rows_for(tool, records), mutation, mapped)
    if tool.endswith("_xlsx"):
        export = folder / "export.xlsx"
        write_workbook(rows, export, mutation)
    else:
        export = folder / "export.csv"
        encoding = mutation if mutation in ("utf-8-sig", "cp1252", "utf-16") else "utf-8"
        delimiter = {"comma": ",", "tab": "\t"}.get(mutation, ";" if tool.startswith("nettskjema") else ",")
        if mutation in ("comma", "tab"):
            mapping_text += f"export: {{delimiter: {'tab' if delimiter == chr(9) else repr(delimiter)}}}\n"
        export.write_bytes(
            csv_bytes(rows, delimiter, encoding, "\r\n" if mutation == "crlf" else "\n", mutation == "excel_sep_line")
        )
    mapping = folder / "mapping.yml"
    mapping.write_text(mutate_mapping(mapping_text, mutation), encoding="utf-8")
    return records, export, mapping


def problem_rows(report) -> set[int]:
    return {row for problem in report.problems for row in problem.get("rows", [])}


@SETTINGS
@given(case=deliveries())
def test_deliveries_are_taken_exactly_or_refused_with_a_reason(
    tmp_path_factory: pytest.TempPathFactory, case: dict
) -> None:
    folder = tmp_path_factory.mktemp("delivery")
    records, export, mapping = deliver(folder, case)
    checked = check_export(export, mapping)  # never raises: only the project's own report
    report = checked.report
    public = report.to_text(restricted=False) + (report.error or "") + "\n".join(report.lines)
    assert MARKER not in public, case
    if report.accepted:
        dropped = problem_rows(report)
        kept = records.iloc[[i for i in range(len(records)) if i + 1 not in dropped]]
        assert as_tuples(checked.records, with_id=False) == as_tuples(kept, with_id=False), case
        assert report.rows_read == len(records)
    else:
        assert report.error or report.lines, case
        if report.error:
            assert export.name in report.error or mapping.name in report.error, case
        for problem in report.problems:
            if problem.get("rows"):
                assert problem["column"] and problem["message"], case
    must_refuse = {"duplicate_key", "unquoted_01_key", "two_fields_one_column", "rename_mapped", "duplicate_column"}
    if case["mutation"] in must_refuse | {"second_visible_sheet"}:
        assert not report.accepted, case
    clean = {"none", "utf-8-sig", "cp1252", "utf-16", "crlf", "comma", "tab", "excel_sep_line", "reorder"}
    if case["mutation"] in clean | {"hidden_first_sheet", "styled_empty_rows", "marker_in_header"}:
        assert report.accepted and report.rows_rejected == 0, (case, report.to_text())


YAML_LOOKALIKES = st.one_of(
    st.from_regex(r"\A[+-]?0[0-9]{1,3}\Z"),  # 01, 007, -01
    st.from_regex(r"\A[0-9]{1,4}\Z"),
    st.from_regex(r"\A[0-9]{1,2}\.[0-9]{0,2}\Z"),  # 1.0, 2.
    st.from_regex(r"\A[0-9]_[0-9]{3}\Z"),  # 1_000
    st.from_regex(r"\A0x[0-9a-f]{1,2}\Z"),
    st.from_regex(r"\A20[0-9]{2}-0[1-9]-1[0-9]\Z"),  # a date
    st.sampled_from(["yes", "no", "on", "off", "true", "False", "y", "n", "~", "null", ".inf", ".nan", "Sykehus"]),
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=YAML_LOOKALIKES)
def test_a_values_key_reads_as_typed_or_is_refused_with_the_quoted_form(tmp_path: Path, key: str) -> None:
    from sources.surveys.mapping import MappingError, load_mapping

    text = (
        "survey_id: P-1\nyear: 2026\nformat: generic_csv\ndata_status: demonstration\nrespondent_id: {column: id}\n"
        f"fields:\n  sector_code:\n    column: s\n    values:\n      {key}: SYKEHUS\n"
    )
    path = tmp_path / "m.yml"
    path.write_text(text, encoding="utf-8")
    try:
        mapping = load_mapping(path)
    except MappingError as exc:
        assert f'use "{key}":' in str(exc), (key, str(exc))
    else:
        assert mapping.fields["sector_code"].values == {key: "SYKEHUS"}, key
