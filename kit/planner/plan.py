"""How many respondents a sector needs for its survey component cells to be published.

For one component with expected value v, between-respondent sd (C1, C4), design effect deff and
n valid respondents (n_eff = n / deff), the planner computes the probability that the cell passes
every rule of method 1.2 section 5 (``kit.rules``) when the estimate varies as a sample of that
size makes it vary:

- C2, C3 (shares, Korn-Graubard): the estimate is x / m with x ~ Binomial(m, v) and m = n_eff
  rounded; each possible estimate gets its Korn-Graubard width at n_eff;
- C1, C4 (bootstrap percentile intervals): the width is about 2 x 1.96 x sd / sqrt(n_eff), the
  estimate Normal(v, sd / sqrt(n_eff)).

The number of valid answers among N respondents is itself random (Binomial(N, valid share)), so the
need in respondents is the smallest N whose probability of publication, summed over that
distribution, reaches the assurance (default 0.9); the sector needs the largest of its four
components. (``valid`` reports the smallest fixed number of valid answers that would do.)
``clean`` asks for publication without the LOW_PRECISION flag (W < 20).

The plan keeps a margin: a planned cell's width must be below the limit by ``WIDTH_MARGIN``
percentage points (W < 29 for the rule W < 30; W < 19 for the flag's W < 20), so that the
pipeline's own interval (bootstrap, pooled weights) a few tenths wider still publishes. The
probabilities without the margin (``margin=0``) are the rule's exact inequalities.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import binom, norm

from kit import rules
from kit.estimators import COMPONENTS
from kit.planner.assumptions import Assumptions, Expectation
from method.intervals import interval_quantiles

Z = float(norm.ppf(interval_quantiles()[1]))  # the method's 95 % interval (seed interval_high_quantile)
MAX_N = 1_000_000
GRID = 400  # quantiles of the estimate's distribution for C1/C4
WIDTH_MARGIN = 1.0  # percentage points a planned width stays inside the limits W < 30 (W < 20 without the flag)


def bootstrap_width(sd: float, n_eff: float) -> float:
    """Approximate width of a 95 % bootstrap percentile interval of a mean-like estimate."""
    return 2 * Z * sd / math.sqrt(n_eff)


def _publishes(n: int, n_eff: float, value: float, width: float, clean: bool, margin: float) -> bool:
    """The rules of section 5, and the width at least ``margin`` inside its absolute limit."""
    limit = rules.LOW_PRECISION_WIDTH if clean else rules.MAX_WIDTH
    return rules.publishes(n, n_eff, value, width, clean) and width < limit - margin


@lru_cache(maxsize=100_000)
def publish_probability(
    component: str, e: Expectation, n: int, deff: float, clean: bool = False, margin: float = 0.0
) -> float:
    """Probability that the cell of ``component`` is published with ``n`` valid respondents
    (``margin``: with its width that far inside the limit)."""
    n_eff = n / deff
    if n < rules.MIN_N or n_eff < rules.MIN_N_EFF:
        return 0.0
    if component in rules.PROPORTIONS:
        m, p = max(1, round(n_eff)), e.value / 100
        lo, hi = int(binom.ppf(1e-7, m, p)), int(binom.isf(1e-7, m, p))
        x = np.arange(max(0, lo - 1), min(m, hi + 1) + 1)
        estimates = 100 * x / m
        widths = rules.korn_graubard_widths(estimates, n_eff)
        ok = np.array([_publishes(n, n_eff, v, w, clean, margin) for v, w in zip(estimates, widths, strict=True)])
        return float(binom.pmf(x, m, p)[ok].sum())
    width = bootstrap_width(e.sd or 0.0, n_eff)
    se = (e.sd or 0.0) / math.sqrt(n_eff)
    # the normal approximation can go below 0; a real estimate there is near 0, where W / value is large
    estimates = np.clip(e.value + se * norm.ppf((np.arange(GRID) + 0.5) / GRID), 1e-9, 100)
    return float(np.mean([_publishes(n, n_eff, v, width, clean, margin) for v in estimates]))


def respondent_probability(
    component: str, e: Expectation, respondents: int, deff: float, clean: bool = False, margin: float = 0.0
) -> float:
    """Probability that the cell is published when ``respondents`` answer the survey, each giving a
    valid answer with probability ``e.valid``."""
    if e.valid >= 1:
        return publish_probability(component, e, respondents, deff, clean, margin)
    # scipy's functions called directly, not through a frozen distribution (whose construction
    # builds its docstrings), and the probabilities of all valid counts in one call
    lo, hi = int(binom.ppf(1e-6, respondents, e.valid)), int(binom.isf(1e-6, respondents, e.valid))
    valid = np.arange(max(rules.MIN_N, lo - 1), min(respondents, hi + 1) + 1)
    pmf = binom.pmf(valid, respondents, e.valid)
    return float(
        sum(p * publish_probability(component, e, int(k), deff, clean, margin) for p, k in zip(pmf, valid, strict=True))
    )


def _smallest(enough, lo: int) -> int | None:
    """Smallest n >= lo with enough(n), by doubling then bisection (None: above MAX_N)."""
    if enough(lo):
        return lo
    hi = lo * 2
    while not enough(hi):
        lo, hi = hi, hi * 2
        if hi > MAX_N:
            return None
    while hi - lo > 1:  # enough(hi), not enough(lo)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return hi


def required_valid(
    component: str, e: Expectation, deff: float, assurance: float, clean: bool = False, margin: float = 0.0
) -> int | None:
    """Smallest fixed number of valid answers with publish probability >= assurance (None: unreachable)."""
    lo = max(rules.MIN_N, math.ceil(rules.MIN_N_EFF * deff - 1e-9))
    return _smallest(lambda n: publish_probability(component, e, n, deff, clean, margin) >= assurance, lo)


def required_respondents(
    component: str, e: Expectation, deff: float, assurance: float, clean: bool = False, margin: float = 0.0
) -> int | None:
    """Smallest number of respondents with publish probability >= assurance (None: unreachable)."""
    valid = required_valid(component, e, deff, assurance, clean, margin)
    if valid is None:
        return None
    lo = math.ceil(valid / e.valid - 1e-9)
    return _smallest(lambda n: respondent_probability(component, e, n, deff, clean, margin) >= assurance, lo)


@dataclass(frozen=True)
class ComponentNeed:
    component: str
    valid: int | None  # valid respondents needed
    respondents: int | None  # respondents needed (valid / valid share)
    clean_respondents: int | None  # ... for publication without LOW_PRECISION
    expected_width: float | None  # W at the planned size


def component_need(
    component: str, e: Expectation, deff: float, assurance: float, margin: float = WIDTH_MARGIN
) -> ComponentNeed:
    valid = required_valid(component, e, deff, assurance, margin=margin)
    width = None
    if valid is not None:
        n_eff = valid / deff
        width = (
            rules.korn_graubard_widths(np.array([e.value]), n_eff)[0]
            if component in rules.PROPORTIONS
            else bootstrap_width(e.sd or 0.0, n_eff)
        )
    return ComponentNeed(
        component,
        valid,
        required_respondents(component, e, deff, assurance, margin=margin),
        required_respondents(component, e, deff, assurance, clean=True, margin=margin),
        None if width is None else float(width),
    )


@dataclass(frozen=True)
class SectorPlan:
    sector: str
    components: list[ComponentNeed]
    population: float | None
    response_rate: float | None

    @property
    def respondents(self) -> int | None:
        needs = [c.respondents for c in self.components]
        return None if any(n is None for n in needs) else max(needs)

    @property
    def clean_respondents(self) -> int | None:
        needs = [c.clean_respondents for c in self.components]
        return None if any(n is None for n in needs) else max(needs)

    def _invite(self, respondents: int | None) -> int | None:
        if respondents is None or not self.response_rate:
            return None
        return math.ceil(respondents / self.response_rate - 1e-9)

    @property
    def invitations(self) -> int | None:
        """Whom to invite for every cell to publish (some perhaps with LOW_PRECISION)."""
        return self._invite(self.respondents)

    @property
    def clean_invitations(self) -> int | None:
        """Whom to invite for every cell to publish without LOW_PRECISION."""
        return self._invite(self.clean_respondents)

    @property
    def expected_respondents(self) -> float | None:
        if self.population is None or not self.response_rate:
            return None
        return self.population * self.response_rate

    @property
    def required_rate(self) -> float | None:
        if self.population is None or self.respondents is None:
            return None
        return self.respondents / self.population

    @property
    def verdict(self) -> str:
        need = self.respondents
        if need is None:
            return "not reachable: some expected value needs more than a million respondents"
        if self.population is not None and need > self.population:
            return f"not reachable: needs {need} respondents, the sector has {self.population:,.0f} employees"
        expected = self.expected_respondents
        if expected is None:
            if self.population is None:
                return (
                    "ok" if not self.response_rate else "ok if the sector has enough employees (population not given)"
                )
            return f"needs a response rate of {100 * need / self.population:.1f} %"
        if expected >= need:
            return "ok"
        return f"short by {math.ceil(need - expected)} respondents at this response rate"


def plan_sector(
    sector: str, assumptions: Assumptions, population: float | None = None, response_rate: float | None = None
) -> SectorPlan:
    expect = assumptions.for_sector(sector)
    needs = [component_need(c, expect[c], assumptions.deff, assumptions.assurance) for c in COMPONENTS]
    return SectorPlan(sector, needs, population, response_rate)
