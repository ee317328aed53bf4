"""Withdrawal and erasure (spec section 10, sources/surveys/erasure.py): the canonical records without a
respondent's rows in every supported file type, the raw survey area after erase and withdraw, the
audit log (append-only, restricted, no answers), the exclusions the pipeline applies and the
command line."""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from sources.pseudonyms import load_or_create_secret, respondent_key
from sources.snapshots import sha256_file
from sources.surveys import __main__ as cli
from sources.surveys import erasure, store
from sources.surveys.ingest import check_export
from sources.surveys.mapping import load_mapping
from sources.surveys.records import pseudonymise, read_records, write_records
from storage.paths import Paths
from tests.e2e.tiny_inputs import MAPPING, survey_export

GENERATED = Path(__file__).resolve().parents[1] / "fixtures" / "surveys" / "generated"
WHEN = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# answers the tiny export holds that an audit record must never contain
ANSWERS = ("Hemmelig fritekst", "kari@example.invalid", "2025-03-01T10:00:00")


def records(export: Path, mapping: Path) -> pd.DataFrame:
    checked = check_export(export, mapping)
    assert checked.records is not None, checked.report.to_text()
    return checked.records.reset_index(drop=True)


INTAKE_MAPPING = """\
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


def formula_workbook(path: Path) -> Path:
    """A workbook with formula cells and no cached values (written by a program): rewriting it
    with openpyxl used to drop other respondents' rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "sektor", "timer", "dok"])
    for i in range(1, 41):
        sheet.append([f"R{i}", 1, 37.5, 5])
    sheet["C5"] = "=30+7.5"
    sheet["D9"] = "=2+3"
    book.save(path)
    return path


def special_exports(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    bom = tmp_path / "bom.csv"
    body = "id;sektor;timer;dok;kjønn\n" + "".join(f"R{i};1;37.5;5;kvinne\n" for i in range(1, 21))
    bom.write_bytes(b"\xef\xbb\xbf" + body.encode("cp1252"))
    bom_mapping = tmp_path / "bom.yml"
    bom_mapping.write_text(INTAKE_MAPPING + "export: {encoding: cp1252}\n", encoding="utf-8")
    book = formula_workbook(tmp_path / "formulas.xlsx")
    book_mapping = tmp_path / "formulas.yml"
    book_mapping.write_text(INTAKE_MAPPING.replace("generic_csv", "generic_xlsx"), encoding="utf-8")
    return {"bom-cp1252": (bom, bom_mapping), "formulas": (book, book_mapping)}


def store_export(paths: Paths, export: Path, mapping: Path, when: datetime) -> store.StoredSurvey:
    """Store an export as the inbox does: bytes, mapping and keyed canonical records."""
    checked = check_export(export, mapping)
    assert checked.records is not None, checked.report.to_text()
    keyed = pseudonymise(checked.records, load_or_create_secret(paths.pseudonym_secret))
    return store.store_accepted(
        paths.raw_surveys,
        export,
        mapping,
        checked.report,
        when,
        sha256_file(export),
        sha256_file(mapping),
        records=keyed,
    )


@pytest.mark.parametrize(
    ("export_name", "mapping_name", "formats"),
    [
        ("generic_codes_latin1_comma.csv", "generic_codes.yml", None),
        ("generic_codes.xlsx", "generic_codes.yml", ("generic_csv", "generic_xlsx")),
        ("generic_labels_utf8_tab.tsv", "generic_labels.yml", None),
        ("msforms_responses.xlsx", "msforms_responses.yml", None),
        ("msforms_nb_cp1252_semicolon.csv", "msforms_responses.yml", ("msforms_xlsx", "msforms_csv")),
        ("msforms_en-us_utf8bom_comma.csv", "msforms_responses.yml", ("msforms_xlsx", "msforms_csv")),
        ("bom-cp1252", None, None),
        ("formulas", None, None),
    ],
)
def test_erasure_keeps_exactly_the_other_respondents_records_in_every_format(
    tmp_path: Path, export_name: str, mapping_name: str | None, formats: tuple[str, str] | None
) -> None:
    """(Replaces the test of the rewritten export copy: erasure now works on the canonical records,
    which also fixes workbooks with formula cells and BOM + Windows-1252 exports.)"""
    paths = paths_of(tmp_path / "output", tmp_path / "no-inputs")
    if mapping_name is None:
        export, mapping_path = special_exports(tmp_path)[export_name]
    else:
        export, mapping_path = GENERATED / export_name, GENERATED / mapping_name
    if formats:
        mapping_path = tmp_path / "mapping.yml"
        text = (GENERATED / mapping_name).read_text(encoding="utf-8").replace(*formats)
        mapping_path.write_text(text, encoding="utf-8")
    survey_id = load_mapping(mapping_path).survey_id
    first = store_export(paths, export, mapping_path, datetime(2026, 1, 1, tzinfo=UTC))
    tool_ids = records(export, mapping_path)["respondent_id"].astype(str).tolist()
    victim = tool_ids[2]
    before = pd.read_parquet(first.records_path)
    outcome = erasure.erase(survey_id, victim, paths, WHEN)
    secret = load_or_create_secret(paths.pseudonym_secret)
    key = respondent_key(secret, victim)
    assert outcome.rows_removed == 1 and outcome.respondent_id == key
    newest = store.newest(paths.raw_surveys, survey_id)
    assert newest.version == outcome.new_version and not newest.has_export
    after = pd.read_parquet(newest.records_path)
    assert len(after) == len(tool_ids) - 1 and key not in set(after["respondent_id"])
    expected = before[before["respondent_id"] != key].reset_index(drop=True)
    pd.testing.assert_frame_equal(after.drop(columns="respondent_order"), expected.drop(columns="respondent_order"))
    assert after["respondent_order"].tolist() == expected["respondent_order"].rank().astype(int).tolist()
    # the export bytes and the records of the version that held the rows are gone
    assert not first.has_export and not first.records_path.exists()
    assert (first.folder / "export-removed.json").exists()


def paths_of(output: Path, inputs: Path) -> Paths:
    return Paths.from_env(inputs=inputs, output=output, environ={})


def store_tiny(paths: Paths, tmp_path: Path, text: str, when: datetime) -> store.StoredSurvey:
    folder = tmp_path / f"delivery-{when:%H%M%S}"
    folder.mkdir()
    (folder / "Svar.csv").write_text(text, encoding="utf-8")
    (folder / "mapping.yml").write_text(MAPPING, encoding="utf-8")
    stored = store_export(paths, folder / "Svar.csv", folder / "mapping.yml", when)
    received = paths.received / folder.name
    shutil.copytree(folder, received)  # what the inbox keeps of the delivery
    return stored


def test_erase_replaces_the_raw_export_and_leaves_a_note(tmp_path: Path) -> None:
    paths = paths_of(tmp_path / "output", tmp_path / "no-inputs")
    raw_surveys = paths.raw_surveys
    first = store_tiny(paths, tmp_path, survey_export(), datetime(2026, 1, 1, tzinfo=UTC))
    # the checked records a run kept of that version (raw/survey_export, sources/surveys/records.py)
    write_records(paths.survey_records, first.snapshot_id, pd.read_parquet(first.records_path), {"register": {}})
    rows_before = len(records(first.export, first.mapping))
    outcome = erasure.erase("TINY-2025", "10000003", paths, WHEN)
    assert outcome.rows_removed == 1
    newest = store.newest(raw_surveys, "TINY-2025")
    assert newest is not None and newest.version == outcome.new_version != first.version
    assert newest.sidecar["supersedes"] == first.version
    assert "erasure" in newest.sidecar["superseded_reason"]
    assert not newest.has_export  # the new version is the canonical records without the rows
    kept = pd.read_parquet(newest.records_path)
    key = respondent_key(load_or_create_secret(paths.pseudonym_secret), "10000003")
    assert key not in set(kept["respondent_id"]) and len(kept) == rows_before - 1
    # the kept records of the version that held the respondent are gone too: the next run checks anew
    assert read_records(paths.survey_records, first.snapshot_id) is None
    # the old bytes are gone, with a note; mapping, sidecar and reports stay
    assert not list(first.folder.glob("export.*"))
    note = json.loads((first.folder / "export-removed.json").read_text())
    assert note["replaced_by_version"] == newest.version
    assert (first.folder / "mapping.yml").exists() and (first.folder / "sidecar.json").exists()
    # the inbox original too
    assert len(outcome.originals_removed) == 1 and not Path(outcome.originals_removed[0]).exists()
    record = erasure.audit_record(outcome, "Operatør Olsen", "SAK-1", WHEN)
    text = json.dumps(record)
    assert not any(answer in text for answer in ANSWERS) and "10000003" not in text  # the key, not the id
    assert (record["survey_id"], record["respondent_id"], record["requested_by"]) == (
        "TINY-2025",
        key,
        "Operatør Olsen",
    )
    with pytest.raises(erasure.ErasureError, match="no stored export holds this respondent"):
        erasure.erase("TINY-2025", "99999999", paths, WHEN)


def test_withdraw_stores_a_version_without_export(tmp_path: Path) -> None:
    paths = paths_of(tmp_path / "output", tmp_path / "no-inputs")
    raw_surveys = paths.raw_surveys
    first = store_tiny(paths, tmp_path, survey_export(), datetime(2026, 1, 1, tzinfo=UTC))
    write_records(paths.survey_records, first.snapshot_id, pd.read_parquet(first.records_path), {"register": {}})
    outcome = erasure.withdraw("TINY-2025", paths, WHEN)
    newest = store.newest(raw_surveys, "TINY-2025")
    assert newest is not None and newest.sidecar["withdrawn"] is True and newest.version == outcome.new_version
    assert not list(newest.folder.glob("export.*")) and not list(first.folder.glob("export.*"))
    assert read_records(paths.survey_records, first.snapshot_id) is None
    erasure.append_record(paths.audit_log, erasure.audit_record(outcome, "x", None, WHEN))
    with pytest.raises(erasure.ErasureError, match="already withdrawn"):
        erasure.withdraw("TINY-2025", paths, WHEN)


def test_an_inputs_directory_survey_is_excluded_not_rewritten(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs" / "surveys" / "tiny"
    inputs.mkdir(parents=True)
    (inputs / "export.csv").write_text(survey_export(), encoding="utf-8")
    (inputs / "mapping.yml").write_text(MAPPING, encoding="utf-8")
    before = (inputs / "export.csv").read_bytes()
    outcome = erasure.erase("TINY-2025", "10000001", paths_of(tmp_path / "output", inputs.parent.parent), WHEN)
    assert outcome.rows_removed == 1 and outcome.new_version is None
    assert "inputs directory" in outcome.notes[0]
    assert (inputs / "export.csv").read_bytes() == before


def test_audit_log_is_append_only_and_drives_the_exclusions(tmp_path: Path) -> None:
    log = paths_of(tmp_path, tmp_path).audit_log
    erasure.append_record(log, {"action": "erase", "survey_id": "A", "respondent_id": "1"})
    erasure.append_record(log, {"action": "withdraw", "survey_id": "B", "respondent_id": None})
    assert log.stat().st_mode & 0o777 == 0o640 and log.parent.stat().st_mode & 0o777 == 0o750
    entries = erasure.read_log(log)
    assert [e["action"] for e in entries] == ["erase", "withdraw"]
    frame = pd.DataFrame(
        {"survey_id": ["A", "A", "B", "C"], "respondent_id": ["1", "2", "1", "1"], "hours_total": [1.0, 2, 3, 4]}
    )
    kept, dropped = erasure.apply_exclusions(frame, entries)
    assert dropped == 2
    assert list(zip(kept["survey_id"], kept["respondent_id"], strict=True)) == [("A", "2"), ("C", "1")]


def test_command_line_erase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    output = tmp_path / "output"
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(output))
    monkeypatch.setenv("RBI_INPUTS_DIR", str(tmp_path / "inputs"))
    monkeypatch.delenv("RBI_RAW_DIR", raising=False)
    paths = paths_of(output, tmp_path / "inputs")
    store_tiny(paths, tmp_path, survey_export(), datetime(2026, 1, 1, tzinfo=UTC))
    assert cli.main(["erase", "TINY-2025", "10000004", "--requested-by", "Operatør Olsen"]) == 0
    said = capsys.readouterr().out
    assert "1 row(s) removed" in said and "no release has been published" in said
    assert cli.main(["erase", "TINY-2025", "10000004", "--requested-by", "Operatør Olsen"]) == 2
    assert "already erased" in capsys.readouterr().err
    lines = paths.audit_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["requested_by"] == "Operatør Olsen"
    assert not any(answer in lines[0] for answer in ANSWERS) and "10000004" not in lines[0]
