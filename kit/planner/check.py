"""How far each sector of a finished export is from publishable, before anything is published.

The export is read through the pipeline's own reader and mapping (``sources.surveys``): the same
rows that would be ingested. Per sector: respondents, and per survey component n, n_eff, the
interval width W the method would publish (Korn-Graubard for C2/C3, a bootstrap percentile
interval for C1/C4), the decision of method 1.2 section 5, and for a cell that would be
suppressed, how many more respondents the sector needs (the plan, with this export's own value,
spread, valid-answer share and design effect). Values are shown only for cells with n >= 10.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kit import rules
from kit.estimators import Cell, sector_cells
from kit.planner.assumptions import Assumptions, Expectation
from kit.planner.plan import component_need
from kit.population import SectorPopulation, read_population
from kit.weights import stratum_weights
from sources.reference import sector_codes
from sources.surveys.ingest import check_export


class ExportRejected(ValueError):
    """The pipeline would reject the export; the message is its ingestion report."""


@dataclass
class CellCheck:
    cell: Cell
    decision: rules.Decision
    more_respondents: int | None  # 0 when published; None when unreachable


@dataclass
class SectorCheck:
    sector: str
    respondents: int
    weighting: str
    population: float | None
    cells: list[CellCheck] = field(default_factory=list)

    @property
    def more_respondents(self) -> int | None:
        more = [c.more_respondents for c in self.cells]
        return None if any(m is None for m in more) else max(more, default=0)

    @property
    def published(self) -> int:
        return sum(c.decision.publishes for c in self.cells)


@dataclass
class ExportCheck:
    export: str
    survey_id: str
    year: int
    rows_kept: int
    rows_rejected: int
    sectors: list[SectorCheck]


def _planning_expectation(cell: Cell, respondents: int, default: Expectation) -> Expectation:
    valid = cell.n / respondents if respondents and cell.n else default.valid
    return Expectation(
        value=cell.value if cell.value is not None else default.value,
        sd=cell.sd if cell.sd else default.sd,
        valid=min(1.0, max(valid, 0.01)),
    )


def check_cell(cell: Cell, respondents: int, assumptions: Assumptions, sector: str) -> CellCheck:
    decision = cell.decision
    if decision.publishes:
        return CellCheck(cell, decision, 0)
    deff = cell.n / cell.n_eff if cell.n >= 2 and cell.n_eff > 0 else assumptions.deff
    expect = _planning_expectation(cell, respondents, assumptions.for_sector(sector)[cell.component])
    need = component_need(cell.component, expect, max(1.0, deff), assumptions.assurance).respondents
    return CellCheck(cell, decision, None if need is None else max(1, need - respondents))


def check(
    export: Path,
    mapping: Path,
    assumptions: Assumptions,
    population_path: Path | None = None,
    replicates: int = 1000,
    seed: int = 20261129,
) -> ExportCheck:
    checked = check_export(export, mapping)
    if checked.records is None:
        raise ExportRejected(checked.report.to_text())
    records, year = checked.records, checked.mapping.year
    population: dict[str, SectorPopulation] = read_population(population_path, year) if population_path else {}
    all_weighted = bool(records["design_weight"].notna().all())
    sectors = []
    for sector in sector_codes():
        rows = records[records["sector_code"] == sector].reset_index(drop=True)
        pop = population.get(sector)
        weights, how = stratum_weights(rows, pop, all_weighted)
        result = SectorCheck(sector, len(rows), how, pop.total if pop else None)
        cells = sector_cells(rows, weights, replicates, seed) if len(rows) else []
        if not cells:
            cells = [Cell(c, 0, 0.0, None, None, None, None, None) for c in ("C1", "C2", "C3", "C4")]
        result.cells = [check_cell(c, len(rows), assumptions, sector) for c in cells]
        sectors.append(result)
    report = checked.report
    return ExportCheck(str(export), checked.mapping.survey_id, year, report.rows_kept, report.rows_rejected, sectors)


def shown_value(cell: Cell) -> float | None:
    """A cell's value and width are shown only when the disclosure rule (n >= 10) passes."""
    return cell.value if cell.n >= rules.MIN_N else None


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def check_to_dict(result: ExportCheck) -> dict:
    return {
        "export": result.export,
        "survey_id": result.survey_id,
        "year": result.year,
        "rows_kept": result.rows_kept,
        "rows_rejected": result.rows_rejected,
        "sectors": [
            {
                "sector_code": s.sector,
                "respondents": s.respondents,
                "population": s.population,
                "weighting": s.weighting,
                "cells_published": s.published,
                "more_respondents_needed": s.more_respondents,
                "components": [
                    {
                        "component_id": c.cell.component,
                        "n": c.cell.n,
                        "n_eff": _round(c.cell.n_eff),
                        "value": _round(shown_value(c.cell)),
                        "width": _round(c.cell.width) if shown_value(c.cell) is not None else None,
                        "status": c.decision.status,
                        "reason": c.decision.reason,
                        "more_respondents_needed": c.more_respondents,
                    }
                    for c in s.cells
                ],
            }
            for s in result.sectors
        ],
    }
