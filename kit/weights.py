"""Respondent weights of one sector stratum, as methodology 1.2 section 3 sets them.

design_weight when every respondent of the survey has one; otherwise post-stratification by sex
to the population (at least poststrat_min_per_sex respondents of each sex, ``method.weights``;
both N(s,F) and N(s,M) known; NULL sex gets
the mean weight); otherwise 1. Weights are then rescaled to sum to the stratum's size (pooling).
"""

import numpy as np
import pandas as pd

from kit.population import SectorPopulation
from method.weights import can_post_stratify


def stratum_weights(
    records: pd.DataFrame, population: SectorPopulation | None, all_have_design_weight: bool
) -> tuple[np.ndarray, str]:
    """(weights rescaled to sum to n, how they were made) for one survey x sector stratum."""
    n = len(records)
    if n == 0:
        return np.zeros(0), "none"
    if all_have_design_weight:
        w, how = pd.to_numeric(records["design_weight"]).to_numpy(dtype=float), "design weights"
    else:
        sex = records["sex"].where(records["sex"].notna(), None).to_numpy(dtype=object)
        counts = {s: int((sex == s).sum()) for s in ("F", "M")}
        known = population is not None and "F" in population.by_sex and "M" in population.by_sex
        if can_post_stratify(counts["F"], counts["M"], known):
            per = {s: population.by_sex[s] / counts[s] for s in ("F", "M")}
            w = np.array([per.get(s, np.nan) for s in sex], dtype=float)
            w[np.isnan(w)] = w[~np.isnan(w)].mean()
            how = "post-stratified by sex"
        else:
            w, how = np.ones(n), "equal weights"
    return w * n / w.sum(), how
