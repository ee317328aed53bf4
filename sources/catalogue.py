"""The catalogue of snapshot inputs (``sources/catalogue.yml``): data, not code."""

from dataclasses import dataclass
from pathlib import Path

import yaml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yml")
FORMATS = ("ssb_published_csv", "jsonstat", "population_csv", "obligations_csv")
KINDS = ("statistics", "register")


class CatalogueError(ValueError):
    """The catalogue file is malformed."""


@dataclass(frozen=True)
class CatalogueEntry:
    source_id: str
    format: str
    kind: str
    description: str


def load_catalogue(path: Path = CATALOGUE_PATH) -> list[CatalogueEntry]:
    """Parse and check the catalogue; errors name the file and the entry."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML ({exc})") from exc
    entries = []
    seen = set()
    for number, raw in enumerate(document.get("entries", []), start=1):
        where = f"{path}: entry {number}"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: expected a mapping")
        missing = [k for k in ("source_id", "format", "kind", "description") if not raw.get(k)]
        if missing:
            raise CatalogueError(f"{where}: missing {', '.join(missing)}")
        if raw["format"] not in FORMATS:
            raise CatalogueError(f"{where}: format '{raw['format']}' is not one of {', '.join(FORMATS)}")
        if raw["kind"] not in KINDS:
            raise CatalogueError(f"{where}: kind '{raw['kind']}' is not one of {', '.join(KINDS)}")
        if raw["source_id"] in seen:
            raise CatalogueError(f"{where}: duplicate source_id '{raw['source_id']}'")
        seen.add(raw["source_id"])
        entries.append(CatalogueEntry(raw["source_id"], raw["format"], raw["kind"], raw["description"].strip()))
    if not entries:
        raise CatalogueError(f"{path}: no entries")
    return entries
