"""``python -m kit.planner check``: a finished export, read by the pipeline's reader, per sector."""

import json
from pathlib import Path

import pytest

from kit import rules
from kit.planner.__main__ import main
from kit.planner.assumptions import build_assumptions
from kit.planner.check import ExportRejected, check
from tests.kit.exports import truth, write_survey

SIZES = {"SYKEHUS": 120, "NAV": 45, "POLITI": 8}
POPULATION = "sector_code,sex,employees\nSYKEHUS,F,6000\nSYKEHUS,M,1500\nNAV,,9000\n"


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("check")
    export = write_survey(folder, "nettskjema", truth(SIZES, seed=11), "CHECK-2026", 2026)
    (folder / "population.csv").write_text(POPULATION, encoding="utf-8")
    return export, folder / "mapping.yml", folder / "population.csv"


def test_per_sector_counts_widths_and_decisions(survey: tuple[Path, Path, Path]) -> None:
    export, mapping, population = survey
    result = check(export, mapping, build_assumptions(), population, replicates=400)
    by = {s.sector: s for s in result.sectors}
    assert [s.sector for s in result.sectors][:3] == ["SYKEHUS", "SYKEHJEM", "HJEMMETJ"]
    assert {s: by[s].respondents for s in SIZES} == SIZES and by["VGS"].respondents == 0
    records = truth(SIZES, seed=11)
    hospital = by["SYKEHUS"]
    assert hospital.weighting == "post-stratified by sex" and by["NAV"].weighting == "equal weights"
    c2 = hospital.cells[1]
    valid = records[(records.sector_code == "SYKEHUS") & records.unnecessary.between(1, 5)]
    assert c2.cell.n == len(valid)
    assert c2.cell.n_eff < c2.cell.n  # post-stratification costs precision
    low, high = rules.korn_graubard(c2.cell.value, c2.cell.n_eff)
    assert (c2.cell.ci_low, c2.cell.ci_high) == (low, high)
    assert c2.decision.publishes and c2.more_respondents == 0
    # NAV unweighted: n_eff = n
    nav_c1 = by["NAV"].cells[0]
    assert nav_c1.cell.n_eff == pytest.approx(nav_c1.cell.n)
    assert nav_c1.cell.value == pytest.approx(
        100
        * records[records.sector_code == "NAV"].hours_doc.sum()
        / records[records.sector_code == "NAV"].hours_total.sum()
    )
    # 8 police respondents: suppressed by disclosure, and told how many more are needed
    police = by["POLITI"]
    assert all(c.decision.reason.startswith("n = ") for c in police.cells)
    assert police.more_respondents > 40
    empty = by["VGS"]
    assert all(c.cell.n == 0 and not c.decision.publishes for c in empty.cells)


def test_command_json_hides_values_of_cells_below_ten(survey, capsys: pytest.CaptureFixture) -> None:
    export, mapping, population = survey
    code = main(["check", str(export), str(mapping), "--population", str(population), "--json", "--replicates", "200"])
    assert code == 1  # the police cells would be suppressed
    doc = json.loads(capsys.readouterr().out)
    police = next(s for s in doc["sectors"] if s["sector_code"] == "POLITI")
    assert police["respondents"] == 8
    assert all(c["value"] is None and c["width"] is None for c in police["components"])
    hospital = next(s for s in doc["sectors"] if s["sector_code"] == "SYKEHUS")
    assert hospital["cells_published"] == 4 and hospital["more_respondents_needed"] == 0
    assert all(c["value"] is not None for c in hospital["components"])
    main(["check", str(export), str(mapping), "--replicates", "200"])
    text = capsys.readouterr().out
    assert "SUPPRESSED: n = " in text and "more respondents needed" in text
    from method.precision import describe

    assert "method:  1.2 (" + describe() + ")\n" in text and "only where n >= 10;" in text
    assert "Kari Nordmann" not in text and "kari@example.invalid" not in text  # the unmapped free text


def test_a_rejected_export_is_reported_not_checked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    export = write_survey(tmp_path, "msforms", truth({"NAV": 20}, seed=1), "BAD-2026", 2026)
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace('column: "ID"', 'column: "Respondent"'))
    with pytest.raises(ExportRejected, match="unknown column 'Respondent'"):
        check(export, mapping, build_assumptions())
    assert main(["check", str(export), str(mapping)]) == 2
    assert "unknown column 'Respondent'" in capsys.readouterr().err


def test_bootstrap_in_batches_gives_the_same_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from kit import estimators

    rng = np.random.default_rng(5)
    num, den, w = rng.random(500), np.ones(500), np.ones(500)
    whole = estimators.bootstrap_interval(num, den, w, 400, np.random.default_rng(1))
    monkeypatch.setattr(estimators, "MAX_DRAWS_IN_MEMORY", 500 * 7)  # batches of 7 replicates
    batched = estimators.bootstrap_interval(num, den, w, 400, np.random.default_rng(1))
    assert batched == pytest.approx(whole)
