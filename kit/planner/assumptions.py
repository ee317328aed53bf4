"""What the planner assumes about a sector's answers, per survey component.

value: the expected raw value on the component's 0..100 scale (C1 % of hours, C2/C3 % agreeing or
often, C4 autonomy deficit); sd: for C1 and C4, the standard deviation between respondents on that
scale (it sets the bootstrap interval width, about 2 x 1.96 x sd / sqrt(n_eff)); valid: the share of
respondents expected to give a valid answer (not skipped, not "don't know").

Defaults are deliberately cautious: shares near 50 % need the most respondents for a given
interval width. An assumptions file (YAML) can change the defaults and any sector:

    deff: 1.3
    assurance: 0.9
    default: {C2: {value: 50}, C4: {value: 40, sd: 20}}
    sectors:
      POLITI: {C3: {value: 15}}
"""

from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from kit.estimators import COMPONENTS
from method.reference import sector_codes


@dataclass(frozen=True)
class Expectation:
    value: float
    sd: float | None = None  # C1, C4 only
    valid: float = 0.9


DEFAULTS: dict[str, Expectation] = {
    "C1": Expectation(value=20.0, sd=12.0, valid=0.95),
    "C2": Expectation(value=50.0, valid=0.90),
    "C3": Expectation(value=40.0, valid=0.90),
    "C4": Expectation(value=40.0, sd=20.0, valid=0.90),
}
DEFAULT_DEFF = 1.3  # design effect of weighting (post-stratification by sex); n_eff = n / deff
DEFAULT_ASSURANCE = 0.9  # plan for this probability that a cell is published


class AssumptionsError(ValueError):
    """The assumptions file or an option is out of range; the message names the key."""


@dataclass(frozen=True)
class Assumptions:
    default: dict[str, Expectation]
    sectors: dict[str, dict[str, Expectation]]
    deff: float = DEFAULT_DEFF
    assurance: float = DEFAULT_ASSURANCE

    def for_sector(self, sector: str) -> dict[str, Expectation]:
        return {**self.default, **self.sectors.get(sector, {})}


def check_expectation(component: str, e: Expectation, where: str) -> Expectation:
    if not 0 <= e.value <= 100:
        raise AssumptionsError(f"{where}: value {e.value} is outside 0..100")
    if not 0 < e.valid <= 1:
        raise AssumptionsError(f"{where}: valid {e.valid} must be in (0, 1]")
    if component in ("C1", "C4") and (e.sd is None or e.sd <= 0):
        raise AssumptionsError(f"{where}: {component} needs an sd > 0")
    return e


def _merge(base: dict[str, Expectation], raw: object, where: str) -> dict[str, Expectation]:
    if raw is None:
        return dict(base)
    if not isinstance(raw, dict):
        raise AssumptionsError(f"{where}: expected a mapping of components")
    out = dict(base)
    for component, fields in raw.items():
        if component not in COMPONENTS or not isinstance(fields, dict):
            raise AssumptionsError(f"{where}.{component}: not a survey component (C1-C4) with fields")
        unknown = set(fields) - {"value", "sd", "valid"}
        if unknown:
            raise AssumptionsError(f"{where}.{component}: unknown keys {sorted(unknown)}")
        merged = replace(out[component], **{k: float(v) for k, v in fields.items()})
        out[component] = check_expectation(component, merged, f"{where}.{component}")
    return out


def build_assumptions(
    raw: dict | None = None, deff: float | None = None, assurance: float | None = None, overrides: dict | None = None
) -> Assumptions:
    """Defaults, then the file's ``raw`` content, then command-line ``overrides`` of the defaults."""
    raw = raw or {}
    unknown = set(raw) - {"deff", "assurance", "default", "sectors"}
    if unknown:
        raise AssumptionsError(f"assumptions: unknown keys {sorted(unknown)}")
    default = _merge(_merge(DEFAULTS, raw.get("default"), "default"), overrides, "options")
    sectors = {s: _sector(default, v, s) for s, v in (raw.get("sectors") or {}).items()}
    unknown_sectors = set(sectors) - set(sector_codes())
    if unknown_sectors:
        raise AssumptionsError(f"sectors: not sectors of the method: {sorted(unknown_sectors)}")
    deff = float(deff if deff is not None else raw.get("deff", DEFAULT_DEFF))
    assurance = float(assurance if assurance is not None else raw.get("assurance", DEFAULT_ASSURANCE))
    if deff < 1:
        raise AssumptionsError(f"deff {deff} must be >= 1 (weights never add information)")
    if not 0 < assurance < 1:
        raise AssumptionsError(f"assurance {assurance} must be between 0 and 1")
    return Assumptions(default, sectors, deff, assurance)


def _sector(default: dict[str, Expectation], raw: object, sector: str) -> dict[str, Expectation]:
    merged = _merge(default, raw, f"sectors.{sector}")
    return {k: v for k, v in merged.items() if v != default[k]}


def load_assumptions(path: Path | None, **kwargs) -> Assumptions:
    raw = None
    if path is not None:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    return build_assumptions(raw, **kwargs)
