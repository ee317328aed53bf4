"""The survey kit's placeholders are refused by validate and the inbox until replaced."""

from pathlib import Path

import pytest
import yaml

from kit.questionnaire import KIT_DIR
from kit.sample import write_sample
from sources.surveys.__main__ import main as surveys_main
from sources.surveys.inbox import process_inbox
from sources.surveys.ingest import check_export
from sources.surveys.placeholders import placeholder_problems
from storage.paths import EMBEDDED_INPUTS

KIT_MAPPINGS = sorted(KIT_DIR.glob("*/mapping*.yml"))


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _filled(raw: dict) -> dict:
    return raw | {"survey_id": "LO-HELSE-2026-1", "publisher": "Fagforbundet", "data_status": "published"}


@pytest.mark.parametrize("path", KIT_MAPPINGS, ids=[p.parent.name + "/" + p.name for p in KIT_MAPPINGS])
def test_every_placeholder_of_the_kit_mappings_is_named(path: Path) -> None:
    problems = placeholder_problems(_raw(path))
    assert len(problems) == 3, problems
    assert problems[0].startswith("survey_id 'KIT-") and "one per survey and wave" in problems[0]
    assert problems[1] == "publisher: replace the placeholder [Organisation] with the real text"
    assert problems[2].startswith("data_status: demonstration is the kit's placeholder: write data_status: published")
    assert placeholder_problems(_filled(_raw(path))) == []


def test_each_placeholder_alone_is_refused() -> None:
    filled = _filled(_raw(KIT_DIR / "nettskjema" / "mapping.yml"))
    assert len(placeholder_problems(filled | {"survey_id": "kit-nettskjema-2027"})) == 1
    assert placeholder_problems(filled | {"title": "Tid til rapportering [Navn på forbund]"}) == [
        "title: replace the placeholder [Navn på forbund] with the real text"
    ]
    assert len(placeholder_problems(filled | {"licence": "[licence]"})) == 1
    assert len(placeholder_problems(filled | {"data_status": "demonstration"})) == 1  # the kit's title: a template
    # demonstration data on purpose (its own title) is not a placeholder; nor a bracketed number
    assert placeholder_problems(filled | {"data_status": "demonstration", "title": "DEMONSTRATION test"}) == []
    assert placeholder_problems(filled | {"title": "Survey [2026]"}) == []
    assert placeholder_problems([]) == []


def test_the_demonstration_surveys_and_the_sample_have_no_placeholder(tmp_path: Path) -> None:
    for path in sorted((EMBEDDED_INPUTS / "surveys").glob("*/mapping.yml")):
        assert placeholder_problems(_raw(path)) == [], path
    _export, mapping = write_sample(tmp_path, "nettskjema", per_sector=1)
    assert placeholder_problems(_raw(mapping)) == []


@pytest.fixture
def template_delivery(tmp_path: Path) -> tuple[Path, Path]:
    """A real export (the sample's) with the kit's mapping as it ships."""
    export, _ = write_sample(tmp_path / "d", "nettskjema", per_sector=2)
    mapping = tmp_path / "d" / "mapping.yml"
    mapping.write_text((KIT_DIR / "nettskjema" / "mapping.yml").read_text(encoding="utf-8"), encoding="utf-8")
    return export, mapping


def test_validate_refuses_the_template_and_says_what_to_replace(template_delivery, capsys) -> None:
    export, mapping = template_delivery
    checked = check_export(export, mapping)
    assert not checked.report.accepted and checked.records is None
    assert "survey_id 'KIT-NETTSKJEMA-2026' is the kit's placeholder" in checked.report.error
    assert surveys_main(["validate", str(export), str(mapping)]) == 2
    out = capsys.readouterr().out
    assert "replace the placeholder [Organisation]" in out and "write data_status: published" in out
    text = mapping.read_text(encoding="utf-8")
    text = text.replace("survey_id: KIT-NETTSKJEMA-2026", "survey_id: LO-HELSE-2026-1")
    text = text.replace('"[Organisation]"', "Fagforbundet").replace(
        "data_status: demonstration", "data_status: published"
    )
    mapping.write_text(text, encoding="utf-8")
    assert check_export(export, mapping).report.accepted


def test_the_inbox_quarantines_the_template(template_delivery, tmp_path: Path) -> None:
    export, mapping = template_delivery
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export.rename(inbox / "union.csv")
    mapping.rename(inbox / "union.yml")
    outcomes = process_inbox(
        inbox, tmp_path / "surveys", tmp_path / "quarantine", tmp_path / "received", min_age_seconds=0
    )
    assert [o.status for o in outcomes] == ["quarantined"]
    # the console line is escaped and clipped (sources/surveys/inbox.py); the report holds it whole
    assert "is the kit" in outcomes[0].message
    assert "kit's placeholder" in (outcomes[0].where / "report.txt").read_text(encoding="utf-8")
    assert not (tmp_path / "surveys").exists() or not any((tmp_path / "surveys").iterdir())
