"""Survey exports: the Nettskjema reader, mapping files, and the demonstration generator."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from method.reference import CANONICAL_COLUMNS
from sources.demo import survey as demo
from sources.surveys.engine import apply_mapping, validate_mapping_against_export
from sources.surveys.mapping import MappingError, load_mapping, mapping_columns
from sources.surveys.nettskjema import SurveyFormatError, read_nettskjema_csv
from sources.surveys.problems import Problem, summarise_problems
from storage.paths import EMBEDDED_INPUTS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "surveys"
REAL_EXPORT = FIXTURES / "nettskjema_v3_form123823_csv-report.csv"
REAL_SHA256 = "1a6f1b2ff73c5d037ceb1f6b79b89761b2bfc1a5eb354dfc3c5fafc8aaec679b"
LIKERT = '{"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}'

HEADER = ["$submission_id", "$created", "arbeidssted", "kjonn", "timer", "dok", "q7", "kommentar", "epost"]
BASE_MAPPING = f"""\
survey_id: TEST-1
year: 2025
format: nettskjema_csv
data_status: demonstration
respondent_id: {{column: "$submission_id"}}
fields:
  sector_code: {{column: arbeidssted, values: {{"1": SYKEHUS, "2": NAV, "3": UKJENT}}}}
  sex: {{column: kjonn, values: {{"1": F, "2": M, "3": null}}}}
  hours_total: {{column: timer, type: number}}
  hours_doc: {{column: dok}}
  unnecessary: {{column: q7, values: {LIKERT}}}
"""


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def export_text(rows: list[list[str]], header: list[str] = HEADER) -> str:
    def line(fields: list[str]) -> str:
        return ";".join('"' + f.replace('"', '""') + '"' for f in fields)

    return "\n".join([line(header)] + [line(r) for r in rows]) + "\n"


def row(sid: str, sector: str = "1", sex: str = "1", hours: str = "37.5", doc: str = "7.5", q7: str = "4") -> list[str]:
    return [
        sid,
        "2025-03-10T09:00:00+01:00",
        sector,
        sex,
        hours,
        doc,
        q7,
        "Ring Kari Nordmann",
        f"kari{sid}@example.invalid",
    ]


@pytest.fixture
def mapping_path(tmp_path: Path) -> Path:
    return write(tmp_path / "mapping.yml", BASE_MAPPING)


def map_rows(tmp_path: Path, rows: list[list[str]], mapping_text: str = BASE_MAPPING):
    export = read_nettskjema_csv(write(tmp_path / "export.csv", export_text(rows)))
    mapping = load_mapping(write(tmp_path / "mapping.yml", mapping_text))
    return apply_mapping(export, mapping, "export.csv")


# --------------------------------------------------------------------------- the real export


def test_real_fixture_is_the_recorded_payload() -> None:
    assert hashlib.sha256(REAL_EXPORT.read_bytes()).hexdigest() == REAL_SHA256


def test_real_nettskjema_export_reads() -> None:
    df = read_nettskjema_csv(REAL_EXPORT)
    assert df.shape == (3, 30)
    assert list(df.columns[:4]) == ["$submission_id", "$created", "freetext", "radio"]
    assert df.columns[-1] == "$answer_time_ms"
    assert "checkbox_matrix.2.internet" in df.columns
    assert df["$submission_id"].tolist() == ["27685292", "27685302", "27685319"]
    assert df.loc[0, "freetext"] == "some text"
    assert df.loc[2, "freetext"] == ""
    assert df.loc[0, "$created"] == "2023-06-01T20:57:15+02:00"
    assert df.loc[1, "radio"] == "-1"
    assert df["number_decimal"].tolist() == ["4.5", "2.2", "10.0"]
    assert df.loc[1, "attachment_2"] == "marius.jpeg"
    assert all(isinstance(v, str) for v in df.to_numpy().ravel())


def test_mapping_applied_to_the_real_export(tmp_path: Path) -> None:
    text = """\
survey_id: NETTSKJEMA-TEST
year: 2023
format: nettskjema_csv
data_status: demonstration
respondent_id: {column: "$submission_id"}
fields:
  sector_code: {column: dropdown, values: {"4": SYKEHUS, "9": NAV}}
  sex: {column: radio, values: {"1": F, "2": M, "-1": null}}
  hours_total: {column: number_integer, type: number}
  hours_doc: {column: number_decimal, type: number}
  duplicate: {column: slider, values: {"1": 1, "3": 3, "9": 8}}
  autonomy_1: {column: radio_matrix.grants, type: integer}
"""
    df = read_nettskjema_csv(REAL_EXPORT)
    mapping = load_mapping(write(tmp_path / "m.yml", text))
    assert validate_mapping_against_export(df, mapping) == []
    mapped = apply_mapping(df, mapping, str(REAL_EXPORT))
    assert mapped.problems == [] and mapped.rows_rejected == 0
    rec = mapped.records
    assert list(rec.columns) == list(CANONICAL_COLUMNS)
    assert rec["respondent_id"].tolist() == ["27685292", "27685302", "27685319"]
    assert rec["sector_code"].tolist() == ["SYKEHUS", "NAV", "SYKEHUS"]
    assert rec["sex"].tolist() == ["F", None, None]
    assert rec["hours_total"].tolist() == [77.0, 45.0, 98.0]
    assert rec["hours_doc"].tolist() == [4.5, 2.2, 10.0]
    assert rec["duplicate"].tolist() == [3, 1, 8]
    assert rec["autonomy_1"].tolist() == [1, 3, 1]
    assert rec["unnecessary"].isna().all() and rec["design_weight"].isna().all()
    assert (rec["year"] == 2023).all() and (rec["survey_id"] == "NETTSKJEMA-TEST").all()
    dtypes = rec.dtypes.astype(str).to_dict()
    assert dtypes["year"] == "int64" and dtypes["hours_total"] == "float64"
    assert dtypes["design_weight"] == "float64" and dtypes["duplicate"] == "Int64"


# --------------------------------------------------------------------------- the reader


def test_bom_crlf_and_quoted_separators(tmp_path: Path) -> None:
    text = '"$submission_id";"$created";"fritekst"\r\n"1";"x";"a;b ""c""\nline 2"\r\n"2";"y";""\r\n'
    path = tmp_path / "e.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    df = read_nettskjema_csv(path)
    assert list(df.columns) == ["$submission_id", "$created", "fritekst"]
    assert df["fritekst"].tolist() == ['a;b "c"\nline 2', ""]


def test_ragged_row_names_file_row_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "ragged.csv", '"$submission_id";"a"\n"1";"x"\n"2";"y";"z"\n')
    with pytest.raises(SurveyFormatError, match=r"ragged\.csv: data row 2 \(line 3\) has 3 fields"):
        read_nettskjema_csv(path)


def test_empty_file_and_missing_submission_id(tmp_path: Path) -> None:
    with pytest.raises(SurveyFormatError, match="empty"):
        read_nettskjema_csv(write(tmp_path / "empty.csv", ""))
    with pytest.raises(SurveyFormatError, match=r"no '\$submission_id'"):
        read_nettskjema_csv(write(tmp_path / "other.csv", '"id";"a"\n"1";"2"\n'))


def test_header_only_gives_no_rows(tmp_path: Path) -> None:
    df = read_nettskjema_csv(write(tmp_path / "h.csv", export_text([])))
    assert df.empty and list(df.columns) == HEADER


# --------------------------------------------------------------------------- row-level problems


def test_clean_rows_and_decimal_comma(tmp_path: Path) -> None:
    mapped = map_rows(tmp_path, [row("10", hours="37,5", doc="7,5"), row("11", sector="2", sex="3", q7="")])
    assert mapped.problems == [] and mapped.rows_rejected == 0 and mapped.rows_read == 2
    rec = mapped.records
    assert rec["hours_total"].tolist() == [37.5, 37.5] and rec["hours_doc"].tolist() == [7.5, 7.5]
    assert rec["sector_code"].tolist() == ["SYKEHUS", "NAV"]
    assert rec["sex"].tolist() == ["F", None]
    assert rec["unnecessary"].tolist()[0] == 4 and rec["unnecessary"].isna().tolist() == [False, True]


def test_unmapped_value_rejects_the_row(tmp_path: Path) -> None:
    rows = [row("1"), row("2", q7="Ukentlig"), row("3"), row("4", q7="Ukentlig")]
    mapped = map_rows(tmp_path, rows)
    assert mapped.records["respondent_id"].tolist() == ["1", "3"]
    assert mapped.rows_rejected == 2
    first = mapped.problems[0]
    assert (first.row, first.column, first.field, first.value) == (2, "q7", "unnecessary", "Ukentlig")
    assert first.message == "unmapped value in column 'q7' (not in its values table)"
    assert summarise_problems(mapped.problems) == ["unmapped value in column 'q7' (not in its values table) rows 2, 4"]


def test_duplicate_respondent_id_rejects_every_copy(tmp_path: Path) -> None:
    mapped = map_rows(tmp_path, [row("1"), row("2"), row("1")])
    assert mapped.records["respondent_id"].tolist() == ["2"]
    assert mapped.rows_rejected == 2
    assert summarise_problems(mapped.problems) == ["duplicate respondent id in column '$submission_id' rows 1, 3"]


def test_hours_doc_above_hours_total(tmp_path: Path) -> None:
    mapped = map_rows(tmp_path, [row("1", hours="20", doc="25"), row("2", hours="20", doc="20")])
    assert mapped.records["respondent_id"].tolist() == ["2"]
    (problem,) = mapped.problems
    assert problem.row == 1 and problem.field == "hours_doc" and "greater than hours_total" in problem.message


def test_out_of_range_values(tmp_path: Path) -> None:
    text = BASE_MAPPING.replace(f"{{column: q7, values: {LIKERT}}}", "{column: q7, type: integer}")
    rows = [row("1", q7="6"), row("2", q7="8"), row("3", hours="150", doc="1"), row("4", hours="abc")]
    mapped = map_rows(tmp_path, rows, text)
    assert mapped.records["respondent_id"].tolist() == ["2"]
    assert mapped.records["unnecessary"].tolist() == [8]
    messages = summarise_problems(mapped.problems)
    assert messages == [
        "unnecessary code outside 1..5 or 8 in column 'q7' row 1",
        "hours_total outside 1..100 in column 'timer' row 3",
        "not a number in column 'timer' row 4",
    ]


def test_unknown_and_missing_sector(tmp_path: Path) -> None:
    mapped = map_rows(tmp_path, [row("1", sector="3"), row("2", sector=""), row("3")])
    assert mapped.records["respondent_id"].tolist() == ["3"]
    assert [p.row for p in mapped.problems] == [1, 2]
    assert mapped.problems[0].message == "unknown sector code in column 'arbeidssted'"
    assert mapped.problems[0].value == "3"
    assert mapped.problems[1].field == "sector_code"


def test_allowed_sectors_are_a_parameter(tmp_path: Path) -> None:
    export = read_nettskjema_csv(write(tmp_path / "e.csv", export_text([row("1", sector="3")])))
    mapping = load_mapping(write(tmp_path / "m.yml", BASE_MAPPING))
    mapped = apply_mapping(export, mapping, "e.csv", sectors={"UKJENT"})
    assert mapped.problems == [] and mapped.records["sector_code"].tolist() == ["UKJENT"]


def test_missing_column_is_an_unknown_column(tmp_path: Path) -> None:
    text = BASE_MAPPING.replace("{column: dok}", "{column: dokumentasjon}")
    export = read_nettskjema_csv(write(tmp_path / "e.csv", export_text([row("1")])))
    mapping = load_mapping(write(tmp_path / "m.yml", text))
    problems = validate_mapping_against_export(export, mapping)
    assert [p.message.split(" (")[0] for p in problems] == ["unknown column 'dokumentasjon'"]
    mapped = apply_mapping(export, mapping, "e.csv")
    assert mapped.records.empty and mapped.rows_rejected == 1
    assert list(mapped.records.columns) == list(CANONICAL_COLUMNS)
    assert mapped.problems[0].row is None


def test_summary_lists_at_most_ten_rows() -> None:
    problems = [Problem(r, "q", "duplicate", "x", "unmapped value 'x' in column 'q'") for r in range(1, 13)]
    (line,) = summarise_problems(problems)
    assert line == "unmapped value 'x' in column 'q' rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... (12 rows)"


# --------------------------------------------------------------------------- mapping files


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("  hours_doc:", "  hours_dok:", "fields.hours_dok"),
        ("data_status: demonstration", "data_status: draft", "data_status"),
        ("year: 2025\n", "", "year"),
        ("format: nettskjema_csv", "format: nettskjema_csv\nowner: me", "owner"),
        ("{column: dok}", "{column: dok, kind: number}", "fields.hours_doc.kind"),
        ("{column: dok}", "{column: dok, type: integer}", "fields.hours_doc.type"),
        ('"1": F,', '"1": 1,', "fields.sex.values.1"),
        ("  sector_code: ", "  sector: ", "fields.sector"),
    ],
)
def test_bad_mapping_raises_naming_file_and_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in BASE_MAPPING
    path = write(tmp_path / "bad.yml", BASE_MAPPING.replace(old, new))
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert str(path) in str(info.value) and f": {key}:" in str(info.value)


def test_mapping_without_sector_is_rejected(tmp_path: Path) -> None:
    text = "\n".join(line for line in BASE_MAPPING.splitlines() if "sector_code" not in line)
    with pytest.raises(MappingError, match=r"fields\.sector_code: required"):
        load_mapping(write(tmp_path / "m.yml", text))


def test_mapping_columns(mapping_path: Path) -> None:
    mapping = load_mapping(mapping_path)
    assert mapping_columns(mapping) == ["$submission_id", "arbeidssted", "kjonn", "timer", "dok", "q7"]
    assert mapping.survey_id == "TEST-1" and mapping.year == 2025 and mapping.title is None


# --------------------------------------------------------------------------- privacy


def test_privacy_only_canonical_fields_leave_the_mapping(tmp_path: Path) -> None:
    rows = [row("1"), row("2", q7="Ukentlig"), row("3", hours="x")]
    mapped = map_rows(tmp_path, rows)
    assert list(mapped.records.columns) == list(CANONICAL_COLUMNS)
    values = {str(v) for v in mapped.records.to_numpy().ravel()}
    reported = {str(getattr(p, a)) for p in mapped.problems for a in ("value", "message", "column")}
    reported |= set(summarise_problems(mapped.problems))
    for secret in ("Ring Kari Nordmann", "@example.invalid", "2025-03-10T09:00:00+01:00"):
        assert not any(secret in v for v in values | reported)


def test_privacy_on_the_demonstration_export() -> None:
    folder = EMBEDDED_INPUTS / "surveys" / demo.SURVEY_ID
    export = read_nettskjema_csv(folder / "export.csv")
    mapped = apply_mapping(export, load_mapping(folder / "mapping.yml"), "export.csv")
    secrets = {v for col in ("kommentar", "epost", "$created") for v in export[col] if v}
    assert len(secrets) > 100
    values = {str(v) for v in mapped.records.to_numpy().ravel()}
    assert not values & secrets
    assert not any("@" in v or "kommentar" in v for v in values)


# --------------------------------------------------------------------------- demonstration generator


def test_generator_is_deterministic(tmp_path: Path) -> None:
    a = demo.write_demo_survey(tmp_path / "a", seed=7, respondents=300)
    b = demo.write_demo_survey(tmp_path / "b", seed=7, respondents=300)
    c = demo.write_demo_survey(tmp_path / "c", seed=8, respondents=300)
    assert a[0].read_bytes() == b[0].read_bytes() and a[1].read_bytes() == b[1].read_bytes()
    assert a[0].read_bytes() != c[0].read_bytes()


def test_embedded_copy_matches_the_default_seed() -> None:
    folder = EMBEDDED_INPUTS / "surveys" / demo.SURVEY_ID
    assert (folder / "export.csv").read_bytes() == demo.export_csv().encode("utf-8")
    assert (folder / "mapping.yml").read_bytes() == demo.mapping_yaml().encode("utf-8")
    assert "DEMONSTRATION DATA" in (folder / "README.md").read_text(encoding="utf-8")


def test_cli_writes_both_files(tmp_path: Path) -> None:
    assert demo.main(["--out", str(tmp_path), "--seed", "3", "--respondents", "120"]) == 0
    assert (tmp_path / "export.csv").read_bytes() == demo.export_csv(3, 120).encode("utf-8")
    assert (tmp_path / "mapping.yml").exists()


def test_generated_export_format() -> None:
    data = demo.export_csv().encode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    lines = data.decode("utf-8").split("\n")
    assert lines[0].startswith('"$submission_id";"$created";') and lines[0].endswith('"$answer_time_ms"')
    first = lines[1].split(";")
    assert len(first[0]) == len('"12345678"') and first[1][-7:-1] in ("+01:00", "+02:00")


def test_generated_export_ingests_cleanly(tmp_path: Path) -> None:
    export_path, mapping_path = demo.write_demo_survey(tmp_path)
    export = read_nettskjema_csv(export_path)
    mapping = load_mapping(mapping_path)
    assert mapping.survey_id == "DEMO-2025-ARBEIDSTID" and mapping.data_status == "demonstration"
    assert mapping.title and "DEMONSTRATION" in mapping.title and "invented" in mapping.title
    mapped = apply_mapping(export, mapping, str(export_path))
    assert mapped.problems == [] and mapped.rows_rejected == 0
    rec = mapped.records
    assert len(rec) == demo.DEFAULT_RESPONDENTS
    counts = rec["sector_code"].value_counts()
    assert counts["POLITI"] == 8 and set(counts.index) == {s.code for s in demo.SECTORS}
    assert (counts.drop("POLITI") >= 50).all()
    assert export["$submission_id"].str.fullmatch(r"\d{8}").all()
    assert (export["kommentar"] != "").any() and (export["kommentar"] == "").any()
    assert export["epost"].str.fullmatch(r"(respondent\d+@example\.invalid)?").all()
    dk_share = (rec["unnecessary"] == 8).sum() / rec["unnecessary"].notna().sum()
    assert 0.01 < dk_share < 0.06
    assert rec["sex"].isna().any() and rec["hours_doc"].isna().any()
    doc_share = rec.groupby("sector_code").apply(
        lambda d: d["hours_doc"].sum() / d.loc[d["hours_doc"].notna(), "hours_total"].sum()
    )
    assert doc_share["SYKEHUS"] > doc_share["BARNEHAGE"] + 0.08
    assert doc_share["BARNEVERN"] > doc_share["GRUNNSKOLE"]
    assert ((doc_share > 0.08) & (doc_share < 0.35)).all()
    care = rec[rec["sector_code"].isin(["SYKEHJEM", "HJEMMETJ", "BARNEHAGE"])]
    assert (care["sex"] == "F").sum() > (care["sex"] == "M").sum()
    assert pd.api.types.is_float_dtype(rec["hours_total"])


def test_embedded_demonstration_years_match_the_generator_and_change_over_time() -> None:
    assert set(demo.DEMO_YEARS) >= {2023, 2024, 2025}
    for year, (seed, respondents) in demo.DEMO_YEARS.items():
        folder = EMBEDDED_INPUTS / "surveys" / demo.survey_id_for(year)
        assert (folder / "export.csv").read_bytes() == demo.export_csv(seed, respondents, year).encode("utf-8")
        assert (folder / "mapping.yml").read_bytes() == demo.mapping_yaml(seed, respondents, year).encode("utf-8")
        assert f"year: {year}" in (folder / "mapping.yml").read_text(encoding="utf-8")
        assert "DEMONSTRATION DATA" in (folder / "README.md").read_text(encoding="utf-8")
    nav = {year: next(p for p in demo.profiles_for(year) if p.code == "NAV").doc_share for year in demo.DEMO_YEARS}
    assert nav[2023] < nav[2024] < nav[2025]  # an invented trend, visible in the releases
    first = demo.generate_rows(20231, 200, 2023)[0]
    assert first[1].startswith("2023-0")  # submitted in the survey's own year
