"""Inputs for the revision tests (spec sections 5b and 10): the tiny inputs' SSB snapshots and
registers, a main survey big enough to publish hospitals and NAV (also under the NCHS rules of
method 1.1), and late deliveries of a few hospital respondents through the inbox."""

import os
import random
import shutil
import time
from pathlib import Path

from tests.e2e.tiny_inputs import HEADER, MAPPING, make_tiny_inputs

MAIN_ID = "REV-A-2025"
LATE_ID = "REV-B-2025"
# POLITI: 3 respondents, always suppressed; this C1 value (100 * 13 / 47) must appear nowhere
SUPPRESSED_C1 = 100 * 13 / 47


def mapping(survey_id: str) -> str:
    return MAPPING.replace("survey_id: TINY-2025", f"survey_id: {survey_id}").replace(
        "title: Tiny hand-computable test survey (demonstration)", f"title: {survey_id} (demonstration)"
    )


def _row(number: int, sector: str, answers: tuple[str, ...]) -> str:
    cells = [str(number), "2025-03-01T10:00:00+01:00", sector, *answers, "", "60000"]
    return ";".join(f'"{c}"' for c in cells)


def export(rows: list[str]) -> str:
    return "\n".join([";".join(f'"{h}"' for h in HEADER), *rows]) + "\n"


def main_rows() -> list[str]:
    """60 hospital and 40 NAV respondents with varied answers, and 3 police respondents."""
    rng = random.Random(20261129)
    rows = []
    number = 20000000
    for sector, count in (("1", 60), ("2", 40)):
        for i in range(count):
            number += 1
            total = rng.choice((30, 35, 37.5, 40, 45))
            doc = rng.choice((2, 5, 8, 10, 12, 15))
            answers = (
                "1" if i % 2 else "2",  # sex
                str(total),
                str(doc),
                str(rng.choice((1, 2, 3, 4, 5, 5, 8))),
                str(rng.choice((1, 2, 3, 4, 5, 8))),
                *(str(rng.choice((1, 2, 3, 4, 5))) for _ in range(3)),
            )
            rows.append(_row(number, sector, answers))
    for _ in range(3):
        number += 1
        rows.append(_row(number, "3", ("1", "47", "13", "4", "4", "2", "2", "2")))
    return rows


def late_rows(count: int) -> list[str]:
    """``count`` hospital respondents who answer very differently from the main survey: their
    fresh value would differ visibly from the published one, and be disclosed by subtraction."""
    return [
        _row(30000000 + i, "1", ("1" if i % 2 else "2", "40", "30", "5", "5", "1", "1", "1"))
        for i in range(1, count + 1)
    ]


def late_respondent_ids(count: int) -> list[str]:
    return [str(30000000 + i) for i in range(1, count + 1)]


def make_revision_inputs(root: Path) -> Path:
    inputs = make_tiny_inputs(root)
    shutil.rmtree(inputs / "surveys" / "TINY-2025")
    folder = inputs / "surveys" / MAIN_ID
    folder.mkdir(parents=True)
    (folder / "export.csv").write_text(export(main_rows()), encoding="utf-8")
    (folder / "mapping.yml").write_text(mapping(MAIN_ID), encoding="utf-8")
    return inputs


def drop_late_delivery(inbox: Path, name: str, count: int) -> None:
    """A delivery of the late survey with ``count`` respondents, settled (old mtime) in the inbox."""
    folder = inbox / name
    folder.mkdir(parents=True)
    (folder / "export.csv").write_text(export(late_rows(count)), encoding="utf-8")
    (folder / "mapping.yml").write_text(mapping(LATE_ID), encoding="utf-8")
    old = time.time() - 120
    for path in folder.iterdir():
        os.utime(path, (old, old))
