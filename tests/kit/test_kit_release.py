"""End to end: a Nettskjema-style and a Microsoft Forms-style export written from the kit's
questionnaire texts and labels, with the kit's own mappings, flow through the real pipeline
(Dagster + dbt + GX, in a subprocess as `make run` does) into a release.

The release is computed with whatever method version main implements, so this test asserts what
does not depend on it: every canonical value lands in the warehouse as answered, every sector of
the questionnaire appears in the release with its four survey components, each cell counts
exactly the valid answers of the surveys pooled in it, and no unmapped answer is published.
"""

import csv
import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kit.estimators import COMPONENTS, unit_values
from method.reference import sector_codes
from sources.pseudonyms import respondent_key
from sources.surveys.ingest import check_export
from tests.e2e.harness import run_pipeline
from tests.e2e.tiny_inputs import make_tiny_inputs
from tests.kit.exports import CANONICAL, as_tuples, truth, write_survey

pytestmark = pytest.mark.e2e

YEAR = 2025
SURVEYS = {  # survey_id -> (tool, respondents per sector, seed)
    "UNION-NETTSKJEMA-2025": ("nettskjema", 12, 21),
    "UNION-MSFORMS-2025": ("msforms", 11, 22),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("kit-e2e")
    inputs = make_tiny_inputs(root / "inputs")
    truths = {}
    for survey_id, (tool, size, seed) in SURVEYS.items():
        truths[survey_id] = truth(dict.fromkeys(sector_codes(), size), seed)
        write_survey(inputs / "surveys" / survey_id, tool, truths[survey_id], survey_id, YEAR)
    output = root / "output"
    result = run_pipeline(inputs, output)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tiny = inputs / "surveys" / "TINY-2025"
    pooled = pd.concat(
        [check_export(folder / ("export.xlsx" if "MSFORMS" in folder.name else "export.csv"), folder / "mapping.yml")
         .records for folder in (tiny, *(inputs / "surveys" / s for s in SURVEYS))],
        ignore_index=True,
    )  # fmt: skip
    return {"output": output, "truths": truths, "pooled": pooled, "release": (output / "releases" / "latest").resolve()}


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_every_canonical_value_lands_in_the_warehouse(run: dict) -> None:
    # the warehouse holds respondent keys in the order of the tool's ids (respondent_order), never the ids
    secret = (run["output"] / "raw" / "keys" / "pseudonym.key").read_bytes()
    with duckdb.connect(str(run["output"] / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        for survey_id, truth_rows in run["truths"].items():
            ids = truth_rows["respondent_id"].astype(str).str.strip()
            expected = truth_rows.iloc[sorted(range(len(ids)), key=ids.iloc.__getitem__)].reset_index(drop=True)
            expected["respondent_id"] = [respondent_key(secret, i) for i in expected["respondent_id"].astype(str)]
            stored = con.execute(
                f"select {', '.join(CANONICAL)} from raw.survey_responses where survey_id = ? "
                "order by respondent_order",
                [survey_id],
            ).df()
            with_id = survey_id.startswith("UNION-NETTSKJEMA")
            if with_id:  # Nettskjema's ids are the tool's own: the warehouse's order is theirs, as text
                assert as_tuples(stored, with_id) == as_tuples(expected, with_id), survey_id
            else:  # Microsoft Forms numbers rows 1..n (the id column is not a stable key): same rows, any order
                assert sorted(as_tuples(stored, with_id), key=repr) == sorted(as_tuples(expected, with_id), key=repr), (
                    survey_id
                )


def test_every_sector_appears_with_the_valid_answers_of_both_surveys(run: dict) -> None:
    rows = [r for r in read_csv(run["release"] / "component_sector_year.csv") if r["year"] == str(YEAR)]
    cells = {(r["sector_code"], r["component_id"]): r for r in rows}
    pooled = run["pooled"]
    for sector in sector_codes():
        records = pooled[pooled["sector_code"] == sector].reset_index(drop=True)
        for component in COMPONENTS:
            row = cells[(sector, component)]
            valid, _, _ = unit_values(records, component)
            assert row["n"] == str(int(valid.sum())), (sector, component)
            assert set(SURVEYS) <= set(row["source_ids"].split(";")), (sector, component)
    index = {r["sector_code"] for r in read_csv(run["release"] / "index_sector_year.csv") if r["year"] == str(YEAR)}
    assert set(sector_codes()) <= index
    sources = (run["release"] / "sources.csv").read_text(encoding="utf-8")
    assert all(survey_id in sources for survey_id in SURVEYS)


def test_release_is_demonstration_and_holds_no_unmapped_answer(run: dict) -> None:
    releases = read_csv(run["release"] / "releases.csv")
    assert releases[-1]["data_status"] == "demonstration"
    for path in run["release"].rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"kari@example.invalid" not in data and b"Ring meg: Kari" not in data, path
