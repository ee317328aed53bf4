"""The catalogue of inputs (``sources/catalogue.yml``): data, not code.

Every entry becomes one raw asset ``raw/<source_id>``. Besides how its snapshot is read
(``format``) an entry says where the data comes from:

- ``provider: ssb`` — a StatBank table fetched live through PxWebApi v2 (or the v0 POST API):
  ``table_id``, ``api`` (v2 | v0), ``lang``, ``output_format``, ``query`` (value codes per
  variable) and ``expected_dimensions`` (the dimension codes the response must have; a renamed
  code is an error, never silently mapped);
- ``provider: transcribed`` — figures transcribed by hand from published pages (no live path);
- ``provider: project`` — files the project itself maintains (registers, demonstration data).

``enabled_offline: false`` marks an entry that has no stored snapshot yet: the default replay
run loads an empty table for it (and says so) instead of failing.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yml")
FORMATS = ("ssb_published_csv", "jsonstat", "population_csv", "obligations_csv")
KINDS = ("statistics", "register")
PROVIDERS = ("ssb", "transcribed", "project")
APIS = ("v2", "v0")
OUTPUT_FORMATS = ("json-stat2",)
DEFAULT_LICENCE = "CC BY 4.0 (Kilde: Statistisk sentralbyrå)"


class CatalogueError(ValueError):
    """The catalogue file is malformed."""


@dataclass(frozen=True)
class CatalogueEntry:
    source_id: str
    format: str
    kind: str
    description: str
    provider: str = "project"
    licence: str = ""
    title: str = ""
    table_id: str = ""
    api: str = "v2"
    lang: str = "no"
    output_format: str = "json-stat2"
    query: dict[str, list[str]] = field(default_factory=dict, hash=False)
    expected_dimensions: tuple[str, ...] = ()
    enabled_offline: bool = True
    verified: bool = True
    feeds: str = ""

    @property
    def asset_key(self) -> str:
        """The raw asset this entry feeds."""
        return self.feeds or f"raw/{self.source_id}"

    @property
    def is_live(self) -> bool:
        """Can this entry be fetched from an API?"""
        return self.provider == "ssb"


def _entry(raw: dict[str, Any], where: str) -> CatalogueEntry:
    missing = [k for k in ("source_id", "format", "kind", "description") if not raw.get(k)]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    if raw["format"] not in FORMATS:
        raise CatalogueError(f"{where}: format '{raw['format']}' is not one of {', '.join(FORMATS)}")
    if raw["kind"] not in KINDS:
        raise CatalogueError(f"{where}: kind '{raw['kind']}' is not one of {', '.join(KINDS)}")
    provider = raw.get("provider", "project")
    if provider not in PROVIDERS:
        raise CatalogueError(f"{where}: provider '{provider}' is not one of {', '.join(PROVIDERS)}")
    query = raw.get("query") or {}
    if not isinstance(query, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and v and all(isinstance(c, str | int) for c in v)
        for k, v in query.items()
    ):
        raise CatalogueError(f"{where}: query must map each variable code to a non-empty list of value codes")
    query = {k: [str(c) for c in v] for k, v in query.items()}
    expected = raw.get("expected_dimensions") or []
    if not isinstance(expected, list) or not all(isinstance(d, str) for d in expected):
        raise CatalogueError(f"{where}: expected_dimensions must be a list of dimension codes")
    enabled_offline = raw.get("enabled_offline", True)
    if not isinstance(enabled_offline, bool):
        raise CatalogueError(f"{where}: enabled_offline must be true or false")
    if provider == "ssb":
        for key in ("table_id", "query", "expected_dimensions", "licence"):
            if not raw.get(key):
                raise CatalogueError(f"{where}: provider ssb needs '{key}'")
        if raw["format"] != "jsonstat":
            raise CatalogueError(f"{where}: provider ssb needs format jsonstat (the API answers in JSON-stat)")
        api = str(raw.get("api", "v2"))
        if api not in APIS:
            raise CatalogueError(f"{where}: api '{api}' is not one of {', '.join(APIS)}")
        output_format = str(raw.get("output_format", "json-stat2"))
        if output_format not in OUTPUT_FORMATS:
            raise CatalogueError(f"{where}: output_format '{output_format}' is not one of {', '.join(OUTPUT_FORMATS)}")
        unknown = [v for v in query if v not in expected]
        if unknown:
            raise CatalogueError(f"{where}: query variable(s) {', '.join(unknown)} not in expected_dimensions")
    return CatalogueEntry(
        source_id=raw["source_id"],
        format=raw["format"],
        kind=raw["kind"],
        description=str(raw["description"]).strip(),
        provider=provider,
        licence=str(raw.get("licence", "")),
        title=str(raw.get("title", "")),
        table_id=str(raw.get("table_id", "")),
        api=str(raw.get("api", "v2")),
        lang=str(raw.get("lang", "no")),
        output_format=str(raw.get("output_format", "json-stat2")),
        query=query,
        expected_dimensions=tuple(expected),
        enabled_offline=enabled_offline,
        verified=bool(raw.get("verified", True)),
        feeds=str(raw.get("feeds", "")),
    )


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
        entry = _entry(raw, where + (f" ({raw['source_id']})" if raw.get("source_id") else ""))
        if entry.source_id in seen:
            raise CatalogueError(f"{where}: duplicate source_id '{entry.source_id}'")
        seen.add(entry.source_id)
        entries.append(entry)
    if not entries:
        raise CatalogueError(f"{path}: no entries")
    return entries


def entry_by_id(source_id: str, path: Path = CATALOGUE_PATH) -> CatalogueEntry:
    for entry in load_catalogue(path):
        if entry.source_id == source_id:
            return entry
    raise CatalogueError(f"{path}: no entry '{source_id}'")
