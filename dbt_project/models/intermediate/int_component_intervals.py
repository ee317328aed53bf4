"""The published 95 % interval of every survey component cell and its precision decision
(spec sections 5 and 7; the rules are those of the package ``method``, written there once).

One row per survey component cell (year, sector_code, component_id) of int_survey_components:
- se: sample standard deviation (divisor B - 1) of the bootstrap replicates (int_component_replicates);
- raw_ci_low / raw_ci_high: for the proportions C2 and C3 the Korn-Graubard interval
  (``method.intervals.korn_graubard``); for C1 and C4 the 2.5th / 97.5th percentiles of the
  replicates (``method.intervals.percentile_interval``);
- skewed: a percentile interval that leaves out its point estimate (flag SKEWED, published as
  computed);
- precision: the first rule of spec section 5 that applies (``method.precision``): SUPPRESSED or
  LOW_PRECISION, NULL otherwise, on the unrounded value and W = raw_ci_high - raw_ci_low.

DuckDB has no inverse Beta function, hence this Python model. ``import method`` works because
PYTHONPATH is the repository root (Makefile, the Dagster dbt resource).
"""

import numpy as np
import pandas as pd

from method import parameters_from_frame
from method.intervals import (
    KORN_GRAUBARD_COMPONENTS,
    interval_quantiles,
    is_skewed,
    korn_graubard,
    percentile_interval,
    standard_error,
)
from method.precision import PrecisionRules, precision_decision, rules_in_force


def cell_intervals(
    components: pd.DataFrame,
    replicates: pd.DataFrame,
    rules: PrecisionRules | None = None,
    q_low: float | None = None,
    q_high: float | None = None,
) -> pd.DataFrame:
    """Per survey component cell of ``components`` (year, sector_code, component_id, raw_value, n,
    n_eff), from ``replicates`` (year, sector_code, component_id, replicate, raw_value): se, the
    published interval, its method, skewed and the precision decision."""
    rules = rules or rules_in_force()
    key = ["year", "sector_code", "component_id"]
    groups: dict[tuple[int, str, str], np.ndarray] = {}
    if len(replicates):
        ordered = replicates.sort_values([*key, "replicate"], kind="stable")
        for (year, sector_code, component_id), group in ordered.groupby(key, sort=False):
            groups[(int(year), str(sector_code), str(component_id))] = group["raw_value"].to_numpy(
                dtype=np.float64, na_value=np.nan
            )
    rows = []
    for cell in components.itertuples(index=False):
        year, sector_code, component_id = int(cell.year), str(cell.sector_code), str(cell.component_id)
        value = float("nan") if pd.isna(cell.raw_value) else float(cell.raw_value)
        n_eff = float("nan") if pd.isna(cell.n_eff) else float(cell.n_eff)
        n = float("nan") if pd.isna(cell.n) else float(cell.n)
        values = groups.get((year, sector_code, component_id), np.empty(0))
        if component_id in KORN_GRAUBARD_COMPONENTS:
            method = "korn_graubard"
            low_share, high_share = korn_graubard(np.array([value / 100]), np.array([n_eff]), q_low, q_high)
            ci_low, ci_high = 100 * float(low_share[0]), 100 * float(high_share[0])
            skewed = False
        else:
            method = "percentile"
            ci_low, ci_high = percentile_interval(values, q_low, q_high)
            skewed = is_skewed(value, ci_low, ci_high)
        rows.append(
            {
                "year": year,
                "sector_code": sector_code,
                "component_id": component_id,
                "se": standard_error(values),
                "raw_ci_low": ci_low,
                "raw_ci_high": ci_high,
                "interval_method": method,
                "skewed": skewed,
                "precision": precision_decision(n, n_eff, value, ci_low, ci_high, rules),
                "replicates_valid": int(np.count_nonzero(~np.isnan(values))),
            }
        )
    return _frame(rows)


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Typed columns (DuckDB types them VARCHAR / DOUBLE even when there are no rows)."""

    def floats(name: str) -> pd.arrays.FloatingArray:
        values = np.array([r[name] for r in rows], dtype=np.float64)
        return pd.arrays.FloatingArray(values, np.isnan(values))

    def strings(name: str) -> pd.api.extensions.ExtensionArray:
        return pd.array([r[name] for r in rows], dtype="string")

    return pd.DataFrame(
        {
            "year": np.array([r["year"] for r in rows], dtype=np.int32),
            "sector_code": strings("sector_code"),
            "component_id": strings("component_id"),
            "se": floats("se"),
            "raw_ci_low": floats("raw_ci_low"),
            "raw_ci_high": floats("raw_ci_high"),
            "interval_method": strings("interval_method"),
            "skewed": np.array([r["skewed"] for r in rows], dtype=bool),
            "precision": strings("precision"),
            "replicates_valid": np.array([r["replicates_valid"] for r in rows], dtype=np.int64),
        }
    )


def model(dbt, session):
    params = parameters_from_frame(dbt.ref("method_parameters").df(), str(dbt.config.meta_get("method_version")))
    components = dbt.ref("int_survey_components").project("year, sector_code, component_id, raw_value, n, n_eff").df()
    replicates = dbt.ref("int_component_replicates").df()
    q_low, q_high = interval_quantiles(params)
    return cell_intervals(components, replicates, PrecisionRules.from_parameters(params), q_low, q_high)
