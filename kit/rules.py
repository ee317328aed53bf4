"""The publication rules the survey kit plans and checks with: the package ``method``, re-exported.

Every rule and threshold lives in ``method`` (read from the seed method_parameters of the method
version in force); this module only adapts the kit's calls to it: ``decide`` and ``publishes`` take
the interval width W rather than the bounds, ``korn_graubard`` a share in per cent. The thresholds
(``MIN_N``, ``MIN_N_EFF``, ...) are read from ``method`` when used, never written here.
"""

from collections.abc import Sequence

import numpy as np

from method import load_parameters
from method.intervals import KORN_GRAUBARD_COMPONENTS, interval_level, interval_quantiles, korn_graubard_percent
from method.intervals import korn_graubard_widths as _korn_graubard_widths
from method.precision import LOW_PRECISION, PUBLISHED, SUPPRESSED, Decision, rules_in_force
from method.precision import decide as _decide
from method.sample_size import effective_n

PROPORTIONS = KORN_GRAUBARD_COMPONENTS  # Korn-Graubard; C1 and C4 have bootstrap percentile intervals

__all__ = [
    "LOW_PRECISION",
    "PROPORTIONS",
    "PUBLISHED",
    "SUPPRESSED",
    "Decision",
    "decide",
    "effective_n",
    "korn_graubard",
    "korn_graubard_widths",
    "publishes",
]

_THRESHOLDS = {
    "MIN_N": lambda r: int(r.suppress_n_below),
    "MIN_N_EFF": lambda r: r.n_eff_below,
    "MAX_WIDTH": lambda r: r.width_suppress_at,
    "RELATIVE_FLOOR": lambda r: r.relative_width_min,
    "MAX_RELATIVE_WIDTH": lambda r: r.relative_width_above,
    "LOW_PRECISION_WIDTH": lambda r: r.low_precision_width_at,
}


def __getattr__(name: str):
    """``rules.MIN_N`` and the other thresholds: read from ``method`` at the moment of use."""
    if name in _THRESHOLDS:
        return _THRESHOLDS[name](rules_in_force())
    if name == "CONFIDENCE":
        return interval_level(load_parameters()) / 100
    raise AttributeError(f"module 'kit.rules' has no attribute {name!r}")


def korn_graubard(value: float, n_eff: float) -> tuple[float, float]:
    """The 95 % Korn-Graubard interval (per cent) of a share ``value`` (per cent) at effective size ``n_eff``."""
    return korn_graubard_percent(value, n_eff, *interval_quantiles(load_parameters()))


def korn_graubard_widths(values: Sequence[float] | np.ndarray, n_eff: float) -> np.ndarray:
    """Widths W (per cent) of :func:`korn_graubard` for many values at one ``n_eff``."""
    return _korn_graubard_widths(np.asarray(values, dtype=float), n_eff, *interval_quantiles(load_parameters()))


def decide(n: int, n_eff: float, value: float | None, width: float | None) -> Decision:
    """Section 5 for one cell: ``n`` valid respondents, ``n_eff``, raw ``value`` and interval width ``width``."""
    return _decide(n, n_eff, value, 0.0, width)


def publishes(n: int, n_eff: float, value: float, width: float, clean: bool = False) -> bool:
    """True when the cell is published (``clean``: also without LOW_PRECISION)."""
    status = decide(n, n_eff, value, width).status
    return status == PUBLISHED if clean else status != SUPPRESSED
