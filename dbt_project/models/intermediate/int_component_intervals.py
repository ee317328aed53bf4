"""The published 95 % interval of every survey component cell and its precision decision
(method 1.1, spec sections 5 and 7).

One row per survey component cell (year, sector_code, component_id) of int_survey_components:
- se: sample standard deviation (divisor B - 1) of the bootstrap replicates (int_component_replicates);
- raw_ci_low / raw_ci_high: for the proportions C2 and C3 the Korn-Graubard interval (a
  Clopper-Pearson interval on the effective sample size, ``korn_graubard``); for C1 and C4 the
  2.5th / 97.5th percentiles of the replicates (``percentile_interval``, linear interpolation
  between order statistics as NumPy's default and the SQL macro quantile_linear);
- skewed: a percentile interval that leaves out its point estimate (flag SKEWED, published as
  computed);
- precision: the first rule of spec section 5 that applies (``precision_decision``): SUPPRESSED
  (n < 10; NCHS: n_eff < 30, W >= 30, W > 5 and W / value > 1.30) or LOW_PRECISION (W >= 20), NULL
  otherwise; W = raw_ci_high - raw_ci_low on the 0..100 scale, unrounded.

DuckDB has no inverse Beta function, hence this Python model (SciPy's inverse regularised
incomplete Beta function, ``betaincinv`` = ``beta.ppf``). The arithmetic
is in plain top-level functions (no dbt, no DuckDB), imported by tests/method from this file.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

KORN_GRAUBARD_COMPONENTS: tuple[str, ...] = ("C2", "C3")
SUPPRESSED = "SUPPRESSED"
LOW_PRECISION = "LOW_PRECISION"


@dataclass(frozen=True)
class PrecisionRules:
    """Thresholds of spec section 5 (seed method_parameters, method 1.1)."""

    suppress_n_below: float = 10
    n_eff_below: float = 30
    width_suppress_at: float = 30
    relative_width_min: float = 5
    relative_width_above: float = 1.30
    low_precision_width_at: float = 20


def korn_graubard(
    share: np.ndarray, n_eff: np.ndarray, q_low: float = 0.025, q_high: float = 0.975
) -> tuple[np.ndarray, np.ndarray]:
    """Korn-Graubard interval of a proportion ``share`` (0..1) with effective sample size ``n_eff``:
    the Clopper-Pearson interval with n* = n_eff and x* = share * n_eff events,
    low = Beta^-1(q_low; x*, n* - x* + 1) (0 when x* = 0),
    high = Beta^-1(q_high; x* + 1, n* - x*) (1 when x* = n*). Returns (low, high) on 0..1, NaN
    where the share or n_eff is missing or n_eff is not positive.

    Beta^-1(q; a, b) is SciPy's ``scipy.special.betaincinv(a, b, q)``, the function behind
    ``scipy.stats.beta.ppf`` (imported from scipy.special: importing scipy.stats costs about a second
    per dbt run)."""
    from scipy.special import betaincinv

    share = np.asarray(share, dtype=np.float64)
    n = np.asarray(n_eff, dtype=np.float64)
    valid = ~np.isnan(share) & ~np.isnan(n) & (n > 0)
    x = np.where(valid, share * np.where(valid, n, 1.0), 0.0)
    n = np.where(valid, n, 1.0)
    has_events = x > 0
    has_non_events = x < n
    with np.errstate(all="ignore"):
        low = np.where(has_events, betaincinv(np.where(has_events, x, 1.0), n - x + 1, q_low), 0.0)
        high = np.where(has_non_events, betaincinv(x + 1, np.where(has_non_events, n - x, 1.0), q_high), 1.0)
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def percentile_interval(replicates: np.ndarray, q_low: float = 0.025, q_high: float = 0.975) -> tuple[float, float]:
    """(q_low, q_high) quantiles of the replicate values without NaN (linear interpolation between
    order statistics, Hyndman-Fan type 7); NaN when no replicate has a value."""
    values = np.asarray(replicates, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(values, [q_low, q_high], method="linear")
    return float(low), float(high)


def standard_error(replicates: np.ndarray) -> float:
    """Sample standard deviation (divisor m - 1) of the replicate values without NaN; NaN below 2."""
    values = np.asarray(replicates, dtype=np.float64)
    values = values[~np.isnan(values)]
    return float(np.std(values, ddof=1)) if values.size >= 2 else float("nan")


def is_skewed(value: float, ci_low: float, ci_high: float) -> bool:
    """A (percentile) interval that leaves out its point estimate."""
    if any(v is None or np.isnan(v) for v in (value, ci_low, ci_high)):
        return False
    return bool(value < ci_low or value > ci_high)


def _missing(value: float | None) -> bool:
    return value is None or bool(np.isnan(value))


def precision_decision(
    n: float | None,
    n_eff: float | None,
    value: float | None,
    ci_low: float | None,
    ci_high: float | None,
    rules: PrecisionRules = PrecisionRules(),
) -> str | None:
    """Spec section 5, the first rule that applies decides: SUPPRESSED, LOW_PRECISION or None.

    1. disclosure: n < 10 (or no value at all, n = 0) -> SUPPRESSED;
    2. NCHS, on the 0..100 scale of the value and its published interval, W = ci_high - ci_low:
       n_eff < 30 -> SUPPRESSED; W >= 30 -> SUPPRESSED; W > 5 and W / value > 1.30 (value > 0)
       -> SUPPRESSED; otherwise W >= 20 -> LOW_PRECISION.
    A cell without an interval cannot show its precision and is SUPPRESSED."""
    if _missing(n) or n < rules.suppress_n_below or _missing(value):
        return SUPPRESSED
    if _missing(n_eff) or n_eff < rules.n_eff_below:
        return SUPPRESSED
    if _missing(ci_low) or _missing(ci_high):
        return SUPPRESSED
    width = ci_high - ci_low
    if width >= rules.width_suppress_at:
        return SUPPRESSED
    if width > rules.relative_width_min and value > 0 and width / value > rules.relative_width_above:
        return SUPPRESSED
    if width >= rules.low_precision_width_at:
        return LOW_PRECISION
    return None


def cell_intervals(
    components: pd.DataFrame,
    replicates: pd.DataFrame,
    rules: PrecisionRules = PrecisionRules(),
    q_low: float = 0.025,
    q_high: float = 0.975,
) -> pd.DataFrame:
    """Per survey component cell of ``components`` (year, sector_code, component_id, raw_value, n,
    n_eff), from ``replicates`` (year, sector_code, component_id, replicate, raw_value): se, the
    published interval, its method, skewed and the precision decision."""
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


def _parameter(parameters: pd.DataFrame, name: str, method_version: str) -> str:
    rows = parameters[(parameters["method_version"] == method_version) & (parameters["parameter"] == name)]
    if len(rows) != 1:
        raise ValueError(
            f"seed method_parameters: expected one row {name!r} for method {method_version}, got {len(rows)}"
        )
    return str(rows["value"].iloc[0])


def precision_rules(parameters: pd.DataFrame, method_version: str) -> PrecisionRules:
    """The thresholds of spec section 5 from the seed method_parameters."""

    def value(name: str) -> float:
        return float(_parameter(parameters, name, method_version))

    return PrecisionRules(
        suppress_n_below=value("suppress_n_below"),
        n_eff_below=value("nchs_n_eff_below"),
        width_suppress_at=value("nchs_width_suppress_at"),
        relative_width_min=value("nchs_relative_width_min"),
        relative_width_above=value("nchs_relative_width_above"),
        low_precision_width_at=value("nchs_low_precision_width_at"),
    )


def model(dbt, session):
    method_version = str(dbt.config.meta_get("method_version"))
    parameters = dbt.ref("method_parameters").df()
    components = dbt.ref("int_survey_components").project("year, sector_code, component_id, raw_value, n, n_eff").df()
    replicates = dbt.ref("int_component_replicates").df()
    return cell_intervals(
        components,
        replicates,
        precision_rules(parameters, method_version),
        float(_parameter(parameters, "interval_low_quantile", method_version)),
        float(_parameter(parameters, "interval_high_quantile", method_version)),
    )
