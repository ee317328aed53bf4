"""Helpers for the kit tests: invented canonical records and the kit's exports of them."""

from pathlib import Path

import pandas as pd

from kit.planner.assumptions import build_assumptions
from kit.questionnaire import load
from kit.sample import msforms_rows, nettskjema_csv, sample_mapping, write_xlsx
from kit.simulate import draw
from method.reference import CANONICAL_COLUMNS

# the canonical columns a kit export fills: every one but those the pipeline adds or no kit form asks
CANONICAL = [c for c in CANONICAL_COLUMNS if c not in ("survey_id", "year", "design_weight")]


def truth(per_sector: dict[str, int], seed: int) -> pd.DataFrame:
    return draw(build_assumptions(), per_sector, seed)


def write_survey(folder: Path, tool: str, records: pd.DataFrame, survey_id: str, year: int, lang: str = "nb") -> Path:
    """``folder/export.<csv|xlsx>`` in the tool's format and ``folder/mapping.yml`` from the kit."""
    q = load()
    folder.mkdir(parents=True, exist_ok=True)
    if tool == "nettskjema":
        export = folder / "export.csv"
        comments = ["Ring meg: Kari Nordmann, kari@example.invalid" if i % 3 == 0 else "" for i in range(len(records))]
        export.write_bytes(nettskjema_csv(records, q, extra={"kommentar": comments}))
    else:
        export = folder / "export.xlsx"
        write_xlsx(msforms_rows(records, q, lang), export)
    (folder / "mapping.yml").write_text(sample_mapping(q, tool, lang, survey_id, year), encoding="utf-8")
    return export


def as_tuples(frame: pd.DataFrame, with_id: bool = True) -> list[tuple]:
    """Rows of the canonical columns in row order, comparable across readers (NaN/None -> None,
    numbers as float); ``with_id`` False leaves out respondent_id (MS Forms numbers rows 1..n)."""
    out = []
    for row in frame[CANONICAL if with_id else CANONICAL[1:]].itertuples(index=False):
        cells = []
        for v in row:
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append(None)
            elif isinstance(v, str):
                cells.append(v)
            else:
                cells.append(float(v))
        out.append(tuple(cells))
    return out
