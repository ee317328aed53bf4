"""Ranks and rank intervals (spec section 7).

Rank 1 = most burden among the sectors with an index in that year; ties share the smallest rank
(:func:`competition_ranks`). rank_p05 and rank_p95 are percentiles of the replicate ranks: a 90 %
rank interval (the seed parameters rank_low_quantile 0.05 and rank_high_quantile 0.95), and every
place a person reads ranks says so (:func:`rank_interval_label`). A percentile of integer ranks is
the smallest rank whose cumulative share of the draws reaches it (:func:`rank_percentile`). In the
sensitivity scenario S4 the rank is the rank of the sector's median index among the sectors' median
indices of the year (1.2), so that rank always follows index.
"""

from collections.abc import Sequence

import numpy as np

from method.parameters import MethodParameters, load_parameters


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Rank 1 = largest value; ties share the smallest rank; None (no index) gets no rank."""
    present = [v for v in values if v is not None and not np.isnan(v)]
    return [None if v is None or np.isnan(v) else 1 + sum(1 for other in present if other > v) for v in values]


def rank_percentile(ranks: Sequence[int], q: float) -> int:
    """The smallest rank r such that at least the share ``q`` of the draws rank r or better
    (the inverse of the empirical distribution function, Hyndman-Fan type 1)."""
    values = np.sort(np.asarray(ranks, dtype=np.int64))
    if values.size == 0:
        raise ValueError("no ranks")
    shares = np.arange(1, values.size + 1) / values.size
    return int(values[np.argmax(shares >= q - 1e-12)])


def rank_quantiles(params: MethodParameters) -> tuple[float, float]:
    return params.number("rank_low_quantile"), params.number("rank_high_quantile")


def rank_interval_level(params: MethodParameters | None = None) -> int:
    """The rank interval's level in per cent: 100 * (rank_high_quantile - rank_low_quantile) = 90."""
    low, high = rank_quantiles(params or load_parameters())
    return round(100 * (high - low))


def rank_interval_label(language: str = "en", params: MethodParameters | None = None, definite: bool = False) -> str:
    """'90 % rank interval' / '90 %-rangintervall' ('the ...': '90 %-rangintervallet' with ``definite``):
    the words every reader of ranks sees."""
    level = rank_interval_level(params)
    if language == "nb":
        return f"{level} %-rangintervall" + ("et" if definite else "")
    return ("the " if definite else "") + f"{level} % rank interval"


def rank_interval_explained(language: str = "en", params: MethodParameters | None = None) -> str:
    """One sentence on rank_p05-rank_p95 for glossaries and READMEs."""
    p = params or load_parameters()
    low, high = rank_quantiles(p)
    level = rank_interval_level(p)
    if language == "nb":
        return (
            f"rank_p05-rank_p95 er et {level} %-rangintervall: {100 * low:g}- og {100 * high:g}-persentilen "
            "av rangene i bootstrap-replikatene."
        )
    return (
        f"rank_p05-rank_p95 is a {level} % rank interval: the {100 * low:g}th and {100 * high:g}th percentiles "
        "of the ranks in the bootstrap replicates."
    )
