"""Effective sample size (spec section 4): Kish's n_eff = (sum w)^2 / sum w^2 over the valid respondents."""

from collections.abc import Sequence

import numpy as np


def effective_n(weights: Sequence[float] | np.ndarray) -> float:
    """Kish effective sample size (sum w)^2 / sum w^2 of ``weights`` (the pooled w' of spec 3); 0 for none."""
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        return 0.0
    return float(w.sum() ** 2 / np.square(w).sum())
