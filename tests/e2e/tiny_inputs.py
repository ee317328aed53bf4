"""A tiny inputs directory whose published numbers are computed by hand in test_pipeline.py."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sources.snapshots import write_snapshot
from storage.paths import EMBEDDED_INPUTS

WHEN = datetime(2026, 1, 15, tzinfo=UTC)
DEMO = {
    "publisher": "test",
    "origin_url": "https://example.invalid/tiny",
    "how_obtained": "written by tests/e2e/tiny_inputs.py",
    "licence": "CC BY 4.0",
    "data_status": "demonstration",
    "title": "tiny test input",
}

POPULATION = """year,sector_code,sex,employees,fte,data_status
2024,SYKEHUS,,1000,50,demonstration
2024,SYKEHUS,F,600,30,demonstration
2024,SYKEHUS,M,400,20,demonstration
2024,NAV,,200,180,demonstration
"""

OBLIGATIONS = """obligation_id,year,sector_code,title,legal_basis,recipient,minutes_per_report,\
reports_per_year_per_unit,units,source_url,data_status
T-1,2025,SYKEHUS,Tiny obligation,test,test,30,10,100,,demonstration
"""

MAPPING = """survey_id: TINY-2025
year: 2025
format: nettskjema_csv
data_status: demonstration
title: Tiny hand-computable test survey (demonstration)
respondent_id: {column: "$submission_id"}
fields:
  sector_code: {column: sektor, values: {"1": SYKEHUS, "2": NAV, "3": POLITI}}
  sex: {column: kjonn, values: {"1": F, "2": M}}
  hours_total: {column: timer, type: number}
  hours_doc: {column: dok, type: number}
  unnecessary: {column: unyttig, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}
  duplicate: {column: dobbel, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}
  autonomy_1: {column: a1, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}
  autonomy_2: {column: a2, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}
  autonomy_3: {column: a3, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}
"""

HEADER = [
    "$submission_id",
    "$created",
    "sektor",
    "kjonn",
    "timer",
    "dok",
    "unyttig",
    "dobbel",
    "a1",
    "a2",
    "a3",
    "kommentar",
    "$answer_time_ms",
]

# sector, sex, hours_total, hours_doc, unnecessary, duplicate, a1, a2, a3, copies
GROUPS = [
    # method 1.1 suppresses n_eff < 30, so the sectors that publish have 40 respondents per group;
    # method 1.2 suppresses a share of 0 or 100 % whose interval is wider than 5, so NAV (all agree on
    # C2, none on C3) has 80 respondents (Korn-Graubard width 4.5 at n_eff 80, 8.8 at 40)
    ("1", "1", "40", "10", "4", "5", "5", "5", "5", 40),  # SYKEHUS women
    ("1", "2", "40", "20", "2", "8", "2", "2", "8", 40),  # SYKEHUS men
    ("2", "", "50", "30", "5", "1", "3", "3", "3", 80),  # NAV, sex not answered
    ("3", "1", "40", "5", "4", "4", "2", "2", "2", 3),  # POLITI: too few to publish
]
SECRET_COMMENT = "Hemmelig fritekst fra Kari Nordmann, kari@example.invalid"


def survey_export() -> str:
    lines = [";".join(f'"{h}"' for h in HEADER)]
    number = 10000000
    for sector, sex, total, doc, unn, dup, a1, a2, a3, copies in GROUPS:
        for _ in range(copies):
            number += 1
            cells = [
                str(number),
                "2025-03-01T10:00:00+01:00",
                sector,
                sex,
                total,
                doc,
                unn,
                dup,
                a1,
                a2,
                a3,
                SECRET_COMMENT,
                "60000",
            ]
            lines.append(";".join(f'"{c}"' for c in cells))
    return "\n".join(lines) + "\n"


def make_tiny_inputs(root: Path) -> Path:
    """Real SSB snapshots copied from the embedded inputs, tiny invented registers and survey."""
    snapshots = root / "snapshots"
    for source_id in ("ssb_sickness_absence", "ssb_employment", "ssb_05300"):
        shutil.copytree(EMBEDDED_INPUTS / "snapshots" / source_id, snapshots / source_id)
    write_snapshot(snapshots, "demo_population", POPULATION.encode(), "csv", DEMO, WHEN)
    write_snapshot(snapshots, "demo_obligations", OBLIGATIONS.encode(), "csv", DEMO, WHEN)
    survey = root / "surveys" / "TINY-2025"
    survey.mkdir(parents=True)
    (survey / "export.csv").write_text(survey_export(), encoding="utf-8")
    (survey / "mapping.yml").write_text(MAPPING, encoding="utf-8")
    return root
