"""Survey export formats: real Nettskjema CSV/XLSX, generated MS Forms and generic exports in every
encoding and delimiter, the validate command, row policies and the JSON Schema of mappings."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.surveys.__main__ import main as validate_main
from sources.surveys.delimited import SurveyFormatError, read_delimited
from sources.surveys.encoding import detect_delimiter, detect_encoding
from sources.surveys.engine import map_table
from sources.surveys.exports import read_export
from sources.surveys.ingest import check_export
from sources.surveys.mapping import (
    MappingError,
    load_mapping,
    mapping_columns,
    mapping_schema,
    schema_problems,
)
from sources.surveys.msforms import _date_parts, parse_dates, response_period, single_choice
from sources.surveys.nettskjema import read_nettskjema_csv, read_nettskjema_xlsx
from sources.surveys.xlsx import _column as xlsx_column
from sources.surveys.xlsx import cell_text
from tests.fixtures.surveys import generate_exports as gen

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "surveys"
GENERATED = FIXTURES / "generated"
REAL_CSV = FIXTURES / "nettskjema_v3_form123823_csv-report.csv"
REAL_XLSX = FIXTURES / "nettskjema_v3_form123823_excel-report.xlsx"
REAL_XLSX_SHA256 = "04c4a031786093babaa44a6f107430f1d7f3db71d3a3035dbbf725a1b1ce288c"
EMBEDDED = Path(__file__).resolve().parents[2] / "sources" / "embedded" / "surveys" / "DEMO-2025-ARBEIDSTID"

TRUTH_SECTORS = [t[1] for t in gen.TRUTH]
TRUTH_SEX = [t[2] for t in gen.TRUTH]
TRUTH_HOURS = [t[3] for t in gen.TRUTH]
TRUTH_DOC = [t[4] for t in gen.TRUTH]
TRUTH_UNNECESSARY = [t[5] for t in gen.TRUTH]
TRUTH_DUPLICATE = [t[6] for t in gen.TRUTH]
TRUTH_A3 = [t[9] for t in gen.TRUTH]
TRUTH_WEIGHT = [t[10] for t in gen.TRUTH]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def mapping_for(tmp_path: Path, name: str, **replace: str) -> Path:
    text = (GENERATED / name).read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return write(tmp_path / name, text)


# --------------------------------------------------------------------------- real Nettskjema exports


def test_real_xlsx_fixture_is_the_recorded_payload() -> None:
    assert hashlib.sha256(REAL_XLSX.read_bytes()).hexdigest() == REAL_XLSX_SHA256


def test_real_nettskjema_xlsx_reads_like_the_csv() -> None:
    xlsx = read_nettskjema_xlsx(REAL_XLSX)
    csv = read_nettskjema_csv(REAL_CSV)
    assert list(xlsx.columns) == list(csv.columns)
    assert xlsx["$submission_id"].tolist() == ["27685292", "27685302", "27685319"]
    same = ["freetext", "radio", "dropdown", "radio_matrix.grants", "checkbox.logs", "slider"]
    for column in same:
        assert xlsx[column].tolist() == csv[column].tolist(), column
    # Excel stores 77.0 as a number: the canonical value is the same, the text loses ".0"
    assert xlsx["number_integer"].tolist() == ["77", "45", "98"]
    assert xlsx["number_decimal"].tolist() == ["4.5", "2.2", "10"]
    assert xlsx.loc[0, "$created"] == "2023-06-01T20:57:15"
    assert xlsx.loc[0, "attachment_1"] == "sølvi.png"


def test_real_nettskjema_xlsx_maps_like_the_csv(tmp_path: Path) -> None:
    text = """\
survey_id: NETTSKJEMA-XLSX
year: 2023
format: nettskjema_xlsx
data_status: demonstration
respondent_id: {column: "$submission_id"}
fields:
  sector_code: {column: dropdown, values: {"4": SYKEHUS, "9": NAV}}
  sex: {column: radio, values: {"1": F, "-1": null}}
  hours_total: {column: number_integer, type: number}
  hours_doc: {column: number_decimal, type: number}
  duplicate: {column: slider, values: {"1": 1, "3": 3, "9": 8}}
  autonomy_1: {column: "checkbox.events", values: {"0": 2, "1": 4}}
"""
    checked = check_export(REAL_XLSX, write(tmp_path / "m.yml", text))
    assert checked.report.accepted and checked.report.rows_rejected == 0
    rec = checked.records
    assert rec["respondent_id"].tolist() == ["27685292", "27685302", "27685319"]
    assert rec["sector_code"].tolist() == ["SYKEHUS", "NAV", "SYKEHUS"]
    assert rec["hours_total"].tolist() == [77.0, 45.0, 98.0]
    assert rec["hours_doc"].tolist() == [4.5, 2.2, 10.0]
    assert rec["duplicate"].tolist() == [3, 1, 8]
    assert rec["autonomy_1"].tolist() == [4, 2, 4]  # checkbox option columns are 0/1
    assert checked.report.detected["sheet"] == "API test form"
    assert checked.report.detected["responses"] == "2023-06-01..2023-06-01"


def test_real_nettskjema_csv_only_reads_mapped_columns() -> None:
    table = read_export(REAL_CSV, "nettskjema_csv", ["$submission_id", "dropdown"])
    assert set(table.columns) == {"$submission_id", "dropdown"}
    assert "freetext" in table.header and table.n_rows == 3


def test_cell_text() -> None:
    cells = [cell_text(v) for v in (None, 27685292.0, 4.5, 2.2, 3, True, "x")]
    assert cells == ["", "27685292", "4.5", "2.2", "3", "1", "x"]


CELL_VALUES = st.one_of(
    st.sampled_from(["", "4", "1", "0", "x", "4.0", "Helt enig"]),
    st.text(max_size=3),
    st.floats(allow_nan=False, width=64),
    st.sampled_from([0.0, -0.0, 1.0, 4.0, 4.5, 2.2, 1e16, 2.0**62, 2.0**63, 1e300, float("inf"), -27685292.0]),
    st.booleans(),
    st.integers(-3, 3),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2020, 1, 3)),
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2020, 1, 2)),
    st.none(),
)


@settings(max_examples=300, deadline=None, database=None)
@given(values=st.lists(CELL_VALUES, max_size=30), kind=st.sampled_from(["mixed", "text", "numbers"]))
def test_xlsx_column_conversion_equals_cell_by_cell(values: list, kind: str) -> None:
    """The column-wise conversion (distinct values once, spread back) gives every cell's cell_text, and
    the texts of exactly the number (float) cells, whatever the mix of kinds and their order."""
    if kind == "text":
        values = [v for v in values if type(v) is str]
    elif kind == "numbers":
        values = [v for v in values if type(v) is float]
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    column, numeric = xlsx_column(cells)
    assert column.to_pylist() == [cell_text(v) for v in values]
    assert numeric == frozenset(cell_text(v) for v in values if type(v) is float)


# --------------------------------------------------------------------------- generated exports


def test_generated_fixtures_are_reproducible(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    gen.write_all(tmp_path)
    for name in gen.exports():
        fresh, kept = tmp_path / name, GENERATED / name
        if name.endswith(".xlsx"):
            rows = [list(r) for r in load_workbook(kept, read_only=True).active.iter_rows(values_only=True)]
            again = [list(r) for r in load_workbook(fresh, read_only=True).active.iter_rows(values_only=True)]
            assert rows == again, name
        else:
            assert fresh.read_bytes() == kept.read_bytes(), name


@pytest.mark.parametrize(
    ("export", "mapping", "replace", "encoding", "delimiter"),
    [
        ("msforms_responses.xlsx", "msforms_responses.yml", {}, None, None),
        ("msforms_en-us_utf8bom_comma.csv", "msforms_responses.yml", {"msforms_xlsx": "msforms_csv"}, "utf-8-sig", ","),
        (
            "msforms_nb_cp1252_semicolon.csv",
            "msforms_responses.yml",
            {"msforms_xlsx": "msforms_csv"},
            "cp1252",
            ";",
        ),
        ("generic_labels_utf8_tab.tsv", "generic_labels.yml", {}, "utf-8", "tab"),
        ("generic_codes_latin1_comma.csv", "generic_codes.yml", {}, "cp1252", ","),
        ("generic_codes.xlsx", "generic_codes.yml", {"generic_csv": "generic_xlsx"}, None, None),
    ],
)
def test_generated_export_maps_to_the_truth(
    tmp_path: Path, export: str, mapping: str, replace: dict, encoding: str | None, delimiter: str | None
) -> None:
    checked = check_export(GENERATED / export, mapping_for(tmp_path, mapping, **replace))
    report = checked.report
    assert report.accepted and report.rows_read == 12 and report.rows_rejected == 0, report.to_text()
    assert report.detected["encoding"] == encoding and report.detected["delimiter"] == delimiter
    # only the first and last response date is kept from the tool's time column (generic: none)
    assert report.detected["responses"] == ("2026-11-02..2026-11-24" if "msforms" in export else None)
    rec = checked.records
    assert rec["sector_code"].tolist() == TRUTH_SECTORS
    assert rec["sex"].tolist() == TRUTH_SEX
    assert rec["hours_total"].tolist() == TRUTH_HOURS  # decimal comma in the cp1252 and latin-1 files
    assert rec["hours_doc"].tolist() == TRUTH_DOC
    assert rec["unnecessary"].tolist() == TRUTH_UNNECESSARY
    assert rec["duplicate"].tolist() == TRUTH_DUPLICATE  # "Svært ofte" -> 5, "Vet ikke" -> 8
    assert [None if v is None or v is np.nan else int(v) for v in rec["autonomy_3"].tolist()] == TRUTH_A3
    if mapping != "msforms_responses.yml":
        assert rec["design_weight"].tolist() == TRUTH_WEIGHT
        assert rec["respondent_id"].tolist()[:2] == ["R1001", "R1002"]
    else:
        assert rec["respondent_id"].tolist()[:3] == ["1", "2", "3"]
        assert rec["design_weight"].isna().all()
    values = {str(v) for v in rec.to_numpy().ravel()}
    assert not any("@" in v or "Nordmann" in v or ":" in v or "dobbeltføring" in v for v in values)


def _parse_dates_one_by_one(texts: list[str]) -> list[dt.date | None]:
    """The reference: parse_dates as it was written before it became column-wise (issue 22)."""
    parts = [_date_parts(text) for text in texts]
    day_first = any(p is not None and p[0] > 12 and "/" in t for t, p in zip(texts, parts, strict=True))
    out: list[dt.date | None] = []
    for text, found in zip(texts, parts, strict=True):
        if found is None:
            out.append(None)
            continue
        a, b, c = found
        if a > 31:
            year, month, day = a, b, c
        elif "." in text.split(" ")[0] or day_first:
            day, month, year = a, b, c
        else:
            month, day, year = a, b, c
        try:
            out.append(dt.date(year, month, day))
        except ValueError:
            out.append(None)
    return out


DATE_TEXTS = st.builds(
    "".join,
    st.lists(
        st.one_of(
            st.sampled_from(["2026", "11", "25", "02", "0", "31", "13", "99", "12345", "1", "29", "2024"]),
            st.sampled_from(["/", ".", "-", " ", "T", ":", "Z", "+01:00", "-0130", " PM", "AM", ".5", "\n", "\t"]),
            st.sampled_from(["\x1c", "\xa0", "\u2003", "\u0663", "\u06f1", "x", "\u00e6"]),
        ),
        max_size=9,
    ),
)
WELL_FORMED = st.sampled_from(
    [
        "11/25/2026 14:03:11",
        "25.11.2026 14:03",
        "2026-11-25 14:03:11",
        "2025-03-10T07:12:30+01:00",
        "2/30/2026",
        " 1.2.2026 ",
        "2026-02-29",
        "2024-02-29",
        "13/1/2026 1:02 PM",
        "0000-01-01",
        "1/1/0",
        "\u0661/1/2026",
    ]
)


@settings(max_examples=400, deadline=None, database=None)
@given(texts=st.lists(st.one_of(DATE_TEXTS, WELL_FORMED), max_size=12))
def test_parse_dates_column_wise_equals_text_by_text(texts: list[str]) -> None:
    """The Arrow pass (RE2 on ASCII texts, Python for the rest) reads every text as the regex did."""
    assert parse_dates(texts) == _parse_dates_one_by_one(texts)


def test_msforms_multi_select(tmp_path: Path) -> None:
    assert single_choice("Sykehus;") == ("Sykehus", True)
    assert single_choice("Sykehus;NAV-kontor;") == ("Sykehus;NAV-kontor;", False)
    rows = gen.msforms_rows(gen.MSFORMS_LEAD_EN, lambda t: t.isoformat(sep=" "), False, True)
    rows[3][6] = "Sykehus;NAV-kontor;"  # a respondent ticked two workplaces
    path = tmp_path / "ms.csv"
    path.write_bytes(gen.csv_bytes(rows, ",", "utf-8", False))
    checked = check_export(path, mapping_for(tmp_path, "msforms_responses.yml", msforms_xlsx="msforms_csv"))
    assert checked.report.rows_rejected == 1
    assert checked.report.lines == ["several answers in column 'Hvor jobber du?' (one option is needed) row 3"]


def test_msforms_header_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "respondent,a\n1,2\n")
    expected = r"no 'ID', 'Start time', 'Completion time' column; not a Microsoft Forms"
    with pytest.raises(SurveyFormatError, match=expected):
        read_export(path, "msforms_csv")


def test_response_period_locales() -> None:
    import datetime as dt

    november = (dt.date(2026, 11, 2), dt.date(2026, 11, 25))
    assert response_period(["11/25/2026 14:03:11", "11/2/2026 08:00:00"]) == november
    assert response_period(["25.11.2026 14:03", "02.11.2026 08:03"]) == november
    assert response_period(["25/11/2026 14:03", "02/11/2026 08:03"]) == november
    assert response_period(["2026-11-25 14:03:11"]) == (dt.date(2026, 11, 25), dt.date(2026, 11, 25))
    assert response_period(["2025-03-10T07:12:30+01:00", "2023-06-01T20:57:15"]) == (
        dt.date(2023, 6, 1),
        dt.date(2025, 3, 10),
    )
    assert response_period(["", "x"]) is None


# --------------------------------------------------------------------------- encodings and delimiters


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("cp1252", False, "cp1252"), ("utf-16", False, "utf-16")],
)
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_encodings_and_delimiters(tmp_path: Path, encoding: str, bom: bool, expected: str, delimiter: str) -> None:
    rows = [["id", "arbeidssted", "timer", "kommentar"], ["1", "Sykehus", "37,5", "Svært – «bra»"]]
    rows.append(["2", "Barnehage", "20", ""])
    path = tmp_path / "e.csv"
    path.write_bytes(gen.csv_bytes(rows, delimiter, encoding, quote_all=False, bom=bom))
    table = read_delimited(path)
    assert table.encoding == expected and table.delimiter == delimiter
    frame = table.frame()
    assert frame["arbeidssted"].tolist() == ["Sykehus", "Barnehage"]
    assert frame["kommentar"].tolist() == ["Svært – «bra»", ""]
    assert frame["timer"].tolist() == ["37,5", "20"]


def test_detection_rules() -> None:
    assert detect_encoding("Kjønn".encode()) == "utf-8"
    assert detect_encoding("Kjønn".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"\x81\xf8") == "latin-1"  # 0x81 has no Windows-1252 character
    assert detect_delimiter('"a;b","c"') == ","
    assert detect_delimiter("a;b;c") == ";"
    assert detect_delimiter("a\tb,c") == "\t"  # tie: tab before comma


def test_mapping_can_force_encoding_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes("respondent|sektor\n1|Sykehus\n".encode("cp1252"))
    text = """\
survey_id: X
year: 2026
format: generic_csv
data_status: demonstration
export: {encoding: cp1252, delimiter: ","}
respondent_id: {column: respondent}
fields:
  sector_code: {column: sektor, values: {Sykehus: SYKEHUS}}
"""
    checked = check_export(path, write(tmp_path / "m.yml", text))
    assert not checked.report.accepted
    assert "single column" in str(checked.report.error) and "delimiter: '|'" in str(checked.report.error)
    fixed = check_export(path, write(tmp_path / "fixed.yml", text.replace('delimiter: ","', 'delimiter: "|"')))
    assert fixed.report.accepted and fixed.records["sector_code"].tolist() == ["SYKEHUS"]
    with pytest.raises(MappingError, match=r"export\.delimiter: must be"):
        load_mapping(write(tmp_path / "bad.yml", text.replace('delimiter: ","', 'delimiter: "#"')))


def test_bad_utf8_after_a_bom_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b'\xef\xbb\xbf"id";"a"\n"1";"\xff"\n')
    with pytest.raises(SurveyFormatError, match=r"bad\.csv: starts with a UTF-8 byte-order mark, but byte 17"):
        read_delimited(path)


# --------------------------------------------------------------------------- bad files: specific messages


BAD_MAPPING = """\
survey_id: BAD-2026
year: 2026
format: generic_csv
data_status: demonstration
respondent_id: {column: id}
fields:
  sector_code: {column: sektor, values: {"1": SYKEHUS, "2": NAV, "9": UKJENT}}
  hours_total: {column: timer, type: number}
  hours_doc: {column: dok, type: number}
  duplicate: {column: q7, values: {"Aldri": 1, "Ofte": 4, "Svært ofte": 5, "Vet ikke": 8}}
  autonomy_1: {column: a1, type: integer}
"""


def bad_export(tmp_path: Path, rows: list[list[str]], name: str = "bad.csv") -> Path:
    path = tmp_path / name
    header = ["id", "sektor", "timer", "dok", "q7", "a1", "fritekst"]
    path.write_bytes(gen.csv_bytes([header, *rows], ";", "utf-8", True))
    return path


def good_row(i: int) -> list[str]:
    return [str(i), "1", "37,5", "5", "Ofte", "3", "hemmelig fritekst"]


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({0: "3"}, "duplicate respondent id in column 'id' rows 3, 12"),
        ({4: "Ukentlig"}, "unmapped value in column 'q7' (not in its values table) row 12"),
        ({2: "20", 3: "25"}, "hours_doc greater than hours_total (columns 'dok' > 'timer') row 12"),
        ({5: "6"}, "autonomy_1 code outside 1..5 or 8 in column 'a1' row 12"),
        ({1: "9"}, "unknown sector code in column 'sektor' row 12"),
        ({1: "4"}, "unmapped value in column 'sektor' (not in its values table) row 12"),
        ({2: "mange"}, "not a number in column 'timer' row 12"),
        ({0: ""}, "empty respondent id in column 'id' (a blank, title or total row?) row 12"),
    ],
)
def test_row_problem_messages(tmp_path: Path, change: dict[int, str], line: str) -> None:
    rows = [good_row(i) for i in range(1, 41)]
    for position, value in change.items():
        rows[11][position] = value
    report = check_export(bad_export(tmp_path, rows), write(tmp_path / "m.yml", BAD_MAPPING)).report
    assert report.lines == [line]
    for value in change.values():  # the answer is only in the restricted rendering
        if value and value not in ("3", "20", "25"):
            assert f"'{value}'" in report.to_text(restricted=True) and f"'{value}'" not in report.to_text()
    assert report.accepted  # 1 or 2 bad rows of 40 <= 5 %
    assert report.rows_rejected == (2 if "duplicate" in line else 1)
    assert report.problems[0]["rows"][-1] == 12
    assert "hemmelig" not in report.to_json() + report.to_text()


def test_more_than_five_percent_bad_rows_rejects_the_file(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 41)]
    for i in (4, 9, 30):
        rows[i][4] = "Ukentlig"
    report = check_export(bad_export(tmp_path, rows), write(tmp_path / "m.yml", BAD_MAPPING)).report
    assert not report.accepted and report.rows_rejected == 3
    assert report.lines == ["unmapped value in column 'q7' (not in its values table) rows 5, 10, 31"]
    assert "rejected: 3 of 40 rows have problems" in report.decision()
    lenient = BAD_MAPPING + "row_policy: {max_bad_share: 0.1}\n"
    assert check_export(tmp_path / "bad.csv", write(tmp_path / "m2.yml", lenient)).report.accepted
    strict = BAD_MAPPING + "row_policy: {on_bad_rows: reject_file}\n"
    rows = [good_row(i) for i in range(1, 41)]
    rows[0][4] = "Ukentlig"
    strict_report = check_export(bad_export(tmp_path, rows, "one.csv"), write(tmp_path / "m3.yml", strict)).report
    assert not strict_report.accepted and "reject the file at any bad row" in strict_report.decision()


def test_unknown_column_and_identifying_columns(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 5)]
    text = BAD_MAPPING.replace("{column: a1, type: integer}", "{column: q9, type: integer}")
    report = check_export(bad_export(tmp_path, rows), write(tmp_path / "m.yml", text)).report
    assert not report.accepted and report.rows_rejected == 4
    assert report.lines == ["unknown column 'q9' (mapped to autonomy_1): not in the export header"]
    path = tmp_path / "ms.csv"
    path.write_bytes(gen.csv_bytes([["ID", "Email", "sektor"], ["1", "a@example.invalid", "1"]], ",", "utf-8", False))
    text = BAD_MAPPING.split("fields:")[0].replace("column: id", "column: Email") + (
        'fields:\n  sector_code: {column: sektor, values: {"1": SYKEHUS}}\n'
    )
    report = check_export(path, write(tmp_path / "m2.yml", text)).report
    assert report.lines == [
        "column 'Email' (mapped to respondent_id) identifies a person or an exact time; it can never be mapped"
    ]


def test_email_addresses_as_respondent_ids_are_refused(tmp_path: Path) -> None:
    rows = [good_row(i) for i in range(1, 5)]
    rows[2][0] = "kari@example.invalid"
    report = check_export(bad_export(tmp_path, rows), write(tmp_path / "m.yml", BAD_MAPPING)).report
    assert not report.accepted and report.rows_rejected == 4
    (line,) = report.lines
    assert line.startswith("column 'id' (mapped to respondent_id) holds 1 value(s) that look like e-mail addresses")
    assert line.endswith("map the survey tool's own response id row 3")
    assert "kari@example.invalid" not in report.to_json()


def test_unreadable_files_are_reported_not_raised(tmp_path: Path) -> None:
    mapping = write(tmp_path / "m.yml", BAD_MAPPING)
    text = '"id";"sektor";"timer";"dok";"q7";"a1"\n"1";"1";"2";"1";"Ofte";"3"\n"2";"1"\n'
    ragged = write(tmp_path / "ragged.csv", text)
    report = check_export(ragged, mapping).report
    assert not report.accepted and str(report.error).startswith(
        f"{ragged}: data row 2 (line 3) has 2 fields, the header has 6 (read as utf-8, delimiter ';'"
    )
    fake = write(tmp_path / "fake.xlsx", "not a workbook")
    report = check_export(fake, write(tmp_path / "x.yml", BAD_MAPPING.replace("generic_csv", "generic_xlsx"))).report
    assert report.error.startswith(f"{fake}: not a readable .xlsx workbook")
    report = check_export(ragged, write(tmp_path / "b.yml", BAD_MAPPING.replace("year: 2026", "year: later"))).report
    assert report.error.startswith("mapping file:") and ": year: must be integer, got 'later'" in report.error
    empty = write(tmp_path / "empty.csv", '"id";"sektor";"timer";"dok";"q7";"a1"\n')
    assert "no rows" in check_export(empty, mapping).report.error


# --------------------------------------------------------------------------- the validate command


def test_validate_command_exit_codes_and_output(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert validate_main(["validate", str(EMBEDDED / "export.csv"), str(EMBEDDED / "mapping.yml")]) == 0
    assert "accepted, 1400 rows, no problems" in capsys.readouterr().out
    rows = [good_row(i) for i in range(1, 41)]
    rows[11][4] = rows[19][4] = rows[39][4] = "Ukentlig"
    export, mapping = bad_export(tmp_path, rows), write(tmp_path / "m.yml", BAD_MAPPING)
    lenient = write(tmp_path / "l.yml", BAD_MAPPING + "row_policy: {max_bad_share: 0.1}\n")
    assert validate_main(["validate", str(export), str(lenient)]) == 1
    out = capsys.readouterr().out
    assert (
        "unmapped value in column 'q7' (not in its values table): 'Ukentlig' rows 12, 20, 40" in out
        and "accepted, 3 of 40 rows dropped" in out
    )
    report_path = tmp_path / "report.json"
    assert validate_main(["validate", str(export), str(mapping), "--json", str(report_path)]) == 2
    assert "rejected: 3 of 40 rows have problems" in capsys.readouterr().out
    doc = json.loads(report_path.read_text(encoding="utf-8"))
    assert doc["problems"][0] | {"rows": None} == {
        "message": "unmapped value in column 'q7' (not in its values table)",
        "column": "q7",
        "field": "duplicate",
        "value": "Ukentlig",
        "examples": ["Ukentlig"],
        "cells": [],
        "row_count": 3,
        "rows": None,
    }
    assert doc["problems"][0]["rows"] == [12, 20, 40]


# --------------------------------------------------------------------------- JSON Schema of mappings


def test_shipped_mappings_satisfy_the_json_schema() -> None:
    import yaml

    assert mapping_schema()["title"].startswith("Survey mapping file")
    for path in [EMBEDDED / "mapping.yml", *GENERATED.glob("*.yml")]:
        assert schema_problems(yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
        load_mapping(path)


def test_json_schema_reports_every_violation() -> None:
    doc = {"survey_id": "a b", "year": "x", "format": "pdf", "data_status": "demonstration", "fields": {}}
    problems = schema_problems(doc)
    assert "respondent_id: required key is missing" in problems
    assert any(p.startswith("format: must be one of 'nettskjema_csv'") and p.endswith("got 'pdf'") for p in problems)
    assert "fields.sector_code: required field is missing" in problems
    assert any(p.startswith("survey_id:") for p in problems) and any(p.startswith("year:") for p in problems)


# --------------------------------------------------------------------------- vectorised mapping at scale


def test_vectorised_mapping_on_many_rows(tmp_path: Path) -> None:
    n = 50_000
    rows = [good_row(i) for i in range(1, n + 1)]
    rows[n - 1][4] = "Ukentlig"
    rows[10][0] = "5"
    mapping = load_mapping(write(tmp_path / "m.yml", BAD_MAPPING))
    table = read_export(bad_export(tmp_path, rows), "generic_csv", mapping_columns(mapping))
    mapped = map_table(table, mapping, "bad.csv")
    assert mapped.rows_read == n and mapped.rows_rejected == 3 and len(mapped.records) == n - 3
    assert [p.row for p in mapped.problems] == [5, 11, n]
    assert mapped.records["hours_total"].eq(37.5).all() and mapped.records["duplicate"].eq(4).all()
