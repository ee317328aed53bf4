"""The flag glossary (Norwegian and English): one source, the dbt seed ``dbt_project/seeds/flags.csv``
(read through method/reference.py).

Every output a person reads (report.html, README.txt, the workbook, datapackage.json, the analyst
file) explains the flags from this module, so a flag is explained the same way everywhere.
"""

import re
from dataclasses import dataclass
from functools import cache

from method.reference import flag_rows


@dataclass(frozen=True)
class Flag:
    flag: str
    applies_to: str  # 'index', 'component' or 'both'
    label_nb: str
    label_en: str
    meaning_nb: str
    meaning_en: str


@cache
def flags() -> tuple[Flag, ...]:
    """All flags, sorted by code (the order flags are written in a cell)."""
    return tuple(sorted((Flag(**row) for row in flag_rows()), key=lambda f: f.flag))


def flag_map() -> dict[str, Flag]:
    return {f.flag: f for f in flags()}


def split_flags(cell: str | None) -> list[str]:
    return [f for f in (cell or "").split(";") if f]


def flags_pattern() -> str:
    """A regular expression a flags cell matches: sorted-or-not codes of the glossary joined by ';'."""
    one = "|".join(re.escape(f.flag) for f in flags())
    return f"^({one})(;({one}))*$"


def readable_flags(cell: str | None, language: str = "nb") -> str:
    """'INSUFFICIENT;UNWEIGHTED' -> 'For lite grunnlag; Uvektet' (unknown codes shown as they are)."""
    known = flag_map()
    out = []
    for code in split_flags(cell):
        flag = known.get(code)
        out.append(code if flag is None else (flag.label_nb if language == "nb" else flag.label_en))
    return "; ".join(out)


def glossary_text() -> str:
    """The glossary as plain text (README.txt)."""
    lines = []
    for f in flags():
        lines.append(f"- {f.flag} ({f.label_nb} / {f.label_en})")
        lines.append(f"    nb: {f.meaning_nb}")
        lines.append(f"    en: {f.meaning_en}")
    return "\n".join(lines)
