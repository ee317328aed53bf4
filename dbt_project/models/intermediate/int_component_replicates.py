"""Stratified bootstrap replicates of the survey components C1-C4 (spec section 7, method 1.2).

One row per (year, sector_code, component_id, replicate): the component's raw value recomputed on
replicate ``replicate`` (1..B). Strata are the sectors within a survey (survey_id x sector_code x
year); the replicates are Rao and Wu's rescaled bootstrap (``method.bootstrap``): each replicate
draws n_h - 1 of the n_h respondents of every stratum with replacement and gives respondent i the
weight w'_i * r_i * n_h / (n_h - 1) (a stratum of one keeps w'). Weights are never recomputed
(spec section 3); the ratios of spec section 4 are recomputed with the replicate weights, pooled
over the strata of the cell (several surveys of one year form one sector x year cell, as in
int_survey_components).

Determinism (stated exactly in ``method/bootstrap.py``): stratum h draws from its own NumPy PCG64
stream seeded with SeedSequence([seed, sha256(survey_id, sector_code, year)]), respondents in the
order of ``respondent_order`` (falling back to respondent_id when the column is absent), so the
published bounds depend on neither the order of the rows, nor the other strata, nor the
installation's pseudonym secret. A replicate in which no valid respondent of a component is drawn
has no value (NULL) and is left out downstream.

The arithmetic is in plain top-level functions (no dbt, no DuckDB) so that tests/method and
benchmarks/method_bootstrap.py import them from this file.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from method import parameters_from_frame
from method.bootstrap import replicates_and_seed, resample_sums, stratum_generator, stratum_order

SURVEY_COMPONENTS: tuple[str, ...] = ("C1", "C2", "C3", "C4")
STRATUM_KEY: tuple[str, ...] = ("survey_id", "sector_code", "year")
RESPONDENT_COLUMNS: tuple[str, ...] = (
    "survey_id",
    "respondent_id",
    "year",
    "sector_code",
    "weight",
    "hours_total",
    "hours_doc",
    "unnecessary",
    "duplicate",
    "autonomy_1",
    "autonomy_2",
    "autonomy_3",
)
# the order of respondents within a stratum (method.bootstrap.stratum_order); absent in older records
ORDER_COLUMN = "respondent_order"
NAME_COLUMNS: tuple[str, ...] = ("survey_id", "respondent_id", "sector_code", "year")


def component_terms(frame: pd.DataFrame) -> np.ndarray:
    """Per respondent, the numerator and denominator terms of C1..C4: an (n, 8) float64 matrix
    with columns C1 num, C1 den, C2 num, C2 den, ..., C4 den (0 where the respondent is not valid
    for the component). Missing answers are NaN; codes outside 1..5 (8 = don't know) are invalid.

    C1: w*hours_doc / w*hours_total (both given); C2, C3: w*[answer >= 4] / w (answer 1..5);
    C4: w*p / w with p = 100*(mean of the valid items - 1)/4 (at least 2 of 3 items 1..5);
    the value of C4 is 100 - num/den (values_from_sums)."""
    w = frame["weight"].to_numpy(dtype=np.float64)
    terms = np.zeros((len(frame), 8), dtype=np.float64)

    total = frame["hours_total"].to_numpy(dtype=np.float64)
    doc = frame["hours_doc"].to_numpy(dtype=np.float64)
    valid = ~np.isnan(total) & ~np.isnan(doc)
    terms[:, 0] = np.where(valid, w * np.where(valid, doc, 0.0), 0.0)
    terms[:, 1] = np.where(valid, w * np.where(valid, total, 0.0), 0.0)

    for column, offset in (("unnecessary", 2), ("duplicate", 4)):
        answer = frame[column].to_numpy(dtype=np.float64)
        valid = (answer >= 1) & (answer <= 5)
        terms[:, offset] = np.where(valid & (answer >= 4), w, 0.0)
        terms[:, offset + 1] = np.where(valid, w, 0.0)

    items = np.column_stack([frame[f"autonomy_{k}"].to_numpy(dtype=np.float64) for k in (1, 2, 3)])
    item_valid = (items >= 1) & (items <= 5)
    n_items = item_valid.sum(axis=1)
    item_sum = np.where(item_valid, items, 0.0).sum(axis=1)
    valid = n_items >= 2
    p = 100 * (item_sum / np.maximum(n_items, 1) - 1) / 4
    terms[:, 6] = np.where(valid, w * p, 0.0)
    terms[:, 7] = np.where(valid, w, 0.0)
    return terms


def values_from_sums(sums: np.ndarray) -> np.ndarray:
    """(..., 8) summed terms -> (..., 4) values of C1..C4; NaN where a denominator is 0."""
    num = sums[..., 0::2]
    den = sums[..., 1::2]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    values = 100 * ratio
    values[..., 3] = 100 - ratio[..., 3]
    return values


def bootstrap_cells(
    frame: pd.DataFrame, replicates: int, seed: int, workers: int | None = None
) -> dict[tuple[int, str], np.ndarray]:
    """(year, sector_code) -> (replicates, 4) replicate values of C1..C4 (NaN: no valid draw).

    ``frame`` has the columns RESPONDENT_COLUMNS (int_respondent_weights), NaN for NULL answers,
    and respondent_order when the records carry it.
    Strata run in a thread pool (NumPy's generator and BLAS release the GIL); every stratum has its
    own stream and the sums of a cell are added in stratum order, so the result does not depend on
    ``workers``."""
    strata: list[tuple[tuple[int, str], np.ndarray, np.random.Generator]] = []
    for (survey_id, sector_code, year), stratum in frame.groupby(list(STRATUM_KEY), sort=True):
        # a fixed order within the stratum: results do not depend on the order of the rows
        terms = component_terms(stratum.iloc[stratum_order(stratum)])
        rng = stratum_generator(seed, survey_id, sector_code, year)
        strata.append(((int(year), str(sector_code)), terms, rng))
    return _resample_strata(strata, replicates, workers)


def ordered_sql(relation: str, has_order: bool) -> str:
    """The respondents of ``relation`` (int_respondent_weights), numeric columns only, in the order
    ``bootstrap_in_order`` reads: strata by (survey_id, sector_code, year) as ``groupby(sort=True)``
    puts them, and within a stratum the order of ``method.bootstrap.stratum_order``
    (respondent_order, then respondent_id as text, when every respondent of the stratum has a
    respondent_order; else respondent_id as text). DuckDB compares VARCHAR byte by byte in UTF-8,
    which is Python's code-point order; a NULL id sorts as Python's str(None). Rows with a NULL key
    are left out, as groupby does."""
    if has_order:
        rank = f"try_cast({ORDER_COLUMN} as double)"
        complete = f"count({rank}) over stratum = count(*) over stratum"
    else:
        rank, complete = "null::double", "false"
    numeric = ", ".join(f"cast({c} as double) as {c}" for c in RESPONDENT_COLUMNS if c not in NAME_COLUMNS)
    keys = ", ".join(STRATUM_KEY)
    return (
        f"with respondents as (select *, {complete} as in_order, {rank} as bootstrap_rank from {relation} "
        f"where {' and '.join(f'{k} is not null' for k in STRATUM_KEY)} "
        + (f"window stratum as (partition by {keys})" if has_order else "")
        + f") select {numeric} from respondents order by {keys}, "
        "case when in_order then bootstrap_rank end, coalesce(cast(respondent_id as varchar), 'None')"
    )


def strata_sql(relation: str) -> str:
    """(survey_id, sector_code, year, n_h) of every stratum of ``relation``, in ``ordered_sql``'s order."""
    keys = ", ".join(STRATUM_KEY)
    return (
        f"select {keys}, count(*) as n_h from {relation} "
        f"where {' and '.join(f'{k} is not null' for k in STRATUM_KEY)} group by {keys} order by {keys}"
    )


def bootstrap_in_order(
    frame: pd.DataFrame, strata: list[tuple], replicates: int, seed: int, workers: int | None = None
) -> dict[tuple[int, str], np.ndarray]:
    """``bootstrap_cells`` for respondents already in bootstrap order (``ordered_sql``): ``strata``
    lists (survey_id, sector_code, year, n_h) in that order (``strata_sql``), and the stratum's
    respondents are the next n_h rows of ``frame`` (which needs no id or key column). The same
    replicates as ``bootstrap_cells``, bit for bit, without sorting or copying the respondents in
    Python: each stratum's terms are a slice of one (n, 8) matrix."""
    terms = component_terms(frame)
    if sum(int(s[3]) for s in strata) != len(terms):
        raise ValueError(f"the strata count {sum(int(s[3]) for s in strata)} respondents, the frame has {len(terms)}")
    ordered: list[tuple[tuple[int, str], np.ndarray, np.random.Generator]] = []
    start = 0
    for survey_id, sector_code, year, n_h in strata:
        rng = stratum_generator(seed, survey_id, sector_code, year)
        ordered.append(((int(year), str(sector_code)), terms[start : start + int(n_h)], rng))
        start += int(n_h)
    return _resample_strata(ordered, replicates, workers)


def _resample_strata(
    strata: list[tuple[tuple[int, str], np.ndarray, np.random.Generator]], replicates: int, workers: int | None
) -> dict[tuple[int, str], np.ndarray]:
    """Replicate values per cell from the strata (cell, terms in bootstrap order, stream) in key order."""
    if workers is None:
        workers = min(len(strata), os.cpu_count() or 1, 4)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda s: resample_sums(s[1], replicates, s[2]), strata))
    else:
        results = [resample_sums(terms, replicates, rng) for _, terms, rng in strata]
    sums: dict[tuple[int, str], np.ndarray] = {}
    for (cell, _, _), stratum_sums in zip(strata, results, strict=True):
        sums[cell] = stratum_sums if cell not in sums else sums[cell] + stratum_sums
    return {cell: values_from_sums(cell_sums) for cell, cell_sums in sums.items()}


def point_values(frame: pd.DataFrame) -> dict[tuple[int, str], np.ndarray]:
    """(year, sector_code) -> (4,) point estimates of C1..C4 (the same formulas without
    resampling; the published point estimates come from int_survey_components)."""
    out: dict[tuple[int, str], np.ndarray] = {}
    for (year, sector_code), cell in frame.groupby(["year", "sector_code"], sort=True):
        out[(int(year), str(sector_code))] = values_from_sums(component_terms(cell).sum(axis=0))
    return out


def replicates_table(cells: dict[tuple[int, str], np.ndarray]) -> pd.DataFrame:
    """Long table year, sector_code, component_id, replicate (1..B), raw_value (NULL for NaN).

    A pandas frame with a nullable Float64 column: DuckDB reads it without importing
    pyarrow.dataset (which costs ~0.3 s per dbt run)."""
    years: list[np.ndarray] = [np.empty(0, dtype=np.int32)]
    sectors: list[np.ndarray] = [np.empty(0, dtype=object)]
    components: list[np.ndarray] = [np.empty(0, dtype=object)]
    numbers: list[np.ndarray] = [np.empty(0, dtype=np.int32)]
    values: list[np.ndarray] = [np.empty(0, dtype=np.float64)]
    for (year, sector_code), cell_values in sorted(cells.items()):
        b, k = cell_values.shape
        years.append(np.full(b * k, year, dtype=np.int32))
        sectors.append(np.full(b * k, sector_code, dtype=object))
        components.append(np.tile(np.array(SURVEY_COMPONENTS[:k], dtype=object), b))
        numbers.append(np.repeat(np.arange(1, b + 1, dtype=np.int32), k))
        values.append(cell_values.reshape(-1))
    value = np.concatenate(values)
    return pd.DataFrame(
        {
            "year": np.concatenate(years),
            # a string dtype: DuckDB types the columns VARCHAR even when the frame is empty
            "sector_code": pd.array(np.concatenate(sectors), dtype="string"),
            "component_id": pd.array(np.concatenate(components), dtype="string"),
            "replicate": np.concatenate(numbers),
            "raw_value": pd.arrays.FloatingArray(value, np.isnan(value)),
        }
    )


def replicate_count(override: object, parameters: pd.DataFrame, method_version: str) -> int:
    """B: the dbt var / env override when set (tests), else the seed row bootstrap_replicates."""
    return replicates_and_seed(parameters_from_frame(parameters, method_version), override)[0]


def model(dbt, session):
    params = parameters_from_frame(dbt.ref("method_parameters").df(), str(dbt.config.meta_get("method_version")))
    replicates, seed = replicates_and_seed(params, dbt.config.meta_get("bootstrap_replicates"))
    source = dbt.ref("int_respondent_weights")
    # DuckDB sorts the respondents into bootstrap order and hands over their numbers only: no id or
    # key string reaches pandas, and no stratum is copied (bootstrap_in_order)
    ordered = source.query("respondents", ordered_sql("respondents", ORDER_COLUMN in source.columns)).df()
    strata = source.query("respondents", strata_sql("respondents")).fetchall()
    return replicates_table(bootstrap_in_order(ordered, strata, replicates, seed))
