"""The planner's figures on hand-worked cases, its population file and its command line."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import beta, binom, norm

from kit import rules
from kit.planner.__main__ import main
from kit.planner.assumptions import AssumptionsError, Expectation, build_assumptions
from kit.planner.plan import (
    WIDTH_MARGIN,
    bootstrap_width,
    component_need,
    plan_sector,
    publish_probability,
    required_respondents,
    required_valid,
    respondent_probability,
)
from kit.population import PopulationError, read_population

POPULATION = """year,sector_code,sex,employees,fte,data_status
2023,NAV,,150,140,demonstration
2024,SYKEHUS,,1000,50,demonstration
2024,SYKEHUS,F,600,30,demonstration
2024,SYKEHUS,M,400,20,demonstration
2024,NAV,,200,180,demonstration
2024,POLITI,F,40,30,demonstration
2024,POLITI,M,30,30,demonstration
"""


def test_c1_with_default_spread_needs_exactly_the_n_eff_minimum() -> None:
    # W = 2 x 1.96 x 12 / sqrt(30) = 8.6 < 20 and W / 20 = 0.43: only n_eff >= 30 binds,
    # so n = 30 x deff valid answers: 39 at deff 1.3; with 95 % answering, the respondents N
    # needed are the smallest N with P(Binomial(N, 0.95) >= 39) >= 0.9
    e = Expectation(value=20, sd=12, valid=0.95)
    assert bootstrap_width(12, 30) == pytest.approx(2 * 1.959964 * 12 / math.sqrt(30), abs=1e-5)
    assert required_valid("C1", e, deff=1.3, assurance=0.9) == 39
    assert required_valid("C1", e, deff=1.0, assurance=0.9) == 30
    by_hand = next(n for n in range(39, 100) if binom.sf(38, n, 0.95) >= 0.9)
    assert by_hand == 43 and binom.sf(38, 42, 0.95) < 0.9
    plan = plan_sector("NAV", build_assumptions())
    assert plan.components[0].respondents == by_hand
    assert required_respondents("C1", Expectation(20, sd=12, valid=1.0), 1.3, 0.9) == 39


def test_mean_component_at_the_relative_width_threshold_publishes_half_the_time() -> None:
    # at n = n_eff = 30: W = 13 when sd = 13 sqrt(30) / 3.92; value 10 = W / 1.30 exactly, so the
    # cell publishes exactly when the estimate lands above its expectation: probability 1/2
    sd = 13 * math.sqrt(30) / (2 * norm.ppf(0.975))
    e = Expectation(value=10, sd=sd, valid=1.0)
    assert publish_probability("C4", e, 30, 1.0) == pytest.approx(0.5)
    # at n = 60: W = 13 / sqrt(2), the cell publishes when the estimate >= W / 1.3 (normal tail)
    width, se = 13 / math.sqrt(2), sd / math.sqrt(60)
    expected = 1 - norm.cdf((width / 1.3 - 10) / se)
    assert publish_probability("C4", e, 60, 1.0) == pytest.approx(expected, abs=1 / 400)
    # W >= 30 can never publish; below n = 10 or n_eff = 30 nothing publishes
    assert publish_probability("C4", Expectation(50, sd=50, valid=1), 30, 1.0) == 0
    assert publish_probability("C1", Expectation(20, sd=1, valid=1), 38, 1.3) == 0  # n_eff 29.2


@pytest.mark.parametrize("n", [30, 44, 50])
def test_share_probability_is_the_binomial_sum_over_publishable_counts(n: int) -> None:
    # p = 50 %, n = n_eff: add the Binomial(30, 0.5) probabilities of every count x whose
    # Clopper-Pearson width (written out here from the Beta quantiles) is below 30
    def width(x: int, n: int) -> float:
        low = 0.0 if x == 0 else beta.ppf(0.025, x, n - x + 1)
        high = 1.0 if x == n else beta.ppf(0.975, x + 1, n - x)
        return 100 * (high - low)

    def ok(x: int, n: int) -> bool:
        # method 1.2: W / min(value, 100 - value), infinite when the minimum is 0
        w, v = width(x, n), 100 * x / n
        smaller = min(v, 100 - v)
        return w < 30 and not (w > 5 and (smaller <= 0 or w / smaller > 1.3))

    by_hand = sum(binom.pmf(x, n, 0.5) for x in range(n + 1) if ok(x, n))
    if n == 30:
        # the widths near 50 % are ~37; 1.1 published only the far-off counts x = 0 and x = 30,
        # where W / min(value, 100 - value) is infinite under 1.2: nothing publishes
        assert by_hand == 0
    if n == 50:
        assert by_hand > 0.99  # width at 50 % is 29.4
    assert publish_probability("C2", Expectation(50), n, 1.0) == pytest.approx(by_hand, abs=1e-6)


@pytest.mark.parametrize(("component", "value"), [("C2", 50.0), ("C3", 40.0), ("C3", 5.0), ("C2", 95.0)])
def test_required_size_is_the_smallest_that_reaches_the_assurance(component: str, value: float) -> None:
    e = Expectation(value=value, valid=0.9)
    n = required_valid(component, e, deff=1.3, assurance=0.9)
    assert publish_probability(component, e, n, 1.3) >= 0.9 > publish_probability(component, e, n - 1, 1.3)
    r = required_respondents(component, e, deff=1.3, assurance=0.9)
    assert r >= math.ceil(n / 0.9)
    assert respondent_probability(component, e, r, 1.3) >= 0.9 > respondent_probability(component, e, r - 1, 1.3)


def test_a_share_and_its_complement_need_the_same_respondents() -> None:
    # method 1.2 decides 95 % as 5 %: the Korn-Graubard widths mirror, and so does the rule
    for value in (5.0, 20.0):
        low = required_valid("C3", Expectation(value=value), deff=1.3, assurance=0.9)
        high = required_valid("C3", Expectation(value=100 - value), deff=1.3, assurance=0.9)
        assert low == high


def test_small_shares_need_many_more_respondents_than_shares_near_half() -> None:
    # the relative-width rule (W / value <= 1.30 once W > 5) binds for small shares
    plan = plan_sector("POLITI", build_assumptions(overrides={"C3": {"value": 5}}))
    c3 = plan.components[2]
    assert c3.respondents > 4 * plan_sector("POLITI", build_assumptions()).components[2].respondents
    assert c3.expected_width / 5 == pytest.approx(1.3, abs=0.15)


def test_invitations_and_verdicts_from_population_and_response_rate() -> None:
    a = build_assumptions()
    plan = plan_sector("NAV", a)
    # C2 at 50 %: 65 valid answers at deff 1.3 (W 28.9 < 30 - 1, the planning margin), of about 90 %
    assert plan.respondents == 75 and plan.components[1].valid == 65
    nav = plan_sector("NAV", a, population=200, response_rate=0.3)
    assert nav.invitations == math.ceil(75 / 0.3) == 250
    assert nav.clean_invitations == math.ceil(nav.clean_respondents / 0.3) > nav.invitations
    assert nav.expected_respondents == pytest.approx(60)
    assert nav.verdict == "short by 15 respondents at this response rate"
    assert plan_sector("NAV", a, population=1000, response_rate=0.3).verdict == "ok"
    assert plan_sector("NAV", a, population=1000).verdict == "needs a response rate of 7.5 %"
    assert plan_sector("NAV", a, population=50).verdict.startswith("not reachable: needs 75 respondents")
    assert plan_sector("NAV", a).invitations is None and plan_sector("NAV", a).clean_invitations is None


@pytest.mark.parametrize("value", [50.0, 40.0, 25.0])
def test_the_planned_width_is_inside_the_limit_by_the_margin(value: float) -> None:
    """The reported case: 'needed' left W = 29.9 against the limit 30. The plan now keeps W below
    30 - WIDTH_MARGIN, and one valid answer fewer would not."""
    e = Expectation(value, valid=1.0)
    need = component_need("C2", e, 1.3, 0.9)
    assert need.expected_width < rules.MAX_WIDTH - WIDTH_MARGIN
    width_one_fewer = rules.korn_graubard_widths(np.array([value]), (need.valid - 1) / 1.3)[0]
    if value == 50.0:  # near 50 % the absolute limit binds: one fewer is past the margin
        assert width_one_fewer >= rules.MAX_WIDTH - WIDTH_MARGIN
    assert publish_probability("C2", e, need.valid - 1, 1.3, margin=WIDTH_MARGIN) < 0.9
    # the exact rule (no margin) needs no more (fewer where the absolute limit binds), W still < 30
    exact = required_valid("C2", e, 1.3, 0.9)
    assert exact < need.valid if value == 50.0 else exact <= need.valid
    assert rules.korn_graubard_widths(np.array([value]), exact / 1.3)[0] < rules.MAX_WIDTH


def test_clean_plan_keeps_the_flag_limit_by_the_margin() -> None:
    e = Expectation(50.0, valid=1.0)
    clean = required_valid("C2", e, 1.3, 0.9, clean=True, margin=WIDTH_MARGIN)
    assert rules.korn_graubard_widths(np.array([50.0]), clean / 1.3)[0] < rules.LOW_PRECISION_WIDTH - WIDTH_MARGIN


def test_population_file_totals_and_years(tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    path.write_text(POPULATION, encoding="utf-8")
    pop = read_population(path)
    assert {s: p.total for s, p in pop.items()} == {"SYKEHUS": 1000, "NAV": 200, "POLITI": 70}  # F + M
    assert read_population(path, 2023)["NAV"].total == 150
    assert read_population(path, 2030)["NAV"].total == 200  # nearest earlier year
    with pytest.raises(PopulationError, match="no year at or before 2020"):
        read_population(path, 2020)
    path.write_text("sector_code,employees\nNAV,many\n", encoding="utf-8")
    with pytest.raises(PopulationError, match="line 2, column employees: 'many' is not a number"):
        read_population(path)


def test_population_as_norwegian_excel_saves_it(tmp_path: Path) -> None:
    """';' between columns, decimal commas, spaces between thousands, Windows-1252, any case."""
    path = tmp_path / "populasjon.csv"
    path.write_bytes("Sector_Code;Employees;merknad\nsykehjem;1 234,5;Østfold\nNav;200;\n\n".encode("cp1252"))
    pop = read_population(path)
    assert {s: p.total for s, p in pop.items()} == {"SYKEHJEM": 1234.5, "NAV": 200}
    path.write_text("sector_code\temployees\nPOLITI\t1\u00a0070\n", encoding="utf-8")
    assert read_population(path)["POLITI"].total == 1070


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sector;count\nNAV;200\n", "line 1 must name the columns sector_code and employees"),
        ("sector_code,employees\nNAV,1 234,5\n", "has 3 values for 2 columns: a decimal comma"),
        ("sector_code;employees\nHOSPITAL;200\n", "'HOSPITAL' is not a sector code; use one of SYKEHUS, SYKEHJEM"),
        ("sector_code;employees\nNAV;1.234,5\n", "'1.234,5' is not a number"),
        ("", "the file is empty"),
    ],
)
def test_population_refusals_say_why_and_what_to_write(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "population.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PopulationError, match=re.escape(message)):
        read_population(path)


def test_assumptions_are_checked() -> None:
    with pytest.raises(AssumptionsError, match=r"value 120\.0 is outside 0\.\.100"):
        build_assumptions(overrides={"C2": {"value": 120}})
    with pytest.raises(AssumptionsError, match="sectors: not sectors of the method"):
        build_assumptions({"sectors": {"SKOLE": {"C2": {"value": 20}}}})
    with pytest.raises(AssumptionsError, match=r"deff 0\.5 must be >= 1"):
        build_assumptions(deff=0.5)
    a = build_assumptions({"sectors": {"POLITI": {"C3": {"value": 15}}}, "deff": 1.5})
    assert a.for_sector("POLITI")["C3"].value == 15 and a.for_sector("NAV")["C3"].value == 40 and a.deff == 1.5


def test_command_plan_tables_and_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "population.csv"
    path.write_text(POPULATION, encoding="utf-8")
    assert main(["plan", "--population", str(path), "--response-rate", "0.3", "--sector", "NAV"]) == 1
    out = capsys.readouterr().out
    assert "short by 15 respondents at this response rate" in out and "Respondents needed per sector" in out
    assert "Which to choose" in out and " 250 " in out  # invite for the publishing target
    # the method's version and rules as method/ states them (from the seed), not a copy of them
    from method import CURRENT_VERSION
    from method.precision import describe

    assert f"Assumptions (method {CURRENT_VERSION}): " in out and f"Rules: {describe()};" in out
    assert "W / min(value, 100 - value) > 1.3" in describe() and CURRENT_VERSION == "1.2"
    assert main(["plan", "--sector", "nav", "--json"]) == 0  # a sector code in any case
    doc = json.loads(capsys.readouterr().out)
    assert doc["sectors"][0]["sector_code"] == "NAV" and doc["method_version"] == CURRENT_VERSION
    assert main(["plan", "--json", "--sector", "SYKEHUS", "--sector", "POLITI", "--c2", "30"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [s["sector_code"] for s in doc["sectors"]] == ["SYKEHUS", "POLITI"]
    c2 = doc["sectors"][0]["components"][1]
    assert c2["value"] == 30 and c2["respondents_needed"] < 75
    assert main(["plan", "--response-rate", "1.5"]) == 2
    assert "--response-rate 1.5 must be in (0, 1]" in capsys.readouterr().err


def test_command_reads_an_assumptions_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "assumptions.yml"
    path.write_text("deff: 1.0\nsectors:\n  POLITI: {C3: {value: 10}}\n", encoding="utf-8")
    assert main(["plan", "--assumptions", str(path), "--sector", "NAV", "--sector", "POLITI", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    nav, police = doc["sectors"]
    assert doc["deff"] == 1.0
    assert police["components"][2]["value"] == 10 and nav["components"][2]["value"] == 40
    assert police["respondents_needed"] > 2 * nav["respondents_needed"]
    path.write_text("default: {C5: {value: 3}}\n", encoding="utf-8")
    assert main(["plan", "--assumptions", str(path)]) == 2
    assert "not a survey component (C1-C4)" in capsys.readouterr().err


def test_sample_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from kit.sample import main as sample_main

    assert sample_main(["--tool", "msforms", "--language", "en", "--per-sector", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "export.xlsx").exists() and "demonstration" in capsys.readouterr().out
    assert "Where do you work?" in (tmp_path / "mapping.yml").read_text(encoding="utf-8")
