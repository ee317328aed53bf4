"""The questionnaire is exactly the canonical record of method 1.2 section 2, in both languages,
and every generated file (documents, mappings) agrees with it."""

import copy
import csv

import pytest
import yaml

from kit import build
from kit.questionnaire import QUESTIONNAIRE, QuestionnaireError, load, parse
from sources.paths import REPO_ROOT
from sources.surveys.mapping import load_mapping


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))


def test_the_questionnaire_and_its_generated_files_state_the_method_in_force() -> None:
    from method import CURRENT_VERSION

    assert load().method_version == CURRENT_VERSION
    header = (REPO_ROOT / "kit" / "questionnaire.en.md").read_text(encoding="utf-8").splitlines()[2]
    assert f"method {CURRENT_VERSION})" in header
    for mapping in ("nettskjema/mapping.yml", "msforms/mapping.yml", "msforms/mapping.en.yml"):
        first = (REPO_ROOT / "kit" / mapping).read_text(encoding="utf-8").splitlines()[0]
        assert f"(method {CURRENT_VERSION})" in first


def test_items_are_the_canonical_fields_in_form_order() -> None:
    q = load()
    assert [i.field for i in q.items] == [
        "sector_code",
        "hours_total",
        "hours_doc",
        "unnecessary",
        "duplicate",
        "autonomy_1",
        "autonomy_2",
        "autonomy_3",
        "sex",
    ]
    # the English wording of section 2, word for word
    assert q.item("unnecessary").text["en"] == "Much of the reporting I do is of little use to users or to my work."
    assert q.item("duplicate").text["en"] == "How often do you report the same information more than once?"
    often = [o.label["en"] for o in q.item("duplicate").options]
    assert often == ["Never", "Rarely", "Sometimes", "Often", "Very often", "Don't know"]
    for field in ("unnecessary", "duplicate", "autonomy_1", "autonomy_2", "autonomy_3"):
        assert [o.value for o in q.item(field).options] == [1, 2, 3, 4, 5, 8]
        assert q.item(field).options[-1].label == {"nb": "Vet ikke", "en": "Don't know"}
    assert (q.item("hours_total").minimum, q.item("hours_total").maximum) == (1, 100)
    assert (q.item("hours_doc").minimum, q.item("hours_doc").at_most) == (0, "hours_total")
    assert [o.value for o in q.item("sex").options] == ["F", "M", None]
    assert q.item("sector_code").required and not q.item("sex").required


def test_sector_answers_are_the_sectors_seed() -> None:
    with (REPO_ROOT / "dbt_project" / "seeds" / "sectors.csv").open(encoding="utf-8") as handle:
        seed = [row["sector_code"] for row in csv.DictReader(handle)]
    options = load().item("sector_code").options
    assert [o.value for o in options] == seed
    assert [o.code for o in options] == [str(i) for i in range(1, 10)]


def test_generated_files_are_up_to_date_and_mappings_valid() -> None:
    q = load()
    assert build.stale_files(q) == []
    assert build.main(["--check"]) == 0
    for path in build.generated_files(q):
        if path.suffix == ".yml":
            mapping = load_mapping(path)
            assert set(mapping.fields) == {i.field for i in q.items}
            assert mapping.data_status == "demonstration"


def test_documents_hold_every_text_and_label_of_their_language() -> None:
    q = load()
    for lang in ("nb", "en"):
        text = (QUESTIONNAIRE.parent / f"questionnaire.{lang}.md").read_text(encoding="utf-8")
        assert q.introduction[lang].splitlines()[-1] in text
        for item in q.items:
            assert item.text[lang] in text
            for option in item.options:
                assert f"- {option.label[lang]} ({option.code})" in text
    assert "Hva vi aldri tar vare på" in (QUESTIONNAIRE.parent / "questionnaire.nb.md").read_text(encoding="utf-8")


def test_msforms_mappings_use_the_texts_and_labels_exactly() -> None:
    q = load()
    for lang, name in (("nb", "mapping.yml"), ("en", "mapping.en.yml")):
        mapping = yaml.safe_load((QUESTIONNAIRE.parent / "msforms" / name).read_text(encoding="utf-8"))
        for item in q.items:
            entry = mapping["fields"][item.field]
            assert entry["column"] == item.text[lang]
            if item.options:
                assert entry["values"] == {o.label[lang]: o.value for o in item.options}
    nettskjema = yaml.safe_load((QUESTIONNAIRE.parent / "nettskjema" / "mapping.yml").read_text(encoding="utf-8"))
    assert nettskjema["fields"]["autonomy_2"]["column"] == "autonomi.prioritere"
    assert nettskjema["fields"]["sex"]["values"] == {"1": "F", "2": "M", "3": None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["items"].pop(), "must be exactly the asked canonical fields"),
        (lambda d: d["items"].append({**d["items"][1], "field": "age", "code": "alder"}), "not canonical"),
        (lambda d: d["scales"]["agree"].pop(), "codes 1, 2, 3, 4, 5 and 8"),
        (lambda d: d["items"][0]["options"].pop(), "exactly the 9 sectors"),
        (lambda d: d["items"][1].update({"max": 168}), "hours_total is limited to 1..100"),
        (lambda d: d["items"][2].pop("at_most"), "0..hours_total"),
        (lambda d: d["items"][3]["text"].pop("en"), "non-empty text in each of nb, en"),
        (lambda d: d["scales"]["often"][1].update({"nb": "Aldri"}), "duplicate answer nb label"),
        (lambda d: d["items"][0].update({"required": False}), "sector_code: must be required"),
    ],
)
def test_a_broken_questionnaire_is_refused(raw: dict, change, message: str) -> None:
    doc = copy.deepcopy(raw)
    change(doc)
    with pytest.raises(QuestionnaireError, match=message):
        parse(doc)
