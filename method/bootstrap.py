"""Rao-Wu rescaled bootstrap replicate weights (spec section 7, method 1.2).

Strata are the sectors within a survey (survey_id x sector_code x year). In each replicate, a
stratum of n_h respondents draws n_h - 1 of them with replacement; respondent i, drawn r_i times,
gets the replicate weight w'_i * r_i * n_h / (n_h - 1) (Rao and Wu 1988). A stratum with n_h = 1
keeps w' in every replicate. Drawing n_h - 1 instead of n_h removes the factor (n_h - 1) / n_h
by which the naive bootstrap understates the variance (y = (0, 100): 2500 = s^2 / n, not 1250).

Determinism, exactly (so that an independent implementation reproduces every replicate):

- respondents of a stratum are put in order by ``respondent_order`` (ascending integers, the rank
  of the survey tool's respondent id as text) when that column is present, ties and a missing
  column by ``respondent_id`` compared as text (Python string order, i.e. by code point);
- the stratum's stream is NumPy's ``Generator(PCG64(SeedSequence([seed, e])))`` with ``seed`` the
  seed parameter bootstrap_seed and ``e`` the first 16 bytes, read big-endian as an integer, of
  SHA-256 of ``survey_id + "\\x1f" + sector_code + "\\x1f" + str(year)`` (UTF-8);
- replicate b = 1, 2, ..., B takes the next n_h - 1 values of ``Generator.integers(0, n_h)``
  (int64) from that stream, in replicate order (drawing a (rows, n_h - 1) block at once gives the
  same numbers in row-major order); r_i is how often the value i - 1 (0-based position in the order
  above) was drawn. A stratum with n_h = 1 consumes nothing.

So the replicates depend neither on the order of the rows nor on the other strata, and the first B'
replicates of a run with B > B' are the replicates of a run with B'.
"""

import hashlib

import numpy as np
import pandas as pd

from method.parameters import MethodParameters

# respondents x replicates drawn at once: bounds memory and keeps the counts @ terms product large
CHUNK_ELEMENTS = 1 << 21


def replicates_and_seed(params: MethodParameters, override: object = None) -> tuple[int, int]:
    """(B, seed): B from ``override`` (the dbt var / env RBI_BOOTSTRAP_REPLICATES) when set, else
    the parameter bootstrap_replicates; the seed is bootstrap_seed."""
    text = str(override).strip() if override is not None else ""
    count = int(text) if text else params.integer("bootstrap_replicates")
    if count < 1:
        raise ValueError(f"bootstrap_replicates must be >= 1, got {count}")
    return count, params.integer("bootstrap_seed")


def stratum_entropy(survey_id: str, sector_code: str, year: int) -> int:
    """A stable 128-bit integer from the stratum key (Python's hash() is salted per process)."""
    text = "\x1f".join((str(survey_id), str(sector_code), str(int(year))))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def stratum_generator(seed: int, survey_id: str, sector_code: str, year: int) -> np.random.Generator:
    """The random stream of one stratum: depends only on the seed and the stratum key."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([int(seed), stratum_entropy(survey_id, sector_code, year)]))
    )


def stratum_order(stratum: pd.DataFrame) -> np.ndarray:
    """Positions that put a stratum's respondents in bootstrap order: ``respondent_order`` when the
    column is present, then ``respondent_id`` as text."""
    ids = stratum["respondent_id"].to_numpy(dtype=object).astype(str)
    if "respondent_order" in stratum.columns:
        ranks = pd.to_numeric(stratum["respondent_order"], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isnan(ranks).any():
            return np.lexsort((ids, ranks))
    return np.argsort(ids, kind="stable")


def rescale_factor(n_h: int) -> float:
    """n_h / (n_h - 1): the Rao-Wu factor applied to a draw count (1 for n_h = 1, which keeps w')."""
    return 1.0 if n_h <= 1 else n_h / (n_h - 1)


def draw_counts(rng: np.random.Generator, n_h: int, replicates: int) -> np.ndarray:
    """(replicates, n_h) draw counts r_i of the Rao-Wu bootstrap (n_h - 1 draws per replicate);
    all ones without consuming the stream when n_h = 1."""
    if n_h <= 1:
        return np.ones((replicates, n_h), dtype=np.float64)
    draws = rng.integers(0, n_h, size=(replicates, n_h - 1))
    counts = np.empty((replicates, n_h), dtype=np.float64)
    for j in range(replicates):
        counts[j] = np.bincount(draws[j], minlength=n_h)
    return counts


def replicate_weights(weights: np.ndarray, rng: np.random.Generator, replicates: int) -> np.ndarray:
    """(replicates, n_h) Rao-Wu replicate weights w'_i * r_i * n_h / (n_h - 1) of one stratum whose
    respondents (in bootstrap order) have the pooled weights ``weights``."""
    w = np.asarray(weights, dtype=np.float64)
    return draw_counts(rng, w.size, replicates) * rescale_factor(w.size) * w[None, :]


def resample_sums(terms: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """(replicates, k): per replicate, sum_i r_i * n_h / (n_h - 1) * terms_i over one stratum whose
    rows ``terms`` (in bootstrap order) already carry the weight w' (a numerator or denominator
    term of a component). Computed in chunks of replicates (counts @ terms, a BLAS product) to bound
    memory; the stream is consumed replicate by replicate, so the chunk size changes nothing."""
    n = terms.shape[0]
    out = np.zeros((replicates, terms.shape[1]), dtype=np.float64)
    if n == 0 or replicates == 0:
        return out
    if n == 1:
        out[:] = terms[0]
        return out
    factor = rescale_factor(n)
    chunk = max(1, min(replicates, CHUNK_ELEMENTS // n))
    counts = np.empty((chunk, n), dtype=np.float64)
    for start in range(0, replicates, chunk):
        rows = min(chunk, replicates - start)
        draws = rng.integers(0, n, size=(rows, n - 1))
        for j in range(rows):
            counts[j] = np.bincount(draws[j], minlength=n)
        out[start : start + rows] = counts[:rows] @ terms
    out *= factor
    return out
