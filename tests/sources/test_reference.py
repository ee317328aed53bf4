"""Reference data comes from the dbt seeds, and every user of it sees a change of the seed."""

import csv
import shutil
from pathlib import Path

import pytest

from method import reference
from sources.demo import survey as demo
from sources.surveys.__main__ import main as surveys_command
from storage.paths import SEEDS_DIR


def seed_column(name: str, column: str) -> tuple[str, ...]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return tuple(row[column] for row in csv.DictReader(handle))


def test_sectors_and_components_are_the_seeds() -> None:
    assert reference.sector_codes() == seed_column("sectors.csv", "sector_code")
    assert len(reference.sector_codes()) == 9
    assert reference.component_ids() == ("C1", "C2", "C3", "C4", "C5")
    assert reference.survey_component_ids() == ("C1", "C2", "C3", "C4")
    assert reference.percent_component_ids() == ("C1", "C2", "C3", "C4")
    assert all(unit.startswith("%") for unit in reference.percent_units())
    assert reference.CANONICAL_COLUMNS[:4] == ("survey_id", "respondent_id", "year", "sector_code")


@pytest.fixture
def seeds_with_a_new_sector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    with (seeds / "sectors.csv").open("a", encoding="utf-8") as handle:
        handle.write("NYSEKTOR,Ny sektor,New sector,99.999,10,SN2007 (test)\n")
    monkeypatch.setattr(reference, "SEEDS_DIR", seeds)
    reference.seed_rows.cache_clear()
    yield seeds
    reference.seed_rows.cache_clear()


def survey_with_sector(tmp_path: Path, sector: str) -> tuple[Path, Path]:
    export, mapping = demo.write_demo_survey(tmp_path / "survey", seed=5, respondents=60)
    text = mapping.read_text(encoding="utf-8")
    assert "SYKEHUS" in text
    mapping.write_text(text.replace("SYKEHUS", sector), encoding="utf-8")
    return export, mapping


def test_validate_command_checks_sectors_against_the_seed(tmp_path: Path, capsys) -> None:
    export, mapping = survey_with_sector(tmp_path, "NYSEKTOR")
    assert surveys_command(["validate", str(export), str(mapping)]) in (1, 2)
    out = capsys.readouterr().out  # names the column; the value shown is the export's own code
    assert "unknown sector code in column 'arbeidssted': '1' rows 14, 15, 25" in out


def test_a_sector_added_to_the_seed_is_known_to_the_validate_command(
    tmp_path: Path, seeds_with_a_new_sector: Path, capsys
) -> None:
    assert "NYSEKTOR" in reference.sector_codes()
    export, mapping = survey_with_sector(tmp_path, "NYSEKTOR")
    assert surveys_command(["validate", str(export), str(mapping)]) == 0, capsys.readouterr().out
