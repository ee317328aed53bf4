"""Spec section 5b (method 1.2, the atoms rule) through the dbt models, release after release:
raw.survey_footprints (the candidate, digests computed by ``revisions.store.footprint_frame``) ->
int_revision_atoms -> int_components_revised -> int_revision_store_cells / _footprints, the store of
one build fed to the next exactly as the raw assets and the publication do.

- the spec's worked example (R4 held at 48.6) and the "don't know" case (held), by hand;
- a seeded loop over sequences of additions, withdrawals, corrections and erasures on 24 cells
  (6 years x C1-C4) at once, every decision compared with the plain-Python rule
  (``method.atoms.decide``), and every published version's atoms checked to hold >= 10 keys.
"""

import random
from pathlib import Path

import pandas as pd
import pytest

from method import load_parameters
from method.atoms import atoms, decide, with_candidate
from revisions.store import CELL_COLUMNS, FOOTPRINT_COLUMNS, SURVEY_FOOTPRINT_COLUMNS, footprint_frame
from tests.method.dbt_harness import query, run_dbt, write_tables

SECRET = b"t" * 32
ATOM_MIN = load_parameters("1.2").integer("revision_atom_min")
COMPONENTS = ("C1", "C2", "C3", "C4")
MODELS = [
    "stg_revisions__cells",
    "stg_revisions__footprints",
    "stg_surveys__footprints",
    "int_revision_atoms",
    "int_components_revised",
    "int_revision_store_cells",
    "int_revision_store_footprints",
]


def record(key: str, year: int, unnecessary: int | None, sex: str = "F") -> dict:
    """A canonical record: C2 varies with ``unnecessary``; C1, C3, C4 are fixed answers."""
    return {
        "survey_id": key.split(":")[0],
        "respondent_id": key,
        "year": year,
        "sector_code": "SYKEHUS",
        "sex": sex,
        "hours_total": 40.0,
        "hours_doc": 10.0,
        "unnecessary": unnecessary,
        "duplicate": 3,
        "autonomy_1": 3,
        "autonomy_2": 4,
        "autonomy_3": None,
        "design_weight": None,
    }


def valid_n(component: str, records: list[dict]) -> int:
    if component == "C2":
        return sum(1 for r in records if r["unnecessary"] is not None and 1 <= r["unnecessary"] <= 5)
    return len(records)


def c2_value(records: list[dict]) -> float | None:
    valid = [r["unnecessary"] for r in records if r["unnecessary"] is not None and 1 <= r["unnecessary"] <= 5]
    return 100 * sum(a >= 4 for a in valid) / len(valid) if valid else None


def fresh_value(component: str, records: list[dict]) -> float | None:
    return c2_value(records) if component == "C2" else float(len(records))  # any deterministic statistic


def scored_sql(cells: dict[tuple[int, str], list[dict]]) -> str:
    """int_components_scored by hand: the fresh value of each cell, SUPPRESSED when n < 10."""
    rows = []
    for (year, component), records in sorted(cells.items()):
        n = valid_n(component, records)
        value = fresh_value(component, records)
        suppressed = n < 10 or value is None
        shown = "null" if suppressed else repr(value)
        flags = "['SUPPRESSED']" if suppressed else "[]::varchar[]"
        rows.append(
            f"({year}, 'SYKEHUS', '{component}', {shown}, {shown}, {shown}, 0.0, {n}, {n}.0, 0.0, 0.0, {shown}, "
            f"{str(suppressed).lower()}, {str(not suppressed).lower()}, {flags}, ['S1'])"
        )
    return (
        "select * from (values " + ", ".join(rows) + ") as t(year, sector_code, component_id, raw_value, "
        "raw_ci_low, raw_ci_high, se, n, n_eff, cv, dk_share, normalised, suppressed, present, flag_list, source_ids)"
    )


def empty(columns: dict[str, str]) -> str:
    return "select " + ", ".join(f"null::{kind} as {name}" for name, kind in columns.items()) + " where false"


def new_warehouse(tmp_path: Path) -> Path:
    warehouse = tmp_path / "warehouse.duckdb"
    write_tables(
        warehouse, {"raw.revision_cells": empty(CELL_COLUMNS), "raw.revision_footprints": empty(FOOTPRINT_COLUMNS)}
    )
    return warehouse


def build_and_publish(warehouse: Path, release: int, people: dict[int, list[dict]]) -> dict[tuple[int, str], dict]:
    """One build on these records (per year), then its store written as the next build's raw tables."""
    cells = {(year, c): records for year, records in people.items() for c in COMPONENTS}
    frame = footprint_frame([r for records in people.values() for r in records], SECRET)
    if frame.empty:
        frame = pd.DataFrame(columns=list(SURVEY_FOOTPRINT_COLUMNS))
    write_tables(
        warehouse,
        {
            "raw.survey_footprints": frame,
            "intermediate.int_components_scored": scored_sql(cells),
            "intermediate.int_release": f"select 'release-{release}' as release_id",
        },
    )
    run_dbt(warehouse, MODELS, seeds=release == 1)  # the method seeds once per warehouse
    revised = {
        (r["year"], r["component_id"]): r for r in query(warehouse, "select * from intermediate.int_components_revised")
    }
    write_tables(
        warehouse,
        {
            "raw.revision_cells": "select * from intermediate.int_revision_store_cells",
            "raw.revision_footprints": "select * from intermediate.int_revision_store_footprints",
        },
    )
    return revised


def elements_of(component: str, records: list[dict]) -> set[tuple[str, str]]:
    frame = footprint_frame(records, SECRET)
    frame = frame[frame["component_id"] == component]
    return set(zip(frame["respondent_id"], frame["element_digest"], strict=True))


def key_of(element: tuple[str, str]) -> str:
    return element[0]


def group(name: str, size: int, agree: int, year: int = 2025) -> list[dict]:
    return [record(f"S:{name}{i}", year, 5 if i < agree else 2) for i in range(size)]


def test_spec_worked_example_through_dbt(tmp_path: Path) -> None:
    warehouse = new_warehouse(tmp_path)
    a, b, c, e = group("a", 200, 100), group("b", 12, 6), group("c", 12, 3), group("e", 1, 1)
    shown = []
    for release, people in enumerate([a, a + b, a + c, a + b + c + e], start=1):
        row = build_and_publish(warehouse, release, {2025: people})[(2025, "C2")]
        shown.append((round(row["raw_value"], 1), row["revision_held"], row["revision_smallest_atom"]))
    assert shown == [(50.0, False, None), (50.0, False, 12), (48.6, False, 12), (48.6, True, 1)]
    # R4 held: the store keeps the three published versions, e is in none of them
    stored = query(
        warehouse,
        "select versions, count(*) as n from raw.revision_footprints where component_id = 'C2' group by all",
    )
    assert {tuple(r["versions"]): r["n"] for r in stored} == {(1, 2, 3): 200, (2,): 12, (3,): 12}
    held = query(warehouse, "select flags, release_id from raw.revision_cells where component_id = 'C2'")
    assert held == [{"flags": "", "release_id": "release-3"}]


def test_two_dont_know_answers_are_held_through_dbt(tmp_path: Path) -> None:
    warehouse = new_warehouse(tmp_path)
    base = [record(f"S:r{i}", 2025, 5 if i < 15 else 1) for i in range(40)]
    first = build_and_publish(warehouse, 1, {2025: base})
    more = [*base, record("S:dk1", 2025, 8), record("S:dk2", 2025, 8)]
    second = build_and_publish(warehouse, 2, {2025: more})
    assert first[(2025, "C2")]["revision_held"] is False
    row = second[(2025, "C2")]
    assert row["revision_held"] is True and row["revision_smallest_atom"] == 2
    assert row["raw_value"] == pytest.approx(37.5) and row["n"] == 40
    assert "REVISION_HELD" in row["flag_list"]
    # C1, C3, C4 (the two answered those too) are held as well; a re-run of the first inputs is not
    assert all(second[(2025, c)]["revision_held"] for c in COMPONENTS)
    third = build_and_publish(warehouse, 3, {2025: base})
    assert not any(third[(2025, c)]["revision_held"] for c in COMPONENTS)
    versions = query(warehouse, "select distinct versions from raw.revision_footprints")
    assert [r["versions"] for r in versions] == [[1]]  # the re-run added no version


def evolve(rng: random.Random, people: list[dict], counter: list[int], year: int) -> list[dict]:
    out = [dict(r) for r in people]
    action = rng.choice(("add", "add", "withdraw", "correct", "erase", "none"))
    if action == "add":
        survey = f"S{counter[0] % 3}"
        for _ in range(rng.choice((1, 2, 3, 9, 10, 12))):
            counter[0] += 1
            out.append(record(f"{survey}:k{counter[0]}", year, rng.choice((1, 2, 4, 5, 8, None))))
    elif action == "withdraw" and out:
        survey = rng.choice(sorted({r["survey_id"] for r in out}))
        out = [r for r in out if r["survey_id"] != survey]
    elif action == "correct" and out:
        for r in rng.sample(out, min(len(out), rng.choice((1, 2, 10)))):
            r["unnecessary"] = rng.choice((1, 2, 4, 5, 8))
            if rng.random() < 0.2:
                r["sex"] = "M"
    elif action == "erase" and out:
        for r in rng.sample(out, min(len(out), rng.choice((1, 2)))):
            out.remove(r)
    return out


def test_dbt_models_follow_the_rule_release_after_release(tmp_path: Path) -> None:
    rng = random.Random(20261207)
    warehouse = new_warehouse(tmp_path)
    years = tuple(range(2001, 2007))
    counter = [0]
    people: dict[int, list[dict]] = {}
    for year in years:
        people[year] = []
        for _ in range(rng.randint(8, 30)):
            counter[0] += 1
            people[year].append(record(f"S0:k{counter[0]}", year, rng.choice((1, 2, 4, 5, 8))))
    published: dict[tuple[int, str], list[frozenset]] = {}
    shown: dict[tuple[int, str], float] = {}
    decisions = {"fresh": 0, "held": 0, "suppressed": 0}
    for release in range(1, 8):
        if release > 1:
            people = {year: evolve(rng, people[year], counter, year) for year in years}
        revised = build_and_publish(warehouse, release, people)
        for year in years:
            for component in COMPONENTS:
                cell = (year, component)
                records = people[year]
                candidate = elements_of(component, records)
                suppressed = valid_n(component, records) < 10 or fresh_value(component, records) is None
                expected = decide(published.get(cell, []), candidate, suppressed, ATOM_MIN, key_of)
                decisions[expected] += 1
                row = revised[cell]
                assert row["revision_held"] == (expected == "held"), (release, cell, row["revision_smallest_atom"])
                if expected == "held":
                    assert row["raw_value"] == pytest.approx(shown[cell])
                elif expected == "fresh":
                    published[cell] = with_candidate(published.get(cell, []), candidate)
                    shown[cell] = fresh_value(component, records)
                    assert row["raw_value"] == pytest.approx(shown[cell])
                for keys in atoms(published.get(cell, []), set(), key_of).values():
                    assert len(keys) >= ATOM_MIN
        # the store written by dbt holds exactly the published versions of the Python reference
        stored = query(warehouse, "select * from raw.revision_footprints")
        got: dict[tuple[int, str], dict[int, set]] = {}
        for r in stored:
            for number in r["versions"]:
                got.setdefault((r["year"], r["component_id"]), {}).setdefault(number, set()).add(
                    (r["respondent_id"], r["element_digest"])
                )
        assert {cell: [frozenset(got[cell][k]) for k in sorted(got[cell])] for cell in got} == published
    assert all(count > 5 for count in decisions.values()), decisions
