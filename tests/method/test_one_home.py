"""One home for the method: a parameter changed in a scratch copy of the seeds is followed by the
gate's contract, the survey kit's planner and weights, and the dbt models' decision functions, which
all read ``method`` (nothing else writes a threshold of the method)."""

import csv
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import method.parameters
from kit import rules
from kit.planner.assumptions import Expectation
from kit.planner.plan import publish_probability
from method import load_parameters
from method.precision import PrecisionRules, rules_in_force
from method.ranks import rank_interval_label
from method.weights import can_post_stratify
from publication.contracts import method_rules
from tests.method.models import intervals_model as im

REPO = Path(__file__).resolve().parents[2]
CHANGED = {
    "suppress_n_below": "12",
    "nchs_n_eff_below": "40",
    "nchs_relative_width_above": "1.10",
    "poststrat_min_per_sex": "11",
    "rank_low_quantile": "0.1",
    "rank_high_quantile": "0.9",
}


@pytest.fixture
def scratch_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(method.parameters.SEEDS_DIR, seeds)
    path = seeds / method.parameters.PARAMETERS_SEED
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    version = method.parameters.CURRENT_VERSION
    for row in rows:
        if row["method_version"] == version and row["parameter"] in CHANGED:
            row["value"] = CHANGED[row["parameter"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(method.parameters, "SEEDS_DIR", seeds)
    publish_probability.cache_clear()
    yield seeds
    publish_probability.cache_clear()


def test_the_pipeline_runs_method_1_2() -> None:
    assert method.parameters.CURRENT_VERSION == "1.2"
    p = load_parameters()
    assert (p.integer("poststrat_min_per_sex"), p.integer("suppress_n_below")) == (10, 10)
    assert rank_interval_label("en") == "90 % rank interval" and rank_interval_label("nb") == "90 %-rangintervall"


def test_gate_planner_weights_and_models_follow_a_changed_seed(scratch_seeds: Path) -> None:
    params = load_parameters(seeds_dir=scratch_seeds)
    assert params.integer("suppress_n_below") == 12
    # the gate's contract
    rules_now = method_rules()
    assert (rules_now.min_respondents, rules_now.min_published_n_eff) == (12, 40.0)
    from expectations.suites import component_sector_year

    n_rules = [
        e for e in component_sector_year() if getattr(e, "column", None) == "n" and getattr(e, "min_value", None) == 12
    ]
    assert n_rules and "at least 12 respondents" in n_rules[0].meta["rule"]
    assert any(
        getattr(e, "column", None) == "n_eff" and getattr(e, "min_value", None) == 40.0 for e in component_sector_year()
    )
    # the survey kit: thresholds, decisions, the planner's probabilities and the weights
    assert (rules.MIN_N, rules.MIN_N_EFF, rules.MAX_RELATIVE_WIDTH) == (12, 40.0, 1.10)
    assert rules.decide(11, 100.0, 50.0, 4.0).status == "SUPPRESSED"
    assert rules.decide(100, 100.0, 10.0, 12.0).status == "SUPPRESSED"  # 12 / 10 = 1.2 > 1.10
    e = Expectation(value=20, sd=12, valid=1.0)
    assert publish_probability("C1", e, 35, 1.0) == 0.0  # n_eff 35 < 40
    assert not can_post_stratify(10, 10, True) and can_post_stratify(11, 11, True)
    assert rank_interval_label("en") == "80 % rank interval"
    # the dbt model's decision function: the rules of the parameters it is handed
    model_rules = PrecisionRules.from_parameters(params)
    assert model_rules == rules_in_force()
    assert im.precision_decision(11, 100, 50, 49, 51, model_rules) == "SUPPRESSED"
    assert im.precision_decision(12, 100, 50, 49, 51, model_rules) is None


def test_the_planner_publishes_the_same_cell_under_the_seeds_in_force() -> None:
    publish_probability.cache_clear()
    assert rules.MIN_N == 10 and rules.MIN_N_EFF == 30.0
    assert publish_probability("C1", Expectation(value=20, sd=12, valid=1.0), 35, 1.0) > 0.99
    assert can_post_stratify(10, 10, True) and not can_post_stratify(9, 10, True)


class FakeRelation:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.columns = list(frame.columns)

    def df(self) -> pd.DataFrame:
        return self.frame

    def project(self, _columns: str) -> "FakeRelation":
        return self


class FakeDbt:
    """What the intervals model uses of dbt: ``ref(...)`` relations and the method version."""

    def __init__(self, tables: dict[str, pd.DataFrame], version: str) -> None:
        self.tables = tables
        self.config = type("Config", (), {"meta_get": staticmethod(lambda name: version)})()

    def ref(self, name: str) -> FakeRelation:
        return FakeRelation(self.tables[name])


def test_the_intervals_model_reads_its_rules_from_the_seed_relation(scratch_seeds: Path) -> None:
    seed = pd.read_csv(scratch_seeds / "method_parameters.csv", dtype=str)
    components = pd.DataFrame(
        {
            "year": [2030],
            "sector_code": ["NAV"],
            "component_id": ["C1"],
            "raw_value": [20.0],
            "n": [11],
            "n_eff": [11.0],
        }
    )
    replicates = pd.DataFrame(
        {"year": [2030] * 3, "sector_code": ["NAV"] * 3, "component_id": ["C1"] * 3, "replicate": [1, 2, 3]}
    ).assign(raw_value=[19.0, 20.0, 21.0])
    tables = {"method_parameters": seed, "int_survey_components": components, "int_component_replicates": replicates}
    out = im.model(FakeDbt(tables, "1.2"), None)
    assert out["precision"].tolist() == ["SUPPRESSED"]  # n = 11 < 12 in the scratch seed
    components["n"] = [12]
    components["n_eff"] = [60.0]
    out = im.model(FakeDbt(tables, "1.2"), None)
    assert pd.isna(out["precision"].iloc[0])
    np.testing.assert_allclose([out["raw_ci_low"].iloc[0], out["raw_ci_high"].iloc[0]], [19.05, 20.95])


CONSUMERS = [
    "publication/contracts.py",
    "expectations/suites.py",
    "kit/rules.py",
    "kit/weights.py",
    "kit/estimators.py",
    "kit/planner/plan.py",
    "dbt_project/models/intermediate/int_component_intervals.py",
    "dbt_project/models/intermediate/int_component_replicates.py",
    "dbt_project/models/intermediate/int_weight_perturbations.py",
]


@pytest.mark.parametrize("path", CONSUMERS)
def test_no_threshold_of_the_method_is_written_in_a_consumer(path: str) -> None:
    code = "\n".join(line.split("#")[0] for line in (REPO / path).read_text(encoding="utf-8").splitlines())
    code = re.sub(r'"""[\s\S]*?"""', "", code)  # docstrings may restate the rules in words
    for literal in ("1.30", "1.3", "0.333", "0.165", "0.025", "0.975", "0.75", "1.25", "0.99", "20250101"):
        assert not re.search(rf"(?<![\w.]){re.escape(literal)}(?![\w.])", code), (path, literal)
    assert not re.search(r"(?<![\w.])(?:MIN_\w+|\w*THRESHOLD\w*)\s*=\s*\d", code), path


def test_the_rules_in_one_line_follow_the_seed(scratch_seeds: Path) -> None:
    from method.precision import describe

    text = describe(version="1.2")
    assert text.startswith("method 1.2: n >= 12, n_eff >= 40, W < 30,")
    assert "W / min(value, 100 - value) > 1.1)" in text
