"""The scenarios of the sensitivity analysis (spec section 7): definitions, labels and the S4 draws.

Definitions (weighting, component set, aggregation, perturbed) are the rows of the seed
``sensitivity_scenarios.csv`` for the method version; the words a reader sees for each scenario,
in Norwegian and English, are :data:`LABELS` (the one wording: the report, the workbook and the
method tables read it here).

- S0 default weights (the published index); S1 equal weights; S2 survey components only (C1-C4
  with their default weights, under the rule of section 6);
- S3 weighted geometric mean G = exp(sum w_k ln(shift + scale * I_k) / sum w_k), published as
  (G - shift) / scale with shift 1 and scale 0.99 (parameters geometric_shift, geometric_scale);
- S4 draws of weights perturbed by a factor uniform in [0.75, 1.25] and rescaled
  (:func:`perturbed_weights`); published: the median index, as rank the rank of that median among
  the sectors' medians of the year, and the 5th-95th percentiles of the draws' ranks.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from method.parameters import CURRENT_VERSION, SEEDS_DIR, MethodParameters

SCENARIOS_SEED = "sensitivity_scenarios.csv"

# scenario_id -> (Norwegian, English): the one wording of each scenario for readers
LABELS: dict[str, tuple[str, str]] = {
    "S0": ("Standardvekter (den publiserte indeksen)", "default weights (the published index)"),
    "S1": ("Like vekter", "equal weights"),
    "S2": ("Bare spørreundersøkelsens komponenter (C1-C4)", "survey components only (C1-C4)"),
    "S3": ("Vektet geometrisk snitt", "weighted geometric mean"),
    "S4": ("Tilfeldig endrede vekter, median av trekningene", "randomly perturbed weights, median of the draws"),
}


@dataclass(frozen=True)
class Scenario:
    scenario_id: str
    weighting: str  # default | equal
    component_set: str  # all | survey
    aggregation: str  # arithmetic | geometric
    perturbed: bool
    description: str

    @property
    def label_nb(self) -> str:
        return label(self.scenario_id, "nb")

    @property
    def label_en(self) -> str:
        return label(self.scenario_id, "en")


def label(scenario_id: str, language: str = "en") -> str:
    """The reader's words for a scenario (``language`` nb or en)."""
    nb, en = LABELS[scenario_id]
    return nb if language == "nb" else en


def scenarios(version: str | None = None, seeds_dir: Path = SEEDS_DIR) -> tuple[Scenario, ...]:
    """The scenarios of a method version (default: the version in force), in scenario_id order."""
    version = version or CURRENT_VERSION
    with (Path(seeds_dir) / SCENARIOS_SEED).open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["method_version"] == version]
    if not rows:
        raise ValueError(f"the seed {SCENARIOS_SEED} has no scenarios for method version {version!r}")
    return tuple(
        Scenario(
            row["scenario_id"],
            row["weighting"],
            row["component_set"],
            row["aggregation"],
            row["perturbed"].strip().lower() == "true",
            row["description"],
        )
        for row in sorted(rows, key=lambda r: r["scenario_id"])
    )


def scenario_ids(version: str | None = None, seeds_dir: Path = SEEDS_DIR) -> tuple[str, ...]:
    return tuple(s.scenario_id for s in scenarios(version, seeds_dir))


def perturbed_weights(
    component_ids: list[str], weights: np.ndarray, draws: int, low: float, high: float, seed: int
) -> np.ndarray:
    """(draws, K) S4 weights: draw d multiplies each default weight w_k by its own factor
    u_dk ~ Uniform[low, high] and rescales the draw to sum 1. The factors come from NumPy's
    ``Generator(PCG64(SeedSequence([seed])))``, drawn as a draws x K matrix with the components in
    component_id order (text order), whatever the order of ``component_ids``."""
    if draws < 1:
        raise ValueError(f"sensitivity_weight_draws must be >= 1, got {draws}")
    if not 0 < low <= high:
        raise ValueError(f"S4 factor range must satisfy 0 < low <= high, got [{low}, {high}]")
    order = np.argsort(np.asarray(component_ids, dtype=object).astype(str), kind="stable")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed)])))
    factors_sorted = rng.uniform(low, high, size=(draws, len(component_ids)))
    factors = np.empty_like(factors_sorted)
    factors[:, order] = factors_sorted
    perturbed = np.asarray(weights, dtype=np.float64)[None, :] * factors
    return perturbed / perturbed.sum(axis=1, keepdims=True)


def perturbation_settings(params: MethodParameters) -> tuple[int, float, float, int]:
    """(draws, low, high, seed) of S4 from the parameters."""
    return (
        params.integer("sensitivity_weight_draws"),
        params.number("sensitivity_weight_factor_low"),
        params.number("sensitivity_weight_factor_high"),
        params.integer("sensitivity_seed"),
    )


def geometric_index(scores: np.ndarray, weights: np.ndarray, shift: float, scale: float) -> float:
    """S3 on the 0..100 scale: (exp(sum w ln(shift + scale I) / sum w) - shift) / scale."""
    i = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    g = float(np.exp((w * np.log(shift + scale * i)).sum() / w.sum()))
    return (g - shift) / scale
