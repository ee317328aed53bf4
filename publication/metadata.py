"""Titles, descriptions (English and Norwegian) and units of the published tables and columns.

One source of truth: the dbt YAML of the marts (``dbt_project/models/marts/_marts.yml``): the English
description is the dbt ``description``; ``config.meta`` holds ``title_en``, ``title_nb``,
``description_nb`` and, for numbers, ``unit``. The ``releases`` table is written by the publication,
not by dbt, so its metadata lives here. datapackage.json, the analyst DuckDB file (COMMENT ON) and
the report all read this module.
"""

from dataclasses import dataclass
from functools import cache

import yaml

from storage.paths import DBT_PROJECT_DIR

MARTS_YAML = DBT_PROJECT_DIR / "models" / "marts" / "_marts.yml"


@dataclass(frozen=True)
class Described:
    """Title and description of a table or column, in English and Norwegian, and a unit."""

    name: str
    title_en: str
    title_nb: str
    description_en: str
    description_nb: str
    unit: str | None = None


@dataclass(frozen=True)
class TableMetadata:
    table: Described
    columns: dict[str, Described]


RELEASES_METADATA = TableMetadata(
    table=Described(
        "releases",
        "Releases and changelog",
        "Utgivelser og endringslogg",
        "Every release so far, oldest first, with what changed since the one before.",
        "Alle utgivelser så langt, eldste først, med hva som er endret siden forrige.",
    ),
    columns={
        "release_id": Described(
            "release_id", "Release", "Utgivelse", "Release identifier.", "Utgivelsens identifikator."
        ),
        "created_at": Described(
            "created_at",
            "Release date",
            "Utgivelsesdato",
            "Release date, derived from the newest input (never the clock).",
            "Utgivelsesdato, avledet av de nyeste inndataene (aldri klokken).",
        ),
        "method_version": Described(
            "method_version", "Method version", "Metodeversjon", "Version of the methodology.", "Metodeversjonen."
        ),
        "data_status": Described(
            "data_status",
            "Data status",
            "Datastatus",
            "'published' or 'demonstration'.",
            "'published' eller 'demonstration'.",
        ),
        "changelog": Described(
            "changelog",
            "Changelog",
            "Endringslogg",
            "What changed since the previous release (inputs, rows, values beyond rounding, method).",
            "Hva som er endret siden forrige utgivelse (inndata, rader, verdier utover avrunding, metode).",
        ),
    },
)


class MetadataError(ValueError):
    """A published table or column lacks its title or description."""


def _described(name: str, entry: dict, where: str, strict: bool) -> Described:
    """Lenient (``strict=False``): a missing title falls back to the name, a missing Norwegian text to
    the English one, so a newly added column never stops a publication; tests run strict."""
    config = entry.get("config") or {}
    meta = config.get("meta") or entry.get("meta") or {}
    description = " ".join(str(entry.get("description") or "").split())
    missing = [k for k in ("title_en", "title_nb", "description_nb") if not meta.get(k)]
    if not description:
        missing.insert(0, "description")
    if missing and strict:
        raise MetadataError(f"{MARTS_YAML}: {where}: missing {', '.join(missing)} (description, config.meta)")
    title_en = str(meta.get("title_en") or name)
    return Described(
        name,
        title_en,
        str(meta.get("title_nb") or title_en),
        description,
        " ".join(str(meta.get("description_nb") or description).split()),
        str(meta["unit"]) if meta.get("unit") else None,
    )


@cache
def _marts_models() -> dict[str, dict]:
    document = yaml.safe_load(MARTS_YAML.read_text(encoding="utf-8"))
    return {model["name"]: model for model in document.get("models", [])}


def table_metadata(table: str, columns: list[str] | None = None, strict: bool = False) -> TableMetadata:
    """Metadata of published table ``table``; with ``strict``, ``columns`` (when given) must all be
    described in both languages, otherwise undescribed columns get their name as title."""
    if table == "releases":
        meta = RELEASES_METADATA
    else:
        models = _marts_models()
        if table not in models and strict:
            raise MetadataError(f"{MARTS_YAML}: no model '{table}'")
        model = models.get(table, {"name": table, "description": table})
        described = {
            str(c["name"]): _described(str(c["name"]), c, f"{table}.{c['name']}", strict)
            for c in model.get("columns", [])
        }
        meta = TableMetadata(_described(table, model, table, strict), described)
    undescribed = [c for c in columns or [] if c not in meta.columns]
    if undescribed and strict:
        raise MetadataError(f"{MARTS_YAML}: published columns of {table} not described: {', '.join(undescribed)}")
    for column in undescribed:
        meta.columns[column] = Described(column, column, column, "", "")
    return meta
