"""Disclosure control and precision of a survey component cell (spec section 5, method 1.2).

The first rule that applies decides, on the unrounded value and bounds (0..100 scale), with
W = ci_high - ci_low the width of the published 95 % interval:

1. disclosure: n < suppress_n_below (10) -> SUPPRESSED;
2. NCHS: n_eff < nchs_n_eff_below (30) -> SUPPRESSED; W >= nchs_width_suppress_at (30) ->
   SUPPRESSED; W > nchs_relative_width_min (5) and W / min(value, 100 - value) >
   nchs_relative_width_above (1.30) -> SUPPRESSED (the ratio is infinite when the minimum is 0, so
   a 5 % share and a 95 % share are decided alike); otherwise W >= nchs_low_precision_width_at
   (20) -> LOW_PRECISION.

A cell without a value or without an interval cannot show its precision and is SUPPRESSED. Every
threshold is a row of the seed method_parameters (:class:`PrecisionRules` reads them); nothing else
in the project writes one.
"""

import math
from dataclasses import dataclass

from method.parameters import MethodParameters, load_parameters

SUPPRESSED = "SUPPRESSED"
LOW_PRECISION = "LOW_PRECISION"
PUBLISHED = "published"


@dataclass(frozen=True)
class PrecisionRules:
    """The thresholds of spec section 5 for one method version (seed method_parameters)."""

    suppress_n_below: float
    n_eff_below: float
    width_suppress_at: float
    relative_width_min: float
    relative_width_above: float
    low_precision_width_at: float

    @classmethod
    def from_parameters(cls, params: MethodParameters) -> "PrecisionRules":
        return cls(
            suppress_n_below=params.number("suppress_n_below"),
            n_eff_below=params.number("nchs_n_eff_below"),
            width_suppress_at=params.number("nchs_width_suppress_at"),
            relative_width_min=params.number("nchs_relative_width_min"),
            relative_width_above=params.number("nchs_relative_width_above"),
            low_precision_width_at=params.number("nchs_low_precision_width_at"),
        )


_in_force: list = []  # [parameters, their rules]: the rules of the last parameters asked for


def rules_in_force() -> PrecisionRules:
    """The rules of the method version in force (dbt var method_version), built once per set of
    parameters (``load_parameters`` hands out one object per version and seeds folder)."""
    params = load_parameters()
    if not _in_force or _in_force[0] is not params:
        _in_force[:] = [params, PrecisionRules.from_parameters(params)]
    return _in_force[1]


@dataclass(frozen=True)
class Decision:
    status: str  # published | LOW_PRECISION | SUPPRESSED
    reason: str  # the rule that decided, for people

    @property
    def publishes(self) -> bool:
        return self.status != SUPPRESSED

    @property
    def flag(self) -> str | None:
        """The flag a published row carries: SUPPRESSED, LOW_PRECISION or None."""
        return None if self.status == PUBLISHED else self.status


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def relative_width(width: float, value: float) -> float:
    """W / min(value, 100 - value); infinite when the minimum is 0 (or below, which no share is)."""
    smaller = min(value, 100.0 - value)
    return math.inf if smaller <= 0 else width / smaller


def decide(
    n: float | None,
    n_eff: float | None,
    value: float | None,
    ci_low: float | None,
    ci_high: float | None,
    rules: PrecisionRules | None = None,
) -> Decision:
    """Spec section 5 for one cell, with the rule that decided in words."""
    r = rules or rules_in_force()
    if _missing(n) or n < r.suppress_n_below:
        return Decision(SUPPRESSED, f"n = {n} < {r.suppress_n_below:g} (disclosure)")
    if _missing(value):
        return Decision(SUPPRESSED, "no value")
    if _missing(n_eff) or n_eff < r.n_eff_below:
        return Decision(SUPPRESSED, f"n_eff = {n_eff} < {r.n_eff_below:g}")
    if _missing(ci_low) or _missing(ci_high):
        return Decision(SUPPRESSED, "no interval")
    width = ci_high - ci_low
    if width >= r.width_suppress_at:
        return Decision(SUPPRESSED, f"W = {width:.2f} >= {r.width_suppress_at:g}")
    ratio = relative_width(width, value)
    if width > r.relative_width_min and ratio > r.relative_width_above:
        rule = f"W / min(value, 100 - value) = {ratio:.2f} > {r.relative_width_above:g}"
        return Decision(SUPPRESSED, f"{rule} (W > {r.relative_width_min:g})")
    if width >= r.low_precision_width_at:
        return Decision(LOW_PRECISION, f"W = {width:.2f} >= {r.low_precision_width_at:g}")
    return Decision(PUBLISHED, "all rules pass")


def precision_decision(
    n: float | None,
    n_eff: float | None,
    value: float | None,
    ci_low: float | None,
    ci_high: float | None,
    rules: PrecisionRules | None = None,
) -> str | None:
    """:func:`decide` as the flag it gives a row: SUPPRESSED, LOW_PRECISION or None."""
    return decide(n, n_eff, value, ci_low, ci_high, rules).flag


def publishes(
    n: float, n_eff: float, value: float, width: float, clean: bool = False, rules: PrecisionRules | None = None
) -> bool:
    """True when a cell with interval width ``width`` is published (``clean``: also without LOW_PRECISION)."""
    status = decide(n, n_eff, value, 0.0, width, rules).status
    return status == PUBLISHED if clean else status != SUPPRESSED


def describe(rules: PrecisionRules | None = None, version: str | None = None) -> str:
    """The rules in one line for people (the planner's tables, help texts): thresholds from the seed."""
    r = rules or rules_in_force()
    prefix = f"method {version}: " if version else ""
    return (
        f"{prefix}n >= {r.suppress_n_below:g}, n_eff >= {r.n_eff_below:g}, W < {r.width_suppress_at:g}, "
        f"not (W > {r.relative_width_min:g} and W / min(value, 100 - value) > {r.relative_width_above:g}); "
        f"W >= {r.low_precision_width_at:g} LOW_PRECISION"
    )
