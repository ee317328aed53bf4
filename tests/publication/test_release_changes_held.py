"""changes.json under method 1.2 (spec sections 5 and 5b): a cell held by the revision rule is not a
change and is listed by key only; a cell whose hold ends is an ordinary change; a suppressed cell
shows no value, so nothing of it can be read from the changes."""

from publication.diff import RevisionUpgrade, changelog_text, changes_json, release_changes

BASE = {
    "release_id": "r1",
    "year": "2025",
    "component_name": "DOC_TIME",
    "unit": "% of working hours",
    "raw_value": "22.8",
    "raw_ci_low": "19.8",
    "raw_ci_high": "26.0",
    "normalised": "45.7",
    "n": "60",
    "n_eff": "57.7",
    "cv": "0.071",
    "dk_share": "",
    "flags": "POP_LAGGED",
    "source_ids": "A;pop",
}


def cell(sector: str, component: str, **changes: str) -> dict[str, str]:
    return BASE | {"sector_code": sector, "component_id": component} | changes


def test_held_cells_are_not_changes() -> None:
    before = {"component_sector_year": [cell("SYKEHUS", "C1"), cell("NAV", "C1")]}
    after = {
        "component_sector_year": [
            cell("SYKEHUS", "C1", release_id="r2", flags="POP_LAGGED;REVISION_HELD"),
            cell("NAV", "C1", release_id="r2"),
        ]
    }
    changes = release_changes("r1", "1.1", before, "1.1", after)
    table = changes["tables"]["component_sector_year"]
    assert table["values_changed_count"] == 0 and table["values_changed"] == []
    assert changes["cells_held"] == [{"year": "2025", "sector_code": "SYKEHUS", "component_id": "C1"}]
    assert changelog_text(changes) == ("Since r1: 1 component cell held at the values last published (REVISION_HELD).")
    # still held in the next release: still not a change
    again = release_changes("r2", "1.1", after, "1.1", after)
    assert again["tables"]["component_sector_year"]["values_changed_count"] == 0


def test_a_hold_that_ends_is_a_change_and_other_flag_changes_count() -> None:
    before = {"component_sector_year": [cell("SYKEHUS", "C1", flags="POP_LAGGED;REVISION_HELD")]}
    after = {"component_sector_year": [cell("SYKEHUS", "C1", raw_value="49.6", flags="LOW_PRECISION;POP_LAGGED")]}
    changes = release_changes("r2", "1.1", before, "1.1", after)
    changed = {c["column"] for c in changes["tables"]["component_sector_year"]["values_changed"]}
    assert changed == {"raw_value", "flags"}
    assert changes["cells_held"] == []


def test_a_suppressed_value_is_not_in_the_changes() -> None:
    before = {"component_sector_year": [cell("POLITI", "C1")]}
    suppressed = cell(
        "POLITI",
        "C1",
        raw_value="",
        raw_ci_low="",
        raw_ci_high="",
        normalised="",
        n_eff="",
        cv="",
        n="9",
        flags="POP_LAGGED;SUPPRESSED",
    )
    changes = release_changes("r1", "1.1", before, "1.1", {"component_sector_year": [suppressed]})
    text = changes_json(changes).decode("utf-8")
    after_values = {c["after"] for c in changes["tables"]["component_sector_year"]["values_changed"]}
    assert after_values <= {"", "9", "POP_LAGGED;SUPPRESSED"}
    assert '"after": "22.8"' not in text


def test_the_first_12_release_says_the_11_store_was_carried_over_and_how_many_cells_it_holds() -> None:
    before = {"component_sector_year": [cell("SYKEHUS", "C1"), cell("NAV", "C1"), cell("NAV", "C2")]}
    after = {
        "component_sector_year": [
            cell("SYKEHUS", "C1", release_id="r2", flags="POP_LAGGED;REVISION_HELD"),
            cell("NAV", "C1", release_id="r2", flags="POP_LAGGED;REVISION_HELD"),
            cell("NAV", "C2", release_id="r2"),
        ]
    }
    changes = release_changes("r1", "1.1", before, "1.2", after, RevisionUpgrade("1.1", 2))
    assert changes["revision_store_upgrade"] == {"from_method": "1.1", "cells_held": 2}
    text = changelog_text(changes)
    assert text.startswith("Since r1: method 1.1 -> 1.2 (a revision checked against every published version")
    assert (
        "; the revision store was carried over from method 1.1; 2 cells whose 1.1 footprint could not be rebuilt "
        "are held at their published values (REVISION_HELD) until the atoms rule can decide them; "
        "2 component cells held at the values last published (REVISION_HELD)."
    ) in text
    # a count only: no key or value of a held cell is named by the note
    assert b'"revision_store_upgrade": {\n    "cells_held": 2,\n    "from_method": "1.1"\n  }' in changes_json(changes)

    one = changelog_text(release_changes("r1", "1.1", before, "1.2", after, RevisionUpgrade("1.1", 1)))
    assert "1 cell whose 1.1 footprint could not be rebuilt is held at its published values" in one
    assert "until the atoms rule can decide it;" in one
    none = changelog_text(release_changes("r1", "1.1", before, "1.2", before, RevisionUpgrade("1.1", 0)))
    assert "the 1.1 footprint of every published cell was rebuilt, so the atoms rule decides each" in none
    # a store restored without the releases folder: no previous release, the note still stands
    first = changelog_text(release_changes(None, None, {}, "1.2", after, RevisionUpgrade("1.1", 3)))
    assert first.startswith("First release, method 1.2 (") and first.endswith(
        "; the revision store was carried over from method 1.1; 3 cells whose 1.1 footprint could not be rebuilt "
        "are held at their published values (REVISION_HELD) until the atoms rule can decide them."
    )
    # later builds (a 1.2 store in force) say nothing of it
    later = release_changes("r2", "1.2", after, "1.2", after)
    assert "revision_store_upgrade" not in later and "carried over" not in changelog_text(later)
