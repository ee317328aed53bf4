"""Invented respondents drawn from the planner's assumptions (for sample exports and simulations).

Every record is a canonical survey record (methodology section 2) without survey_id and year:
sector_code, sex, hours_total, hours_doc, unnecessary, duplicate, autonomy_1..3, design_weight
(None). Answers follow the expected values of :mod:`kit.planner.assumptions`: C1 from a Beta
distributed share of the week, C2/C3 as shares of 4-5 answers, C4 from a Beta distributed
autonomy score per person. A respondent without a valid answer skips it or says "don't know" (8).
No real respondent is behind any of these records.
"""

import numpy as np
import pandas as pd

from kit.planner.assumptions import Assumptions, Expectation
from kit.questionnaire import DONT_KNOW

SEX_SHARES = {"F": 0.7, "M": 0.25, None: 0.05}


def _beta(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    mean = min(max(mean, 0.005), 0.995)
    var = min(sd**2, mean * (1 - mean) * 0.95)
    common = mean * (1 - mean) / var - 1
    return rng.beta(mean * common, (1 - mean) * common, size)


def _invalid(rng: np.random.Generator, size: int, valid: float) -> np.ndarray:
    """None (skipped) or 8 (don't know) for respondents without a valid answer, else 0."""
    missing = rng.random(size) >= valid
    dk = rng.random(size) < 0.5
    return np.where(missing, np.where(dk, DONT_KNOW, -1), 0)


def _scale(rng: np.random.Generator, size: int, e: Expectation) -> list[int | None]:
    high = rng.random(size) < e.value / 100
    answers = np.where(high, rng.integers(4, 6, size), rng.integers(1, 4, size))
    invalid = _invalid(rng, size, e.valid)
    return [None if i == -1 else int(DONT_KNOW if i else a) for a, i in zip(answers, invalid, strict=True)]


def draw_sector(rng: np.random.Generator, sector: str, n: int, expect: dict[str, Expectation]) -> pd.DataFrame:
    sexes = list(SEX_SHARES)
    sex = rng.choice(len(sexes), size=n, p=list(SEX_SHARES.values()))
    total = np.clip(np.round(rng.normal(37.5, 6, n) * 2) / 2, 5, 80)
    share = _beta(rng, expect["C1"].value / 100, (expect["C1"].sd or 10) / 100, n)
    doc = np.minimum(np.round(share * total, 1), total)
    hours_missing = rng.random(n) >= expect["C1"].valid
    autonomy = _beta(rng, 1 - expect["C4"].value / 100, (expect["C4"].sd or 20) / 100, n)
    items = np.clip(np.round(1 + 4 * autonomy[:, None] + rng.normal(0, 0.4, (n, 3))), 1, 5).astype(int)
    autonomy_invalid = _invalid(rng, n, expect["C4"].valid)
    records = {
        "sector_code": [sector] * n,
        "sex": [sexes[i] for i in sex],
        "hours_total": [None if m else float(t) for t, m in zip(total, hours_missing, strict=True)],
        "hours_doc": [None if m else float(d) for d, m in zip(doc, hours_missing, strict=True)],
        "unnecessary": _scale(rng, n, expect["C2"]),
        "duplicate": _scale(rng, n, expect["C3"]),
    }
    for k in range(3):
        records[f"autonomy_{k + 1}"] = [
            None if bad == -1 else int(DONT_KNOW if bad else v)
            for v, bad in zip(items[:, k], autonomy_invalid, strict=True)
        ]
    records["design_weight"] = [None] * n
    return pd.DataFrame(records)


def draw(assumptions: Assumptions, per_sector: dict[str, int], seed: int) -> pd.DataFrame:
    """Invented canonical records: ``per_sector[s]`` respondents in each sector s."""
    rng = np.random.default_rng(seed)
    frames = [draw_sector(rng, s, n, assumptions.for_sector(s)) for s, n in per_sector.items() if n > 0]
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "respondent_id", [str(31_000_000 + 7 * i) for i in range(len(out))])
    return out
