"""Rounding for published outputs (spec section 8).

Round half away from zero, acting on the shortest decimal representation that round-trips the
double (Python's ``repr``): 2.675 -> 2.68, 0.05 -> 0.1, -1.25 -> -1.3. Binary-float rounding
(``round()`` or a plain SQL ``round``) would give 2.67 for the first, which the spec forbids.
"""

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_away(value: float, decimals: int) -> Decimal:
    """``value`` rounded to ``decimals`` places, half away from zero, on its repr."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"cannot round {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"cannot publish a non-finite number: {value!r}")
    exponent = Decimal(1).scaleb(-decimals)
    # decimal's ROUND_HALF_UP rounds ties away from zero
    rounded = Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)
    return rounded + Decimal(0) if rounded == 0 else rounded  # no "-0.0"


def format_fixed(value: float | None, decimals: int) -> str:
    """Text of the rounded value with exactly ``decimals`` places; '' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{round_half_away(value, decimals):f}"


def format_plain(value: float | None) -> str:
    """A number as published by its source: shortest repr, without a trailing '.0'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
