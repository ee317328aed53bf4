"""Scenario S4 of the sensitivity analysis (spec section 7): D draws of perturbed aggregation weights.

Draw d multiplies each default weight w_k (seed component_weights) by its own factor
u_dk ~ Uniform[low, high] (seed method_parameters sensitivity_weight_factor_low/high, 0.75 and
1.25) and rescales the draw to sum 1: w_dk = w_k u_dk / sum_j w_j u_dj. One row per (draw,
component_id). The draws are ``method.scenarios.perturbed_weights`` (NumPy's PCG64 seeded with
SeedSequence([sensitivity_seed]); DuckDB's random() is not used: it is not reproducible).
"""

import numpy as np
import pandas as pd

from method import parameters_from_frame
from method.scenarios import perturbation_settings, perturbed_weights

__all__ = ["perturbations_table", "perturbed_weights"]


def perturbations_table(component_ids: list[str], matrix: np.ndarray) -> pd.DataFrame:
    """One row per (draw 1..D, component_id) with the rescaled weight."""
    draws, k = matrix.shape
    return pd.DataFrame(
        {
            "draw": np.repeat(np.arange(1, draws + 1, dtype=np.int32), k),
            "component_id": pd.array(np.tile(np.array(component_ids, dtype=object), draws), dtype="string"),
            "weight": matrix.reshape(-1),
        }
    )


def model(dbt, session):
    method_version = str(dbt.config.meta_get("method_version"))
    params = parameters_from_frame(dbt.ref("method_parameters").df(), method_version)
    weights = dbt.ref("component_weights").df()
    weights = weights[weights["method_version"] == method_version].sort_values("component_id")
    component_ids = [str(c) for c in weights["component_id"]]
    draws, low, high, seed = perturbation_settings(params)
    matrix = perturbed_weights(component_ids, weights["weight"].to_numpy(dtype=np.float64), draws, low, high, seed)
    return perturbations_table(component_ids, matrix)
