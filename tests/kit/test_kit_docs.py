"""The kit's documents a coordinator follows: sector codes, delivery, consent templates."""

import re

from kit import build
from kit.questionnaire import KIT_DIR
from method.reference import seed_rows


def test_sector_codes_document_matches_the_seed() -> None:
    doc = (KIT_DIR / "SECTORS.md").read_text(encoding="utf-8")
    assert doc == build.sectors_markdown()
    listed = re.findall(r"^\| `([A-Z]+)` \| ([^|]+) \| ([^|]+) \|", doc, re.M)
    assert [(c, nb.strip(), en.strip()) for c, nb, en in listed] == [
        (r["sector_code"], r["sector_nb"], r["sector_en"]) for r in seed_rows("sectors.csv")
    ]


# every element a Norwegian data protection officer expects, with the words each language uses
CONSENT_ELEMENTS = {
    "controller": {"nb": ["Behandlingsansvarlig"], "en": ["Data controller"]},
    "dpo": {"nb": ["Personvernombud"], "en": ["Data protection officer"]},
    "purpose": {"nb": ["Formål"], "en": ["Purpose"]},
    "legal basis art. 6": {"nb": ["artikkel 6 nr. 1 bokstav a", "bokstav e"], "en": ["article 6(1)(a)", "6(1)(e)"]},
    "art. 9 membership": {
        "nb": ["artikkel 9", "nr. 2 bokstav a", "9 nr. 2 bokstav d", "fagforeningsmedlemskap"],
        "en": ["article 9", "9(2)(a)", "9(2)(d)", "trade-union membership"],
    },
    "recipients": {"nb": ["mottakere", "driftsansvarlig"], "en": ["recipients", "operator of the Reporting"]},
    "storage": {
        "nb": ["Lagring og sletting", "[sluttdato", "rå", "enveiskoder"],
        "en": ["Storage and erasure", "[end date", "raw area", "keyed digests"],
    },
    "rights and withdrawal": {
        "nb": ["innsyn", "retting", "sletting", "trekke samtykket", "svarkode"],
        "en": ["access to", "correction", "erasure", "withdraw your consent", "answer code"],
    },
    "no personal numbers": {"nb": ["Bruk aldri\nfødselsnummer"], "en": ["Never use\nyour national identity number"]},
    "complaint": {"nb": ["Datatilsynet"], "en": ["Datatilsynet"]},
    "template for the DPO": {
        "nb": ["Dette er en mal", "kontrolleres av organisasjonens\npersonvernombud"],
        "en": ["This is a template", "to be checked by the organisation's data\nprotection officer"],
    },
}
CONSENT_FILES = {"nb": KIT_DIR / "PERSONVERN.md", "en": KIT_DIR / "PRIVACY.md"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_consent_template_names_every_element_in_both_languages() -> None:
    for lang, path in CONSENT_FILES.items():
        text = _flat(path.read_text(encoding="utf-8"))
        missing = [
            (element, word)
            for element, words in CONSENT_ELEMENTS.items()
            for word in words[lang]
            if _flat(word) not in text
        ]
        assert missing == [], (path.name, missing)


def test_controller_and_dpo_are_placeholders_the_kit_catches() -> None:
    """The controller, the DPO and the end date are left to fill in, as bracketed placeholders of
    the form the kit refuses in a mapping (sources.surveys.placeholders)."""
    from sources.surveys.placeholders import BRACKETED, placeholder_problems

    for path in CONSENT_FILES.values():
        text = path.read_text(encoding="utf-8")
        placeholders = BRACKETED.findall(text)
        assert len(placeholders) >= 8, path
        for head in ("**Behandlingsansvarlig**", "**Personvernombud:**", "**Data controller:**", "**Data protection"):
            lines = [line for line in text.splitlines() if line.startswith(head)]
            assert all(BRACKETED.search(line) for line in lines), (path.name, head)
        # the same text as a mapping's publisher is refused until replaced
        assert placeholder_problems({"publisher": placeholders[0]}) != []


def test_the_guides_use_the_rbi_command() -> None:
    for path in [
        KIT_DIR / "README.md",
        KIT_DIR / "LESMEG.md",
        *KIT_DIR.glob("*/SETUP.md"),
        *KIT_DIR.glob("*/OPPSETT.md"),
    ]:
        text = path.read_text(encoding="utf-8")
        assert "python -m sources.surveys" not in text and "python -m kit.planner" not in text, path
        assert "rbi validate" in text or "rbi plan" in text, path


def test_the_kit_readme_says_who_receives_and_how_to_send() -> None:
    for path, words in {
        KIT_DIR / "README.md": ["## Delivery", "index operator", "Never send the raw export as an e-mail attachment"],
        KIT_DIR / "LESMEG.md": ["## Levering", "driftsansvarlig", "Send aldri rå eksport som e-postvedlegg"],
    }.items():
        text = path.read_text(encoding="utf-8")
        for word in words:
            assert word in text, (path.name, word)
