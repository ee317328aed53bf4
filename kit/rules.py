"""Method 1.1 publication rules for one survey component cell, as small functions.

Section 5 (disclosure and precision) and the Korn-Graubard interval of section 7, on the 0..100
scale of a component's raw value. The planner and its checks use only these functions, so they can
later be pointed at the pipeline's own implementation of method 1.1.

Order (the first rule that applies decides): n < 10; n_eff < 30; W >= 30; W > 5 and
W / value > 1.30 (value > 0); otherwise W >= 20 flags LOW_PRECISION.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta

MIN_N = 10  # section 5.1: disclosure
MIN_N_EFF = 30.0  # section 5.2: NCHS minimum effective sample size
MAX_WIDTH = 30.0  # W >= 30: suppressed
RELATIVE_FLOOR = 5.0  # the relative-width rule applies when W > 5 ...
MAX_RELATIVE_WIDTH = 1.30  # ... and W / value > 1.30: suppressed
LOW_PRECISION_WIDTH = 20.0  # W >= 20: flag LOW_PRECISION
CONFIDENCE = 0.95
PROPORTIONS = ("C2", "C3")  # Korn-Graubard; C1 and C4 have bootstrap percentile intervals

PUBLISHED, LOW_PRECISION, SUPPRESSED = "published", "LOW_PRECISION", "SUPPRESSED"


@dataclass(frozen=True)
class Decision:
    status: str  # published | LOW_PRECISION | SUPPRESSED
    reason: str  # the rule that decided, for people

    @property
    def publishes(self) -> bool:
        return self.status != SUPPRESSED


def effective_n(weights: Sequence[float] | np.ndarray) -> float:
    """Kish effective sample size (sum w)^2 / sum w^2 (section 4); 0 for no weights."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return 0.0
    return float(w.sum() ** 2 / np.square(w).sum())


def korn_graubard(value: float, n_eff: float) -> tuple[float, float]:
    """The 95 % Korn-Graubard interval (per cent) of a share ``value`` (per cent) at effective size ``n_eff``.

    Clopper-Pearson with n* = n_eff and x* = p * n_eff: low = Beta^-1(0.025; x*, n* - x* + 1),
    high = Beta^-1(0.975; x* + 1, n* - x*); low = 0 when x* = 0, high = 1 when x* = n*.
    """
    if n_eff <= 0:
        raise ValueError("the Korn-Graubard interval needs n_eff > 0")
    alpha = 1 - CONFIDENCE
    x = value / 100 * n_eff
    low = 0.0 if x <= 0 else float(beta.ppf(alpha / 2, x, n_eff - x + 1))
    high = 1.0 if x >= n_eff else float(beta.ppf(1 - alpha / 2, x + 1, n_eff - x))
    return 100 * low, 100 * high


def korn_graubard_widths(values: np.ndarray, n_eff: float) -> np.ndarray:
    """Vectorised widths W (per cent) of :func:`korn_graubard` for many values at one ``n_eff``."""
    alpha = 1 - CONFIDENCE
    x = np.asarray(values, dtype=float) / 100 * n_eff
    with np.errstate(all="ignore"):
        low = np.where(x <= 0, 0.0, beta.ppf(alpha / 2, np.maximum(x, 1e-12), n_eff - x + 1))
        high = np.where(x >= n_eff, 1.0, beta.ppf(1 - alpha / 2, x + 1, np.maximum(n_eff - x, 1e-12)))
    return 100 * (high - low)


def decide(n: int, n_eff: float, value: float | None, width: float | None) -> Decision:
    """Section 5 for one cell: ``n`` valid respondents, ``n_eff``, raw ``value`` and interval width ``width``."""
    if n < MIN_N:
        return Decision(SUPPRESSED, f"n = {n} < {MIN_N} (disclosure)")
    if n_eff < MIN_N_EFF:
        return Decision(SUPPRESSED, f"n_eff = {n_eff:.1f} < {MIN_N_EFF:g}")
    if value is None or width is None:
        return Decision(SUPPRESSED, "no value")
    if width >= MAX_WIDTH:
        return Decision(SUPPRESSED, f"W = {width:.1f} >= {MAX_WIDTH:g}")
    if width > RELATIVE_FLOOR and value > 0 and width / value > MAX_RELATIVE_WIDTH:
        return Decision(SUPPRESSED, f"W / value = {width / value:.2f} > {MAX_RELATIVE_WIDTH:g}")
    if width >= LOW_PRECISION_WIDTH:
        return Decision(LOW_PRECISION, f"W = {width:.1f} >= {LOW_PRECISION_WIDTH:g}")
    return Decision(PUBLISHED, "all rules pass")


def publishes(n: int, n_eff: float, value: float, width: float, clean: bool = False) -> bool:
    """True when the cell is published (``clean``: also without LOW_PRECISION)."""
    status = decide(n, n_eff, value, width).status
    return status == PUBLISHED if clean else status != SUPPRESSED
