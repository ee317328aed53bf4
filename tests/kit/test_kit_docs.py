"""The kit's documents a coordinator follows: sector codes, delivery, consent templates."""

import re

from kit import build
from kit.questionnaire import KIT_DIR
from sources.reference import seed_rows


def test_sector_codes_document_matches_the_seed() -> None:
    doc = (KIT_DIR / "SECTORS.md").read_text(encoding="utf-8")
    assert doc == build.sectors_markdown()
    listed = re.findall(r"^\| `([A-Z]+)` \| ([^|]+) \| ([^|]+) \|", doc, re.M)
    assert [(c, nb.strip(), en.strip()) for c, nb, en in listed] == [
        (r["sector_code"], r["sector_nb"], r["sector_en"]) for r in seed_rows("sectors.csv")
    ]
