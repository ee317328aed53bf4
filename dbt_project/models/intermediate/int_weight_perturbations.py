"""Scenario S4 of the sensitivity analysis (spec section 7): D draws of perturbed aggregation weights.

Draw d multiplies each default weight w_k (seed component_weights) by its own factor
u_dk ~ Uniform[low, high] (seed method_parameters sensitivity_weight_factor_low/high, 0.75 and
1.25) and rescales the draw to sum 1: w_dk = w_k u_dk / sum_j w_j u_dj. One row per (draw,
component_id). The factors come from NumPy's PCG64 seeded with SeedSequence([sensitivity_seed]),
drawn as a D x K matrix with the components in component_id order: the same seed and method
parameters give the same draws (DuckDB's random() is not used: it is not reproducible).
"""

import numpy as np
import pandas as pd


def perturbed_weights(
    component_ids: list[str], weights: np.ndarray, draws: int, low: float, high: float, seed: int
) -> np.ndarray:
    """(draws, K) rescaled perturbed weights; rows sum to 1. ``component_ids`` fixes the order."""
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


def _parameter(parameters: pd.DataFrame, name: str, method_version: str) -> str:
    rows = parameters[(parameters["method_version"] == method_version) & (parameters["parameter"] == name)]
    if len(rows) != 1:
        raise ValueError(
            f"seed method_parameters: expected one row {name!r} for method {method_version}, got {len(rows)}"
        )
    return str(rows["value"].iloc[0])


def model(dbt, session):
    method_version = str(dbt.config.meta_get("method_version"))
    parameters = dbt.ref("method_parameters").df()
    weights = dbt.ref("component_weights").df()
    weights = weights[weights["method_version"] == method_version].sort_values("component_id")
    component_ids = [str(c) for c in weights["component_id"]]
    matrix = perturbed_weights(
        component_ids,
        weights["weight"].to_numpy(dtype=np.float64),
        int(_parameter(parameters, "sensitivity_weight_draws", method_version)),
        float(_parameter(parameters, "sensitivity_weight_factor_low", method_version)),
        float(_parameter(parameters, "sensitivity_weight_factor_high", method_version)),
        int(_parameter(parameters, "sensitivity_seed", method_version)),
    )
    return perturbations_table(component_ids, matrix)
