"""Read ``kit/questionnaire.yml``, the one source of truth of the survey kit, and check it.

The questionnaire must hold exactly the asked fields of the canonical survey record (methodology
1.2, section 2), in form order, each with its texts in both languages; a single-choice item has
unique answer codes and labels, and its canonical values lie in the field's domain.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from sources.reference import CANONICAL_COLUMNS, sector_codes

KIT_DIR = Path(__file__).resolve().parent
QUESTIONNAIRE = KIT_DIR / "questionnaire.yml"
LANGUAGES = ("nb", "en")
# the canonical fields a respondent answers (survey_id, respondent_id, year, design_weight are not asked)
NOT_ASKED = frozenset({"survey_id", "respondent_id", "year", "design_weight"})
ASKED_FIELDS = frozenset(CANONICAL_COLUMNS) - NOT_ASKED
SCALE_CODES = (1, 2, 3, 4, 5, 8)
DONT_KNOW = 8


class QuestionnaireError(ValueError):
    """The questionnaire file breaks a rule of the kit."""


@dataclass(frozen=True)
class Option:
    code: str  # the Nettskjema answer code
    value: str | int | None  # the canonical value
    label: dict[str, str]  # language -> answer label, exactly as in the form


@dataclass(frozen=True)
class Item:
    field: str
    code: str  # Nettskjema question code, or the row code inside its group
    kind: str  # single_choice | number
    text: dict[str, str]
    help: dict[str, str]
    options: tuple[Option, ...] = ()
    scale: str | None = None
    group: str | None = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    at_most: str | None = None
    decimals: int = 0

    @property
    def column(self) -> str:
        """The Nettskjema export column: ``code``, or ``group.code`` for a matrix row."""
        return f"{self.group}.{self.code}" if self.group else self.code

    def label_of(self, value: object, language: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label[language]
        raise KeyError(f"{self.field}: no option for {value!r}")

    def code_of(self, value: object) -> str:
        for option in self.options:
            if option.value == value:
                return option.code
        raise KeyError(f"{self.field}: no option for {value!r}")


@dataclass(frozen=True)
class Questionnaire:
    kit_version: str
    method_version: str
    introduction: dict[str, str]
    items: tuple[Item, ...]
    groups: dict[str, dict[str, str]]  # group -> language -> text

    def item(self, field: str) -> Item:
        for item in self.items:
            if item.field == field:
                return item
        raise KeyError(field)


def _texts(raw: object, where: str) -> dict[str, str]:
    if (
        not isinstance(raw, dict)
        or set(raw) != set(LANGUAGES)
        or not all(isinstance(v, str) and v for v in raw.values())
    ):
        raise QuestionnaireError(f"{where}: needs a non-empty text in each of {', '.join(LANGUAGES)}")
    return {lang: raw[lang].strip() for lang in LANGUAGES}


def _options(raw: dict, scales: dict, where: str) -> tuple[Option, ...]:
    if "scale" in raw:
        if raw["scale"] not in scales:
            raise QuestionnaireError(f"{where}: unknown scale {raw['scale']!r}")
        entries = [{**e, "value": e["code"]} for e in scales[raw["scale"]]]
    else:
        entries = raw.get("options") or []
    options = tuple(
        Option(str(e["code"]), e["value"], _texts({k: e.get(k) for k in LANGUAGES}, f"{where}.options"))
        for e in entries
    )
    if not options:
        raise QuestionnaireError(f"{where}: a single_choice item needs options or a scale")
    labels = [(f"{lang} label", [o.label[lang] for o in options]) for lang in LANGUAGES]
    for key, values in [("code", [o.code for o in options]), *labels]:
        if len(set(values)) != len(values):
            raise QuestionnaireError(f"{where}: duplicate answer {key}")
    return options


def _check_domain(item: Item, where: str) -> None:
    values = [o.value for o in item.options]
    if item.field == "sector_code" and sorted(values) != sorted(sector_codes()):
        raise QuestionnaireError(f"{where}: the sector options must be exactly the 9 sectors of section 1")
    if item.field == "sex" and not set(values) <= {"F", "M", None}:
        raise QuestionnaireError(f"{where}: sex answers map to F, M or null")
    if item.field not in ("sector_code", "sex") and item.kind == "single_choice" and tuple(values) != SCALE_CODES:
        raise QuestionnaireError(f"{where}: a 1..5 item has the codes 1, 2, 3, 4, 5 and 8 (don't know), in order")
    if item.field == "hours_total" and (item.minimum, item.maximum) != (1, 100):
        raise QuestionnaireError(f"{where}: hours_total is limited to 1..100")
    if item.field == "hours_doc" and (item.minimum, item.at_most) != (0, "hours_total"):
        raise QuestionnaireError(f"{where}: hours_doc is limited to 0..hours_total")


def parse(doc: dict) -> Questionnaire:
    """Build and check a questionnaire from its parsed YAML."""
    scales = doc.get("scales") or {}
    items = []
    for i, raw in enumerate(doc.get("items") or []):
        where = f"items[{i}] ({raw.get('field')})"
        kind = raw.get("kind")
        if kind not in ("single_choice", "number"):
            raise QuestionnaireError(f"{where}: kind must be single_choice or number")
        item = Item(
            field=raw["field"],
            code=str(raw["code"]),
            kind=kind,
            text=_texts(raw.get("text"), f"{where}.text"),
            help=_texts(raw["help"], f"{where}.help") if "help" in raw else {},
            options=_options(raw, scales, where) if kind == "single_choice" else (),
            scale=raw.get("scale"),
            group=raw.get("group"),
            required=bool(raw.get("required", False)),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            at_most=raw.get("at_most"),
            decimals=int(raw.get("decimals", 0)),
        )
        _check_domain(item, where)
        items.append(item)
    fields = [item.field for item in items]
    if sorted(fields) != sorted(ASKED_FIELDS):
        missing, extra = ASKED_FIELDS - set(fields), set(fields) - ASKED_FIELDS
        raise QuestionnaireError(
            f"items: must be exactly the asked canonical fields (missing: {sorted(missing)}, "
            f"not canonical or repeated: {sorted(extra) or [f for f in fields if fields.count(f) > 1]})"
        )
    columns = [item.column for item in items]
    if len(set(columns)) != len(columns):
        raise QuestionnaireError("items: duplicate Nettskjema question code")
    groups = {name: _texts(g.get("text"), f"groups.{name}") for name, g in (doc.get("groups") or {}).items()}
    for item in items:
        if item.group and item.group not in groups:
            raise QuestionnaireError(f"{item.field}: unknown group {item.group!r}")
    if not next(i for i in items if i.field == "sector_code").required:
        raise QuestionnaireError("sector_code: must be required (a response without a sector cannot be used)")
    return Questionnaire(
        kit_version=str(doc["kit_version"]),
        method_version=str(doc["method_version"]),
        introduction=_texts(doc.get("introduction"), "introduction"),
        items=tuple(items),
        groups=groups,
    )


@cache
def load(path: Path = QUESTIONNAIRE) -> Questionnaire:
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
