"""Exports written from the kit's questionnaire texts and labels validate clean with the kit's
mappings, through the pipeline's own reader, and give back exactly the invented answers."""

import subprocess
import sys
from pathlib import Path

import pytest

from kit.sample import write_sample
from sources.surveys.ingest import check_export
from tests.kit.exports import as_tuples, truth, write_survey

PER_SECTOR = {"SYKEHUS": 14, "SYKEHJEM": 3, "HJEMMETJ": 5, "BARNEHAGE": 7, "GRUNNSKOLE": 9, "VGS": 4,
              "NAV": 12, "BARNEVERN": 6, "POLITI": 11}  # fmt: skip


@pytest.mark.parametrize(("tool", "lang"), [("nettskjema", "nb"), ("msforms", "nb"), ("msforms", "en")])
def test_export_validates_clean_and_maps_to_the_truth(tmp_path: Path, tool: str, lang: str) -> None:
    records = truth(PER_SECTOR, seed=7)
    # every answer of the questionnaire occurs, including "don't know", skipped items and "Vil ikke svare"
    assert (records["unnecessary"] == 8).any() and records["unnecessary"].isna().any()
    assert records["sex"].isna().any() and records["hours_total"].isna().any()
    export = write_survey(tmp_path, tool, records, f"TEST-{tool.upper()}", 2026, lang)
    checked = check_export(export, tmp_path / "mapping.yml")
    report = checked.report
    assert report.accepted and report.rows_rejected == 0 and report.lines == [], report.to_text()
    assert report.rows_read == sum(PER_SECTOR.values())
    assert as_tuples(checked.records, tool == "nettskjema") == as_tuples(records, tool == "nettskjema")
    if tool == "msforms":
        assert list(checked.records["respondent_id"]) == [str(i) for i in range(1, len(records) + 1)]
    assert set(checked.records["survey_id"]) == {f"TEST-{tool.upper()}"}
    assert checked.records["design_weight"].isna().all()
    # the command people are told to run says the same
    result = subprocess.run(
        [sys.executable, "-m", "sources.surveys", "validate", str(export), str(tmp_path / "mapping.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "no problems" in result.stdout
    assert "kari@example.invalid" not in result.stdout


def test_the_tools_cannot_check_hours_doc_against_hours_total_so_the_reader_does(tmp_path: Path) -> None:
    records = truth({"NAV": 40}, seed=3)
    records.loc[5, ["hours_total", "hours_doc"]] = [30.0, 31.0]
    export = write_survey(tmp_path, "msforms", records, "TEST-BAD", 2026)
    report = check_export(export, tmp_path / "mapping.yml").report
    assert report.accepted and report.rows_rejected == 1  # 1 of 40 is within the default 5 %
    assert any("hours_doc greater than hours_total" in line and line.endswith("row 6") for line in report.lines)


def test_sample_command_writes_an_export_and_mapping_that_validate(tmp_path: Path) -> None:
    for tool in ("nettskjema", "msforms"):
        export, mapping = write_sample(tmp_path / tool, tool, per_sector=5, seed=2)
        report = check_export(export, mapping).report
        assert report.accepted and report.rows_read == 45 and report.rows_rejected == 0
        assert "data_status: demonstration" in mapping.read_text(encoding="utf-8")
