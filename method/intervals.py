"""The published 95 % interval of a survey component cell (spec section 7).

- C2 and C3 (proportions): the Korn-Graubard interval, a Clopper-Pearson interval on the effective
  sample size (:func:`korn_graubard`);
- C1 and C4: the percentiles of the bootstrap replicates (:func:`percentile_interval`), published as
  computed even when they leave out the point estimate (:func:`is_skewed`, flag SKEWED; the same on
  the index row);
- se: the standard deviation of the replicates, n - 1 in the denominator (:func:`standard_error`).

The quantiles (0.025, 0.975) are the seed parameters interval_low_quantile / interval_high_quantile
(:func:`interval_quantiles`).
"""

import numpy as np

from method.parameters import MethodParameters, load_parameters

KORN_GRAUBARD_COMPONENTS: tuple[str, ...] = ("C2", "C3")


def interval_quantiles(params: MethodParameters | None = None) -> tuple[float, float]:
    """(q_low, q_high) of the published interval (default: the method in force): 0.025 and 0.975."""
    p = params or load_parameters()
    return p.number("interval_low_quantile"), p.number("interval_high_quantile")


def _quantiles(q_low: float | None, q_high: float | None) -> tuple[float, float]:
    """The given quantiles, or those of the method in force where one is None."""
    if q_low is None or q_high is None:
        low, high = interval_quantiles()
        return (low if q_low is None else q_low), (high if q_high is None else q_high)
    return q_low, q_high


def interval_level(params: MethodParameters) -> int:
    """The published interval's level in per cent (95)."""
    low, high = interval_quantiles(params)
    return round(100 * (high - low))


def korn_graubard(
    share: np.ndarray, n_eff: np.ndarray, q_low: float | None = None, q_high: float | None = None
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

    q_low, q_high = _quantiles(q_low, q_high)
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


def korn_graubard_percent(
    value: float, n_eff: float, q_low: float | None = None, q_high: float | None = None
) -> tuple[float, float]:
    """:func:`korn_graubard` of one share given in per cent (0..100), bounds in per cent."""
    if not n_eff > 0:
        raise ValueError("the Korn-Graubard interval needs n_eff > 0")
    low, high = korn_graubard(np.array([value / 100]), np.array([n_eff]), q_low, q_high)
    return 100 * float(low[0]), 100 * float(high[0])


def korn_graubard_widths(
    values: np.ndarray, n_eff: float, q_low: float | None = None, q_high: float | None = None
) -> np.ndarray:
    """Widths W (per cent) of the Korn-Graubard intervals of many shares ``values`` (per cent) at one ``n_eff``."""
    values = np.asarray(values, dtype=np.float64)
    low, high = korn_graubard(values / 100, np.full(values.shape, float(n_eff)), q_low, q_high)
    return 100 * (high - low)


def percentile_interval(
    replicates: np.ndarray, q_low: float | None = None, q_high: float | None = None
) -> tuple[float, float]:
    """(q_low, q_high) quantiles of the replicate values without NaN (linear interpolation between
    order statistics, Hyndman-Fan type 7, NumPy's default and the SQL macro quantile_linear); NaN
    when no replicate has a value."""
    q_low, q_high = _quantiles(q_low, q_high)
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


def is_skewed(value: float | None, ci_low: float | None, ci_high: float | None) -> bool:
    """A percentile interval that leaves out its point estimate (flag SKEWED, published as computed)."""
    if any(v is None or np.isnan(v) for v in (value, ci_low, ci_high)):
        return False
    return bool(value < ci_low or value > ci_high)
