"""Issue 19, mapping and readers: strict mapping files, cells read by declared rules, respondent ids
that are personal data refused by kind, messages that lead to the fix, bounded problem lists."""

# ruff: noqa: E501 (tables of whole messages read better unbroken)

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import xlsxwriter

from sources.surveys.delimited import SurveyFormatError, read_delimited
from sources.surveys.engine import map_table, parse_number
from sources.surveys.exports import case_mismatch_hint, read_export, unsupported_export_hint
from sources.surveys.ingest import check_export
from sources.surveys.mapping import MappingError, NumberFormat, load_mapping
from sources.surveys.problems import MAX_GROUPS_LISTED, ProblemGroup, shown_name, summarise_groups
from sources.surveys.respondent_ids import national_id_mask, personal_kinds
from sources.surveys.xlsx import read_xlsx

MAPPING = """\
survey_id: RULES-2026
year: 2026
format: generic_csv
data_status: demonstration
respondent_id: {column: id}
fields:
  sector_code: {column: sektor, values: {"1": SYKEHUS, "2": NAV}}
  hours_total: {column: timer, type: number}
"""
HEADER = ["id", "sektor", "timer"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def csv_export(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ";") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def rows_of(n: int, hours: str = "37,5") -> list[list[str]]:
    return [[f"R{i}", "1", hours] for i in range(1, n + 1)]


# --------------------------------------------------------------------------- strict mapping files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MAPPING + "year: 2025\n", "duplicate key 'year' (first given at line 2"),
        (MAPPING.replace('"2": NAV', '"1": NAV'), "duplicate key '1'"),
        (MAPPING.replace("type: number}", "type: number, column: dok}"), "duplicate key 'column'"),
        (
            MAPPING.replace('"1": SYKEHUS', "01: SYKEHUS"),
            'the key 01 is read by YAML as a number, not as the text typed; quote it: use "01":',
        ),
        (
            MAPPING.replace('"1": SYKEHUS', "yes: SYKEHUS"),
            'read by YAML as true/false, not as the text typed; quote it: use "yes":',
        ),
        (MAPPING.replace('"1": SYKEHUS', "1.0: SYKEHUS"), 'use "1.0":'),
        (MAPPING.replace('"1": SYKEHUS', "2026-01-01: SYKEHUS"), "read by YAML as a date"),
    ],
)
def test_yaml_keys_are_strict(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path / "m.yml", text))
    assert expected in str(caught.value)
    assert "line" in str(caught.value)


def test_plain_integer_keys_and_merge_keys_still_work(tmp_path: Path) -> None:
    text = MAPPING.replace('{"1": SYKEHUS, "2": NAV}', "&s {1: SYKEHUS, 2: NAV}") + "  sex: {<<: *s, column: kjonn}\n"
    text = text.replace("&s {1: SYKEHUS, 2: NAV}", "{1: SYKEHUS, 2: NAV}").replace(
        "  sex: {<<: *s, column: kjonn}\n",
        "  unnecessary: &u {column: q1, values: {1: 1, 2: 2}}\n  duplicate: {<<: *u, column: q2}\n",
    )
    mapping = load_mapping(write(tmp_path / "m.yml", text))
    assert mapping.fields["sector_code"].values == {"1": "SYKEHUS", "2": "NAV"}
    assert mapping.fields["duplicate"].column == "q2" and mapping.fields["duplicate"].values == {"1": 1, "2": 2}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  hours_total: {column: timer",
            "  hours_total: {column: sektor",
            "column 'sektor' is already mapped to sector_code",
        ),
        ("respondent_id: {column: id}", "respondent_id: {column: timer}", "is already mapped to respondent_id"),
        ("survey_id: RULES-2026", "survey_id: " + "A" * 65, "survey_id: is longer than 64 characters"),
        ("survey_id: RULES-2026", "survey_id: RULES 2026", "survey_id: 'RULES 2026' does not match"),
        ("data_status: demonstration", "data_status: demonstration\ntitle: " + "t" * 201, "title: is longer than 200"),
        (
            "data_status: demonstration",
            "data_status: demonstration\nexport: {encoding: klingon}",
            "export.encoding: must be one of 'utf-8'",
        ),
        (
            "data_status: demonstration",
            "data_status: demonstration\nexport: {delimiter: ':'}",
            "export.delimiter: must be one of",
        ),
        (
            "data_status: demonstration",
            "data_status: demonstration\nexport: {decimal_mark: ',', thousands_separator: ','}",
            "must differ",
        ),
        (
            "data_status: demonstration",
            "data_status: demonstration\nexport: {thousands_separator: ' '}",
            "export.decimal_mark: required",
        ),
        ('"2": NAV', '"2": NAV, " 1": NAV', "are the same text once Unicode form and surrounding spaces are ignored"),
        ("year: 2026", "year: 20260", "year: must be between 1900 and 2100"),
    ],
)
def test_mapping_rules_beyond_keys(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MAPPING
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path / "m.yml", MAPPING.replace(old, new)))
    assert expected in str(caught.value)


def test_a_file_name_with_a_newline_is_shown_escaped(tmp_path: Path) -> None:
    assert shown_name("a\nb.csv") == "a\\nb.csv"
    path = tmp_path / "evil\nINFO forged line.yml"
    with pytest.raises(MappingError) as caught:
        load_mapping(write(path, "survey_id: [\n"))
    assert "\n" not in str(caught.value) and "evil\\nINFO" in str(caught.value)


# --------------------------------------------------------------------------- cells by declared rules


@pytest.mark.parametrize(
    ("text", "numbers", "value", "kind"),
    [
        ("37,5", NumberFormat(), 37.5, None),
        ("37.5", NumberFormat(), 37.5, None),
        ("1,250", NumberFormat(), None, "ambiguous"),
        ("1.250", NumberFormat(), None, "ambiguous"),
        ("0,125", NumberFormat(), 0.125, None),
        ("980", NumberFormat(), 980.0, None),
        ("1,250", NumberFormat(","), 1.25, None),
        ("1 250,5", NumberFormat(",", " "), 1250.5, None),
        ("1\u00a0250,5", NumberFormat(",", " "), 1250.5, None),
        ("1,250.5", NumberFormat(".", ","), 1250.5, None),
        ("12,50.5", NumberFormat(".", ","), None, "not a number"),
        ("1.250", NumberFormat(","), None, "not a number"),
        ("1" * 400, NumberFormat(), None, "not a number"),
        ("1.125", NumberFormat(), 1.125, None),  # when typed (an Excel number cell), see below
    ][:-1],
)
def test_numbers_by_declared_format(text: str, numbers: NumberFormat, value: float | None, kind: str | None) -> None:
    assert parse_number(text, numbers) == (value, kind)


def test_typed_numbers_are_exact() -> None:
    assert parse_number("1.125", NumberFormat(), typed=True) == (1.125, None)
    assert parse_number("1.125", NumberFormat(","), typed=True) == (1.125, None)


def test_ambiguous_number_is_refused_with_the_declaration_to_make(tmp_path: Path) -> None:
    rows = rows_of(30)
    rows[4][2] = "1,250"
    report = check_export(csv_export(tmp_path / "e.csv", rows), write(tmp_path / "m.yml", MAPPING)).report
    assert report.rows_rejected == 1
    (line,) = report.lines
    assert line.startswith("ambiguous number in column 'timer'") and "decimal_mark" in line and line.endswith("row 5")
    assert "1,250" not in line


def test_nfd_labels_match_nfc_mapping(tmp_path: Path) -> None:
    import unicodedata

    text = MAPPING.replace(
        '{"1": SYKEHUS, "2": NAV}', '{"Sykehus": SYKEHUS, "Barnehage i kommunen": NAV, "Sjøfart": NAV}'
    )
    rows = [[f"R{i}", unicodedata.normalize("NFD", "Sjøfart") + " ", "37"] for i in range(1, 6)]
    report = check_export(csv_export(tmp_path / "e.csv", rows), write(tmp_path / "m.yml", text))
    assert report.report.accepted and report.records["sector_code"].tolist() == ["NAV"] * 5


def test_excel_error_text_is_named_not_null(tmp_path: Path) -> None:
    rows = rows_of(40)
    rows[2][2] = "#N/A"
    report = check_export(csv_export(tmp_path / "e.csv", rows), write(tmp_path / "m.yml", MAPPING)).report
    assert report.lines == [
        "a cached Excel error (#N/A, #VALUE!, #DIV/0!, ...) in column 'timer': fix the formula or the cell row 3"
    ]


def test_design_weight_missing_for_some_is_a_row_problem(tmp_path: Path) -> None:
    text = MAPPING + "  design_weight: {column: vekt, type: number}\n"
    rows = [[*r, "1,5"] for r in rows_of(40)]
    rows[6][3] = ""
    report = check_export(csv_export(tmp_path / "e.csv", rows, [*HEADER, "vekt"]), write(tmp_path / "m.yml", text))
    assert report.report.rows_rejected == 1
    assert report.report.lines[0].startswith("no design_weight in column 'vekt'") and report.report.lines[0].endswith(
        "row 7"
    )


def test_response_dates_outside_the_year_are_flagged(tmp_path: Path) -> None:
    text = MAPPING.replace("generic_csv", "msforms_csv").replace("{column: id}", "{column: ID}")
    header = ["ID", "Start time", "Completion time", "Email", "Name", "sektor", "timer"]
    rows = [[str(i), "", "11/25/2026 14:03:11", "", "", "1", "37"] for i in range(1, 41)]
    rows[9][2] = "11/25/2019 14:03:11"
    report = check_export(csv_export(tmp_path / "e.csv", rows, header, ","), write(tmp_path / "m.yml", text)).report
    assert report.accepted and report.rows_rejected == 1
    assert report.lines == [
        "response date outside the survey year 2026 and the year after (in 2019) in column 'Completion time': "
        "is the mapping's `year` right? row 10"
    ]
    assert report.detected["responses"] == "2019-11-25..2026-11-25"


def workbook(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = (), extra=None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
        if extra is not None:
            extra(book, sheet, name)
    if hidden and all(n in hidden for n in list(sheets)[:1]):
        book.worksheets()[-1].activate()
    book.close()
    return path


GOOD = [HEADER, *[[f"R{i}", 1, 37.5] for i in range(1, 41)]]


def test_xlsx_cells_right_of_the_header_name_the_first_row(tmp_path: Path) -> None:
    rows = [[*r] for r in GOOD]
    rows[7].extend(["", "", "stray"])  # data row 7, sheet row 8
    rows[12].append("also stray")
    with pytest.raises(SurveyFormatError, match=r"data row 7 \(sheet row 8\) has cells to the right of the header"):
        read_xlsx(workbook(tmp_path / "r.xlsx", {"Svar": rows}), ["id", "sektor", "timer"])
    short = [HEADER, *[[f"R{i}"] if i % 2 else [f"R{i}", 2, 7.0] for i in range(1, 6)]]
    table = read_xlsx(workbook(tmp_path / "s.xlsx", {"Svar": short}), ["id", "timer"])
    assert table.columns["timer"].to_pylist() == ["", "7", "", "7", ""] and table.numeric_texts["timer"] == {"7"}


def test_hidden_first_sheet_is_never_read_silently(tmp_path: Path) -> None:
    bad = [HEADER, *[[f"X{i}", 2, 10] for i in range(1, 41)]]
    path = workbook(tmp_path / "h.xlsx", {"Gammel": bad, "Svar": GOOD}, hidden=("Gammel",))
    table = read_xlsx(path, ["id", "sektor", "timer"])
    assert table.sheet == "Svar" and table.columns["id"].to_pylist()[0] == "R1"


def test_several_visible_sheets_are_refused_with_their_names(tmp_path: Path) -> None:
    path = workbook(tmp_path / "two.xlsx", {"Forside": [["Undersøkelse 2026"]], "Data": GOOD})
    with pytest.raises(SurveyFormatError) as caught:
        read_xlsx(path)
    message = str(caught.value)
    assert "2 visible sheets (sheets: 'Forside', 'Data')" in message and "export: {sheet: ...}" in message
    assert read_xlsx(path, sheet="Data").n_rows == 40


def test_merged_cells_errors_and_hidden_rows_are_named_by_cell(tmp_path: Path) -> None:
    def extra(book, sheet, name):
        sheet.write_formula("C4", "=1/0", None, "#DIV/0!")
        sheet.merge_range("B6:B7", 1)
        sheet.set_row(9, None, None, {"hidden": True})

    path = workbook(tmp_path / "w.xlsx", {"Svar": GOOD}, extra=extra)
    text = MAPPING.replace("generic_csv", "generic_xlsx").replace(
        "data_status: demonstration", "data_status: demonstration\nrow_policy: {max_bad_share: 0.2}"
    )
    report = check_export(path, write(tmp_path / "m.yml", text)).report
    assert report.accepted and report.rows_rejected == 3
    assert sorted(report.lines) == sorted(
        [
            "a cached Excel error (#N/A, #VALUE!, #DIV/0!, ...): fix the formula or the cell in column 'timer' (cells Svar!C4) row 3",
            "merged cell (only its first cell holds the answer): unmerge the cells and fill each one in column 'sektor' (cells Svar!B7) row 6",
            "hidden row (filtered out by an autofilter, or hidden by hand): remove the filter or delete the row (cells Svar!10:10) row 9",
        ]
    )


def test_styled_empty_rows_are_not_called_damaged(tmp_path: Path) -> None:
    def extra(book, sheet, name):
        fmt = book.add_format({"bg_color": "#FFFF00"})
        for r in range(41, 200):
            sheet.set_row(r, None, fmt)
            sheet.write_blank(r, 0, None, fmt)

    path = workbook(tmp_path / "s.xlsx", {"Svar": GOOD}, extra=extra)
    assert read_xlsx(path).n_rows == 40


def test_title_row_above_the_header_is_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Svar": [["Spørreundersøkelse 2026"], [], *GOOD]})
    with pytest.raises(SurveyFormatError) as caught:
        read_xlsx(path, ["id", "sektor", "timer"])
    assert "sheet row 3 holds every mapped column" in str(caught.value)
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("Spørreundersøkelse 2026\n" + "id;sektor;timer\nR1;1;37\n", encoding="utf-8")
    with pytest.raises(SurveyFormatError) as caught:
        read_delimited(csv_path, ["id", "sektor", "timer"])
    assert "line 2 holds every mapped column" in str(caught.value)


def test_encrypted_and_strict_workbooks_are_explained(tmp_path: Path) -> None:
    encrypted = tmp_path / "e.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(SurveyFormatError, match="protected with a password"):
        read_xlsx(encrypted)
    old = tmp_path / "o.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(SurveyFormatError, match=r"Excel 97-2003 workbook \(.xls\)"):
        read_xlsx(old)
    good = workbook(tmp_path / "g.xlsx", {"Svar": GOOD})
    strict = tmp_path / "s.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(strict, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                )
            dst.writestr(item, data)
    with pytest.raises(SurveyFormatError, match="Strict Open XML"):
        read_xlsx(strict)


def test_encoding_mix_ups_are_named_with_the_fix(tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_bytes("id;sektor;timer\nR1;Sjøfart;37\n".encode().decode("cp1252").encode("utf-8"))
    with pytest.raises(SurveyFormatError, match="UTF-8 encoded twice"):
        read_delimited(twice)
    mac = tmp_path / "mac.csv"
    mac.write_bytes("id;sektor;timer\nR1;Sjøfart;37\n".encode("mac-roman"))
    with pytest.raises(SurveyFormatError, match=r"Mac Roman .*encoding: mac-roman"):
        read_delimited(mac)
    assert read_delimited(mac, encoding="mac-roman").columns["sektor"].to_pylist() == ["Sjøfart"]


def test_excel_sep_line_is_understood(tmp_path: Path) -> None:
    path = tmp_path / "sep.csv"
    path.write_bytes(b'sep=,\r\nid,sektor,timer\r\nR1,1,"37,5"\r\n')
    table = read_delimited(path)
    assert table.header == HEADER and table.delimiter == "," and table.columns["timer"].to_pylist() == ["37,5"]


def test_unsupported_exports_get_the_tools_instructions(tmp_path: Path) -> None:
    assert "Nettskjema: download the results again as 'Excel (.xlsx)'" in unsupported_export_hint("svar.xls")
    assert "Microsoft Forms: 'Open in Excel' gives an .xlsx" in unsupported_export_hint("svar.xls")
    assert "SPSS" in unsupported_export_hint("Svar.SAV") and unsupported_export_hint("svar.csv") is None
    sav = tmp_path / "svar.sav"
    sav.write_bytes(b"$FL2")
    with pytest.raises(SurveyFormatError, match="SPSS data file"):
        read_export(sav, "nettskjema_csv")
    hint = case_mismatch_hint(["Svar.csv", "svar.yml"])
    assert hint and "differ only by upper/lower case" in hint and "Svar.yml" in hint
    assert case_mismatch_hint(["Svar.csv", "Svar.yml"]) is None


# --------------------------------------------------------------------------- respondent ids


def valid_fnr(date6: str, first: str = "12") -> str:
    """A national identity number for ``date6`` with valid check digits (the first valid individual number)."""
    for last in range(10):
        digits = [int(c) for c in date6 + first + str(last)]
        k1 = 11 - sum(d * w for d, w in zip(digits, [3, 7, 6, 1, 8, 9, 4, 5, 2], strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        k2 = 11 - sum(d * w for d, w in zip([*digits, k1], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True)) % 11
        k2 = 0 if k2 == 11 else k2
        if k1 < 10 and k2 < 10:
            return f"{date6}{first}{last}{k1}{k2}"
    raise AssertionError(date6)


def test_national_id_check_digits() -> None:
    fnr = valid_fnr("010190")  # 01.01.1990
    d_number = valid_fnr("410190")
    h_number = valid_fnr("014190")
    wrong = fnr[:-1] + str((int(fnr[-1]) + 1) % 10)
    assert national_id_mask([fnr, d_number, h_number, wrong, "99999999999"]).tolist() == [
        True,
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("value", "kind", "tool_id"),
    [
        (valid_fnr("150385", "45"), "national_id", True),
        (valid_fnr("150385", "45")[:6] + " " + valid_fnr("150385", "45")[6:], "national_id", False),
        ("kari@example.invalid", "email", True),
        ("+47 912 34 567", "phone", True),
        ("004791234567", "phone", False),
        ("91234567", "phone", False),
        ("kari.nordmann", "user_name", True),
        ("kari_nordmann2", "user_name", False),
        ("UIO\\karin", "user_name", True),
    ],
)
def test_personal_ids_are_recognised_by_kind(value: str, kind: str, tool_id: bool) -> None:
    kinds = personal_kinds(pa.array([value]), tool_id)
    assert [k for k, mask in kinds.items() if mask[0]] == [kind]


@pytest.mark.parametrize(
    "value",
    ["27685292", "47685292", "1", "12", "R_1a2B3c4D5e6F7g8", "7f3c9a2e-1b4d-4c8e-9f00-123456789abc", "RESP-000123"],
)
def test_tool_issued_ids_pass(value: str) -> None:
    kinds = personal_kinds(pa.array([value]), tool_id=True)
    assert not any(mask[0] for mask in kinds.values()), value


def test_national_ids_are_refused_naming_rows_never_values(tmp_path: Path) -> None:
    fnr = valid_fnr("150385", "45")
    rows = rows_of(20)
    rows[3][0] = fnr
    rows[8][0] = "ola.nordmann"
    report = check_export(csv_export(tmp_path / "e.csv", rows), write(tmp_path / "m.yml", MAPPING)).report
    assert not report.accepted and report.rows_rejected == 20
    text = report.to_text(restricted=True) + report.to_json()
    assert fnr not in text and "ola.nordmann" not in text
    assert any("national identity numbers" in line and line.endswith("row 4") for line in report.lines)
    assert any("user names" in line and line.endswith("row 9") for line in report.lines)


def test_real_fixture_ids_pass() -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "surveys"
    table = read_export(fixtures / "nettskjema_v3_form123823_csv-report.csv", "nettskjema_csv", ["$submission_id"])
    ids = table.arrow("$submission_id")
    for tool_id in (True, False):
        assert not any(mask.any() for mask in personal_kinds(ids, tool_id).values())


# --------------------------------------------------------------------------- bounded


def test_many_distinct_bad_answers_make_one_group(tmp_path: Path) -> None:
    n = 20_000
    rows = [[f"R{i}", f"svar {i}", "37"] for i in range(1, n + 1)]
    export = csv_export(tmp_path / "e.csv", rows)
    mapping = load_mapping(write(tmp_path / "m.yml", MAPPING))
    table = read_export(export, "generic_csv", ["id", "sektor", "timer"])
    mapped = map_table(table, mapping, "e.csv")
    assert len(mapped.groups) == 1 and len(mapped.groups[0].rows) == n and len(mapped.groups[0].examples) == 3
    report = check_export(export, tmp_path / "m.yml").report
    assert len(report.to_json()) < 20_000 and len(report.problems[0]["rows"]) == 1000


def test_summaries_are_capped() -> None:
    groups = [ProblemGroup(f"problem {i}", "c", None, None, np.array([i + 1])) for i in range(120)]
    lines = summarise_groups(groups)
    assert len(lines) == MAX_GROUPS_LISTED + 1 and lines[-1] == "... and 70 more problem(s) not listed"


def test_a_wide_header_is_checked_in_linear_time(tmp_path: Path) -> None:
    # 200,000 header fields: a quadratic check took minutes; the timing is in benchmarks/, here the
    # result: refused with the count, the message bounded
    names = [f"c{i}" for i in range(200_000)]
    path = tmp_path / "wide.csv"
    path.write_text(";".join(names) + "\n" + ";".join("1" for _ in names) + "\n", encoding="utf-8")
    with pytest.raises(SurveyFormatError) as caught:
        read_delimited(path, ["c1", "c2"])
    assert "the header has 200,000 columns (limit 2,000" in str(caught.value) and len(str(caught.value)) < 400
    path.write_text(";".join(["a", *names[:1500], "c7"]) + "\n", encoding="utf-8")
    with pytest.raises(SurveyFormatError, match=r"header repeats column\(s\) 'c7'$"):
        read_delimited(path, ["c1", "c2"])


def test_a_header_less_export_is_refused_without_quoting_its_first_row(tmp_path: Path) -> None:
    path = tmp_path / "noheader.csv"
    path.write_text('"27685292";"2023-06-01T20:57:15+02:00";"1";"1"\n"27685302";"2023-06-02T08:01:00+02:00";"2";"1"\n')
    with pytest.raises(SurveyFormatError) as caught:
        read_export(path, "nettskjema_csv", ["$submission_id", "q"])
    message = str(caught.value)
    assert "is the header row missing?" in message
    assert "27685292" not in message and "2023-06-01" not in message and "'1'" not in message


def test_workbook_row_problems_name_their_cells(tmp_path: Path) -> None:
    rows = [HEADER, *[[f"R{i}", 1, 37.5] for i in range(1, 41)]]
    rows[5][1] = 7  # an unmapped sector code in sheet row 6
    rows[8][0] = ""  # a blank id in sheet row 9 (a total row, say)
    path = workbook(tmp_path / "c.xlsx", {"Svar": rows})
    text = MAPPING.replace("generic_csv", "generic_xlsx")
    report = check_export(path, write(tmp_path / "m.yml", text)).report
    assert report.lines == [
        "unmapped value in column 'sektor' (not in its values table) (cells Svar!B6) row 5",
        "empty respondent id in column 'id' (a blank, title or total row?) (cells Svar!A9) row 8",
    ]
