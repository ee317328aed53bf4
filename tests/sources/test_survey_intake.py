"""Survey intake hardening: every test builds its own bad file (a cut CSV, a formula without a
cached value, a name as respondent id, a symlink, a compression bomb, ...) and checks that it is
refused or flagged with a message naming what was detected, never accepted silently, and that no
message meant for logs quotes an answer."""

import os
import stat
import time
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from sources.snapshots import sha256_file
from sources.surveys import records, store, xlsx_guard
from sources.surveys.delimited import SurveyFormatError, read_delimited
from sources.surveys.inbox import process_inbox
from sources.surveys.ingest import IngestReport, check_export
from sources.surveys.mapping import MappingError, load_mapping
from sources.surveys.xlsx import read_xlsx

WHEN = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
MAPPING = """\
survey_id: INTAKE-2026
year: 2026
format: generic_csv
data_status: demonstration
respondent_id: {column: id}
fields:
  sector_code: {column: sektor, values: {"1": SYKEHUS, "2": NAV}}
  hours_total: {column: timer, type: number}
  hours_doc: {column: dok, type: number}
"""
HEADER = ["id", "sektor", "timer", "dok", "fritekst"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def csv_text(rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ";") -> str:
    def line(cells: list[str]) -> str:
        return delimiter.join('"' + c.replace('"', '""') + '"' for c in cells)

    return "\n".join(line(r) for r in [header, *rows]) + "\n"


def rows(n: int, first: int = 1) -> list[list[str]]:
    return [[f"R{i:04d}", "1", "37,5", "5", f"fri tekst {i}\nmed linjeskift"] for i in range(first, first + n)]


# --------------------------------------------------------------------------- 1. silent loss


def test_csv_cut_inside_a_quoted_field_is_refused(tmp_path: Path) -> None:
    text = csv_text(rows(300))
    cut = text.index("R0159") + 20  # inside the free-text field of respondent 159
    path = tmp_path / "cut.csv"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(SurveyFormatError, match=r"ends inside a quoted field.*quote state: open at end of file"):
        read_delimited(path)
    report = check_export(path, write(tmp_path / "m.yml", MAPPING)).report
    assert not report.accepted and "data row 159" in str(report.error) and "read as utf-8" in str(report.error)


def test_whole_csv_with_trailing_blank_lines_keeps_its_exact_row_count(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(csv_text(rows(300)) + "\n\n", encoding="utf-8")
    table = read_delimited(path)
    assert table.n_rows == 300 and table.frame()["id"].iloc[-1] == "R0300"


def test_stray_quote_at_the_end_of_an_unquoted_field_is_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "inch.csv"
    path.write_text('id;sektor;skjerm\nR1;1;24"\nR2;1;27\n', encoding="utf-8")  # an odd number of quotes
    table = read_delimited(path)
    assert table.n_rows == 2 and table.frame()["skjerm"].tolist() == ['24"', "27"]


def formula_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "sektor", "timer", "dok"])
    for i in range(1, 41):
        sheet.append([f"R{i}", 1, 37.5, 5])
    sheet["C5"] = "=30+7.5"  # written by a program: a formula, no cached value
    sheet["D9"] = "=2+3"
    book.save(path)
    return path


def test_xlsx_formula_without_cached_value_is_a_row_problem(tmp_path: Path) -> None:
    path = formula_workbook(tmp_path / "f.xlsx")
    table = read_xlsx(path)
    assert sorted(table.cell_problems) == [
        (4, "timer", table.cell_problems[0][2], "Sheet!C5"),
        (8, "dok", table.cell_problems[0][2], "Sheet!D9"),
    ]
    report = check_export(path, write(tmp_path / "m.yml", MAPPING.replace("generic_csv", "generic_xlsx"))).report
    assert report.rows_rejected == 2 and report.accepted  # 2 of 40 rows = 5 %: dropped, not NULL hours
    assert report.lines == [
        "formula without a cached value (open and save the workbook in Excel) in column 'timer' (cells Sheet!C5) row 4",
        "formula without a cached value (open and save the workbook in Excel) in column 'dok' (cells Sheet!D9) row 8",
    ]


def test_versions_of_a_survey_stored_in_the_same_second_keep_their_arrival_order(tmp_path: Path) -> None:
    root = tmp_path / "surveys"
    exports = []
    for name, content in (("a.csv", "second"), ("b.csv", "first")):
        exports.append(write(tmp_path / name, content))
    # the first export to arrive has the larger hash prefix, so ordering by name/hash would be wrong
    exports.sort(key=lambda p: sha256_file(p), reverse=True)
    mapping = write(tmp_path / "m.yml", MAPPING)
    report = IngestReport(export="x", mapping="y", accepted=True, survey_id="S", format="generic_csv")
    stored = [
        store.store_accepted(root, p, mapping, report, WHEN, sha256_file(p), sha256_file(mapping)) for p in exports
    ]
    assert stored[0].version > stored[1].version  # the names sort the wrong way round
    assert [s.version for s in store.versions(root, "S")] == [stored[0].version, stored[1].version]
    assert store.newest(root, "S").version == stored[1].version
    assert [s.sidecar["sequence"] for s in store.versions(root, "S")] == [1, 2]


# --------------------------------------------------------------------------- 2. personal data


@pytest.mark.parametrize(
    ("ids", "accepted"),
    [
        (["Kari Nordmann", "Ola Nordmann"], False),  # names with a space
        (["Kari", "Ola"], False),  # letters only: a first name
        (["kari@example.invalid", "ola@example.invalid"], False),
        (["R-0001", "R-0002"], True),
        (["4f9c2a10-77b1-4f3e-9a0e-5d1c2b3a4e5f", "0a9c2a10-77b1-4f3e-9a0e-5d1c2b3a4e5f"], True),
        (["27685292", "27685293"], True),
    ],
)
def test_respondent_id_must_look_issued_by_a_tool(tmp_path: Path, ids: list[str], accepted: bool) -> None:
    data = [[rid, "1", "37,5", "5", ""] for rid in ids]
    path = write(tmp_path / "e.csv", csv_text(data))
    report = check_export(path, write(tmp_path / "m.yml", MAPPING)).report
    assert report.accepted is accepted, report.to_text()
    if not accepted:
        assert "column 'id' (mapped to respondent_id)" in report.lines[0]
        for rid in ids:
            assert rid.split("@")[0] not in report.to_json() + report.to_text(restricted=True)


def test_the_tools_own_id_column_is_always_a_respondent_id(tmp_path: Path) -> None:
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Hvor jobber du?"]
    data = [[rid, "x", "x", "", "", "Sykehus"] for rid in ("A", "B", "C")]  # letters only: exempt here
    path = write(tmp_path / "f.csv", csv_text(data, header, ","))
    mapping = write(
        tmp_path / "m.yml",
        MAPPING.replace("generic_csv", "msforms_csv")
        .replace("column: id}", "column: ID}")
        .split("  hours_total")[0]
        .replace(
            '{column: sektor, values: {"1": SYKEHUS, "2": NAV}}',
            '{column: "Hvor jobber du?", values: {Sykehus: SYKEHUS}}',
        ),
    )
    assert check_export(path, mapping).report.accepted


def test_messages_for_logs_never_quote_an_answer(tmp_path: Path) -> None:
    marker = "MARKER-Kari-Nordmann-kari@example.invalid-99887766"
    data = rows(100)
    data[3][1] = marker  # unmapped sector
    data[5][2] = marker  # not a number
    data[7][0] = data[8][0] = "R0008"  # duplicate id
    path = write(tmp_path / "e.csv", csv_text(data))
    report = check_export(path, write(tmp_path / "m.yml", MAPPING)).report
    assert report.rows_rejected == 4 and report.accepted
    logged = report.to_text() + "\n".join(report.lines) + report.decision()
    assert marker not in logged and "R0008" not in logged
    assert marker in report.to_text(restricted=True)  # the operator's validate and the quarantine report


# --------------------------------------------------------------------------- 3. escapes and bounds


def inbox_areas(tmp_path: Path) -> dict[str, Path]:
    out = {name: tmp_path / name for name in ("inbox", "surveys", "quarantine", "received")}
    out["inbox"].mkdir()
    return out


def run_inbox(a: dict[str, Path], **kwargs):
    kwargs.setdefault("min_age_seconds", 0)
    return process_inbox(a["inbox"], a["surveys"], a["quarantine"], a["received"], now=lambda: WHEN, **kwargs)


def good_delivery(folder: Path, survey_id: str = "INTAKE-2026") -> Path:
    folder.mkdir(parents=True)
    write(folder / "export.csv", csv_text(rows(20)))
    write(folder / "mapping.yml", MAPPING.replace("INTAKE-2026", survey_id))
    return folder


def test_inbox_refuses_symlinks_and_never_reads_their_targets(tmp_path: Path) -> None:
    a = inbox_areas(tmp_path)
    outside = good_delivery(tmp_path / "outside")
    secret = write(tmp_path / "secret.yml", "SECRET-CONTENT: [1, 2]\n")
    (a["inbox"] / "linked-folder").symlink_to(outside, target_is_directory=True)
    inner = good_delivery(a["inbox"] / "linked-export", "INTAKE-B")
    (inner / "export.csv").unlink()
    (inner / "export.csv").symlink_to(outside / "export.csv")
    mapped = good_delivery(a["inbox"] / "linked-mapping", "INTAKE-C")
    (mapped / "mapping.yml").unlink()
    (mapped / "mapping.yml").symlink_to(secret)
    (a["inbox"] / "loose.csv").symlink_to(outside / "export.csv")
    (a["inbox"] / "loose.yml").symlink_to(outside / "mapping.yml")
    outcomes = {o.delivery: o for o in run_inbox(a)}
    assert {name: o.status for name, o in outcomes.items()} == {
        "linked-folder": "quarantined",
        "linked-export": "quarantined",
        "linked-mapping": "quarantined",
        "loose.csv": "quarantined",
        "loose.yml": "quarantined",
    }
    assert "is a symbolic link" in outcomes["linked-mapping"].message
    assert not a["surveys"].exists()  # nothing stored
    everything = b"".join(p.read_bytes() for p in a["quarantine"].rglob("*") if p.is_file() and not p.is_symlink())
    assert b"SECRET-CONTENT" not in everything
    assert (outside / "export.csv").exists() and secret.exists()  # targets untouched


def test_two_exports_in_one_folder_are_quarantined_not_left_waiting(tmp_path: Path) -> None:
    a = inbox_areas(tmp_path)
    folder = good_delivery(a["inbox"] / "two")
    (folder / "export.csv").rename(folder / "var.csv")
    write(folder / "host.csv", csv_text(rows(5)))
    (outcome,) = run_inbox(a)
    assert outcome.status == "quarantined"
    assert "holds 2 exports (host.csv, var.csv)" in outcome.message


def test_hidden_folders_are_reported_and_the_settle_time_is_explained(tmp_path: Path) -> None:
    a = inbox_areas(tmp_path)
    good_delivery(a["inbox"] / ".skjult")
    good_delivery(a["inbox"] / "fresh")
    outcomes = {o.delivery: o for o in run_inbox(a, min_age_seconds=3600)}
    assert outcomes[".skjult"].status == "ignored" and "starts with '.'" in outcomes[".skjult"].message
    assert outcomes["fresh"].status == "waiting"
    assert "no file changed for 3600 s (the settle time)" in outcomes["fresh"].message


def bomb(path: Path, inflated: int) -> Path:
    """A valid-looking workbook whose shared strings inflate to ``inflated`` bytes (a few KiB zipped)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "sektor"])
    book.active.append(["R1", 1])
    book.save(path)
    block = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated // len(block)):
            member.write(block)
    return path


def test_a_compression_bomb_is_refused_before_it_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bomb(tmp_path / "bomb.xlsx", 12 * 2**20)
    with pytest.raises(SurveyFormatError, match=r"sharedStrings\.xml declares \d+ times its compressed size"):
        read_xlsx(path)
    monkeypatch.setattr(xlsx_guard, "MAX_RATIO", 10**6)
    monkeypatch.setattr(xlsx_guard, "MAX_MEMBER_BYTES", 8 * 2**20)
    with pytest.raises(SurveyFormatError, match=r"sharedStrings\.xml declares 12 MiB inflated \(limit 8 MiB\)"):
        read_xlsx(path)


def test_a_member_that_lies_about_its_size_is_stopped_while_inflating(tmp_path: Path, monkeypatch) -> None:
    path = bomb(tmp_path / "liar.xlsx", 3 * 2**20)
    monkeypatch.setattr(xlsx_guard, "MAX_RATIO", 10**6)
    monkeypatch.setattr(xlsx_guard, "MAX_MEMBER_BYTES", 2 * 2**20)
    monkeypatch.setattr(xlsx_guard, "_check_directory", lambda book: None)  # as if the directory lied
    with pytest.raises(SurveyFormatError, match=r"inflates to more than"):
        read_xlsx(path)


def _spoil(path: Path, name: str) -> Path:
    """A copy of the workbook whose member ``name`` is garbage (not a deflate stream: damaged)."""
    out = path.with_name(f"spoilt-{name.replace('/', '_')}.xlsx")
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(name)
    start = info.header_offset + 30 + int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    start += int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    out.write_bytes(bytes(data))
    return out


def test_the_guard_inflates_exactly_the_members_the_reader_opens(tmp_path: Path, monkeypatch) -> None:
    import xlsxwriter

    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    answers, notes = book.add_worksheet("Svar"), book.add_worksheet("Notater")
    answers.write_row(0, 0, ["id", "sektor"])
    for row in range(1, 401):
        answers.write_row(row, 0, [f"R{row}", 1])
    answers.write_comment("A2", "a note")
    notes.write_row(0, 0, ["not", "read"])
    book.set_properties({"title": "export"})
    book.close()
    with zipfile.ZipFile(path) as archive:
        parts = xlsx_guard.read_parts(archive, "xl/worksheets/sheet1.xml")
        assert {"xl/workbook.xml", "xl/styles.xml", "xl/sharedstrings.xml", "xl/worksheets/sheet1.xml"} <= parts
        assert {"xl/worksheets/sheet2.xml", "docprops/app.xml", "xl/comments1.xml"}.isdisjoint(parts)
    # a damaged member nobody opens does not stop the reading; a damaged member the reader opens does
    for unread in ("xl/worksheets/sheet2.xml", "docProps/app.xml", "xl/comments1.xml"):
        table = read_xlsx(_spoil(path, unread), ["id", "sektor"], sheet="Svar")
        assert table.columns["id"].to_pylist()[:2] == ["R1", "R2"] and table.n_rows == 400
    for read in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"):
        with pytest.raises(SurveyFormatError, match=r"damaged|not an \.xlsx workbook"):
            read_xlsx(_spoil(path, read), ["id", "sektor"], sheet="Svar")
    # the sheet read (the largest member) is inflated and counted, whatever its directory entry says
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    assert max(sizes, key=sizes.get) == "xl/worksheets/sheet1.xml"
    monkeypatch.setattr(xlsx_guard, "_check_directory", lambda book: None)
    monkeypatch.setattr(xlsx_guard, "MAX_MEMBER_BYTES", sizes["xl/worksheets/sheet1.xml"] - 1)
    with pytest.raises(SurveyFormatError, match=r"sheet1\.xml inflates to more than"):
        read_xlsx(path, ["id", "sektor"], sheet="Svar")


def test_too_many_columns_are_refused_from_the_dimension(tmp_path: Path, monkeypatch) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([f"c{i}" for i in range(30)])
    book.save(tmp_path / "wide.xlsx")
    monkeypatch.setattr(xlsx_guard, "MAX_COLUMNS", 20)
    with pytest.raises(SurveyFormatError, match=r"the sheet has 30 columns \(limit 20\)"):
        read_xlsx(tmp_path / "wide.xlsx")


# --------------------------------------------------------------------------- 4. messages that say what to do


def test_utf16_without_bom_names_the_override_and_the_override_works(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(csv_text(rows(3)).encode("utf-16-le"))
    report = check_export(path, write(tmp_path / "m.yml", MAPPING)).report
    assert "UTF-16 text without a byte-order mark" in str(report.error)
    assert "export: {encoding: utf-16-le}" in str(report.error)
    fixed = write(tmp_path / "f.yml", MAPPING + "export: {encoding: utf-16-le}\n")
    assert check_export(path, fixed).report.accepted


def test_random_bytes_and_a_workbook_named_csv_say_what_they_are(tmp_path: Path) -> None:
    noise = tmp_path / "noise.csv"
    noise.write_bytes(os.urandom(4096))
    with pytest.raises(SurveyFormatError, match=r"does not look like a text export: \d+ control byte"):
        read_delimited(noise)
    book = formula_workbook(tmp_path / "f.xlsx")
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(book.read_bytes())
    with pytest.raises(SurveyFormatError, match=r"is a ZIP file \(an \.xlsx workbook\?\)"):
        read_delimited(renamed)


def test_utf8_bom_on_a_cp1252_body_is_fixed_by_the_encoding_override(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "id;sektor;kjønn\nR1;1;kvinne\nR2;1;mann\n".encode("cp1252"))
    report = check_export(path, write(tmp_path / "m.yml", MAPPING.split("  hours_total")[0])).report
    assert "UTF-8 byte-order mark" in str(report.error) and "export: {encoding: cp1252}" in str(report.error)
    fixed = write(tmp_path / "f.yml", MAPPING.split("  hours_total")[0] + "export: {encoding: cp1252}\n")
    checked = check_export(path, fixed)
    assert checked.report.accepted and checked.records["respondent_id"].tolist() == ["R1", "R2"]


@pytest.mark.parametrize(
    ("header_name", "difference"),
    [
        ("timer ", "leading or trailing space"),
        ("timer\u00a0", "a non-breaking or other special space"),
        ("Timer", "upper/lower case"),
    ],
)
def test_near_miss_column_names_get_a_hint(tmp_path: Path, header_name: str, difference: str) -> None:
    header = ["id", "sektor", header_name, "dok", "fritekst"]
    path = write(tmp_path / "e.csv", csv_text(rows(3), header))
    report = check_export(path, write(tmp_path / "m.yml", MAPPING)).report
    assert not report.accepted
    assert "unknown column 'timer' (mapped to hours_total): not in the export header; the header has" in report.lines[0]
    assert "(differs by: " in report.lines[0] and difference in report.lines[0]


def test_unicode_normalisation_near_miss(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Kommentér")
    header = ["id", "sektor", "timer", "dok", decomposed]
    path = write(tmp_path / "e.csv", csv_text(rows(3), header))
    text = MAPPING.replace("  hours_doc: {column: dok, type: number}", "  hours_doc: {column: Kommentér, type: number}")
    report = check_export(path, write(tmp_path / "m.yml", text)).report
    assert "differs by: Unicode form" in report.lines[0]


# --------------------------------------------------------------------------- 7. YAML bounds


def test_nested_yaml_aliases_are_refused_quickly_with_a_short_message(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    path = write(tmp_path / "bomb.yml", "\n".join(lines) + "\nsurvey_id: *a11\n")
    started = time.process_time()
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert time.process_time() - started < 5
    assert "expands to more than" in str(caught.value) and len(str(caught.value)) < 300


def test_a_large_or_unparsable_mapping_is_refused_without_quoting_it(tmp_path: Path) -> None:
    big = write(tmp_path / "big.yml", "# " + "x" * (300 * 1024) + "\n")
    with pytest.raises(MappingError, match="larger than 256 KiB"):
        load_mapping(big)
    broken = write(tmp_path / "broken.yml", "survey_id: [SECRET-LINE\nyear: 2026\n")
    with pytest.raises(MappingError) as caught:
        load_mapping(broken)
    assert "SECRET-LINE" not in str(caught.value) and "line" in str(caught.value)


def test_long_values_in_a_mapping_are_quoted_shortened(tmp_path: Path) -> None:
    path = write(tmp_path / "m.yml", MAPPING.replace("year: 2026", "year: " + "9" * 5000))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert len(str(caught.value)) < 400


# --------------------------------------------------------------------------- 8. file modes


def test_everything_holding_answers_is_owner_and_group_only(tmp_path: Path) -> None:
    previous = os.umask(0)  # the most permissive umask: modes must be set explicitly
    try:
        a = inbox_areas(tmp_path)
        good_delivery(a["inbox"] / "good")
        bad = good_delivery(a["inbox"] / "bad", "INTAKE-BAD")
        write(bad / "mapping.yml", MAPPING.replace("column: timer", "column: mangler").replace("INTAKE-2026", "X"))
        statuses = sorted(o.status for o in run_inbox(a))
    finally:
        os.umask(previous)
    assert statuses == ["accepted", "quarantined"]
    checked = 0
    for root in (a["surveys"], a["quarantine"], a["received"]):
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            assert not mode & stat.S_IRWXO, f"{path}: {oct(mode)}"
            assert mode & 0o027 == 0 if path.is_file() else mode == 0o750, f"{path}: {oct(mode)}"
            checked += 1
    assert checked > 10


def test_the_canonical_records_kept_per_version_are_owner_and_group_only(tmp_path: Path) -> None:
    root = tmp_path / "raw" / "records"  # Paths.survey_records: respondent rows, like raw/surveys
    frame = pd.DataFrame({"respondent_id": ["R1", "R2"], "hours_total": [37.5, 40.0]})
    with pytest.raises(ValueError, match="must hold respondent keys"):  # a tool id is never written
        records.write_records(root, "INTAKE-2026/20261125T081500Z-abcdef12", frame, {"rows_read": 2})
    frame = records.pseudonymise(frame, b"k" * 32)
    previous = os.umask(0)
    try:
        parquet = records.write_records(root, "INTAKE-2026/20261125T081500Z-abcdef12", frame, {"rows_read": 2})
        records.write_records(root, "INTAKE-2026/20261125T081500Z-abcdef12", frame, {"rows_read": 2})  # replaced
    finally:
        os.umask(previous)
    modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.lstat().st_mode) for p in tmp_path.rglob("*")}
    assert modes == {
        "raw": 0o750,
        "raw/records": 0o750,
        "raw/records/INTAKE-2026": 0o750,
        "raw/records/INTAKE-2026/20261125T081500Z-abcdef12.parquet": 0o640,
        "raw/records/INTAKE-2026/20261125T081500Z-abcdef12.provenance.json": 0o640,
    }
    kept, provenance = records.read_records(root, "INTAKE-2026/20261125T081500Z-abcdef12")
    assert parquet.name.endswith(".parquet") and provenance == {"rows_read": 2}
    assert kept.to_dict("list") == frame.to_dict("list")


def test_a_huge_answer_is_shortened_even_in_the_restricted_report(tmp_path: Path) -> None:
    data = rows(40)
    data[4][1] = "Jeg heter Kari " * 10_000  # 150 KB of free text in the sector column
    report = check_export(write(tmp_path / "e.csv", csv_text(data)), write(tmp_path / "m.yml", MAPPING)).report
    assert report.rows_rejected == 1
    assert max(len(line) for line in report.to_text(restricted=True).splitlines()) < 300
    assert len(report.problems[0]["value"]) <= 200 and "Kari" not in report.to_text()
