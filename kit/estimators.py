"""The survey components C1-C4 of one sector (methodology 1.2, section 4) and their intervals.

Small, readable re-computations for the planner's ``check`` mode and its simulation tests, not the
pipeline's implementation (that is dbt): values from canonical records and respondent weights,
the Korn-Graubard interval for C2/C3 and a bootstrap percentile interval for C1/C4.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit import rules
from method import load_parameters
from method.bootstrap import draw_counts, rescale_factor
from method.intervals import interval_quantiles, percentile_interval

COMPONENTS = ("C1", "C2", "C3", "C4")
NAMES = {"C1": "DOC_TIME", "C2": "UNNECESSARY", "C3": "DUPLICATE", "C4": "AUTONOMY_DEFICIT"}
AUTONOMY = ("autonomy_1", "autonomy_2", "autonomy_3")
MAX_DRAWS_IN_MEMORY = 2_000_000  # respondent draws held at once by the bootstrap (16 MB of indices)


@dataclass(frozen=True)
class Cell:
    component: str
    n: int
    n_eff: float
    value: float | None
    ci_low: float | None
    ci_high: float | None
    sd: float | None  # per-respondent SD implied by the interval (C1, C4), for planning
    dk_share: float | None  # per cent, C2-C4

    @property
    def width(self) -> float | None:
        return None if self.ci_low is None or self.ci_high is None else self.ci_high - self.ci_low

    @property
    def decision(self) -> rules.Decision:
        return rules.decide(self.n, self.n_eff, self.value, self.width)


def _valid_scale(series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    return (values >= 1) & (values <= 5)


def unit_values(records: pd.DataFrame, component: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(valid mask, numerator per respondent, denominator per respondent) for ``component``.

    value = 100 * sum(w * num) / sum(w * den) over the valid respondents.
    """
    if component == "C1":
        total = pd.to_numeric(records["hours_total"], errors="coerce").to_numpy(dtype=float)
        doc = pd.to_numeric(records["hours_doc"], errors="coerce").to_numpy(dtype=float)
        valid = ~np.isnan(total) & ~np.isnan(doc)
        return valid, np.nan_to_num(doc), np.nan_to_num(total)
    if component in ("C2", "C3"):
        column = "unnecessary" if component == "C2" else "duplicate"
        values = pd.to_numeric(records[column], errors="coerce").to_numpy(dtype=float)
        valid = _valid_scale(records[column])
        return valid, (valid & (values >= 4)).astype(float), np.ones(len(values))
    if component == "C4":
        items = np.column_stack([pd.to_numeric(records[c], errors="coerce").to_numpy(dtype=float) for c in AUTONOMY])
        ok = (items >= 1) & (items <= 5)
        count = ok.sum(axis=1)
        mean = np.where(count > 0, np.where(ok, items, 0).sum(axis=1) / np.maximum(count, 1), np.nan)
        p = 100 * (mean - 1) / 4
        # C4 = 100 - mean p = mean of (100 - p): numerator (100 - p) / 100 so that value = 100 * ratio
        return count >= 2, np.nan_to_num((100 - p) / 100), np.ones(len(p))
    raise ValueError(f"unknown survey component {component!r}")


def ratio(num: np.ndarray, den: np.ndarray, w: np.ndarray) -> float:
    return float(100 * (w * num).sum() / (w * den).sum())


def dk_share(records: pd.DataFrame, component: str) -> float | None:
    columns = {"C2": ("unnecessary",), "C3": ("duplicate",), "C4": AUTONOMY}.get(component)
    if not columns:
        return None
    answers = pd.concat([pd.to_numeric(records[c], errors="coerce") for c in columns]).dropna()
    return None if answers.empty else float(100 * (answers == 8).mean())


def bootstrap_interval(
    num: np.ndarray, den: np.ndarray, w: np.ndarray, replicates: int, rng: np.random.Generator
) -> tuple[float, float, float]:
    """Percentile interval (2.5, 97.5) and se of the ratio, with the method's Rao-Wu replicate
    weights (``method.bootstrap``: n - 1 draws, weight w * r * n / (n - 1))."""
    n = len(num)
    wnum, wden = w * num, w * den
    chunk = max(1, MAX_DRAWS_IN_MEMORY // n)  # replicates per batch: a large export stays within memory
    parts = []
    for start in range(0, replicates, chunk):
        counts = draw_counts(rng, n, min(chunk, replicates - start)) * rescale_factor(n)
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append(100 * (counts @ wnum) / (counts @ wden))
    reps = np.concatenate(parts)
    reps = reps[np.isfinite(reps)]
    low, high = percentile_interval(reps, *interval_quantiles(load_parameters()))
    return float(low), float(high), float(reps.std(ddof=1))


def component_cell(
    records: pd.DataFrame, weights: np.ndarray, component: str, replicates: int = 1000, seed: int = 20261129
) -> Cell:
    """One sector's cell for ``component``: n, n_eff, value and the interval the method publishes."""
    valid, num, den = unit_values(records, component)
    w, num, den = weights[valid], num[valid], den[valid]
    n, n_eff = int(valid.sum()), rules.effective_n(w)
    dk = dk_share(records, component)
    if n == 0 or (w * den).sum() <= 0:
        return Cell(component, n, n_eff, None, None, None, None, dk)
    value = ratio(num, den, w)
    if component in rules.PROPORTIONS:
        low, high = rules.korn_graubard(value, n_eff)
        return Cell(component, n, n_eff, value, low, high, None, dk)
    if n < 2:
        return Cell(component, n, n_eff, value, None, None, None, dk)
    low, high, se = bootstrap_interval(num, den, w, replicates, np.random.default_rng(seed))
    return Cell(component, n, n_eff, value, low, high, se * np.sqrt(n_eff), dk)


def sector_cells(
    records: pd.DataFrame, weights: np.ndarray, replicates: int = 1000, seed: int = 20261129
) -> list[Cell]:
    return [component_cell(records, weights, c, replicates, seed) for c in COMPONENTS]
