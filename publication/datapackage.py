"""``datapackage.json``: a Frictionless Data Package with a Table Schema per published CSV.

Field types follow the column kinds, titles and descriptions come in English (``title``,
``description``) and Norwegian (``title_nb``, ``description_nb``), numbers carry their ``unit``; all of
it from publication/metadata.py (the dbt YAML of the marts). Licence CC-BY-4.0, the
release's sources, method version and data status. ``frictionless validate datapackage.json``
checks the package, the schemas, the data and each file's sha256.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from publication.checksums import sha256_hex
from publication.contracts import KEYS
from publication.glossary import flags, flags_pattern
from publication.meaning import WHAT_EN, WHAT_NB
from publication.metadata import table_metadata
from publication.release_info import ReleaseInfo

FIELD_TYPES = {"text": "string", "int": "integer", "dec1": "number", "dec3": "number", "plain": "number"}
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
PACKAGE_NAME = "rapporteringsbyrdeindeksen"


def created_datetime(created_at: str) -> str:
    """The release date as the ISO 8601 datetime Frictionless wants (a date is midnight UTC)."""
    return created_at if "T" in created_at else f"{created_at}T00:00:00Z"


def table_schema(table: str, columns: Mapping[str, str]) -> dict[str, Any]:
    meta = table_metadata(table, list(columns))
    fields = []
    for name, kind in columns.items():
        column = meta.columns[name]
        field: dict[str, Any] = {
            "name": name,
            "type": FIELD_TYPES[kind],
            "title": column.title_en,
            "description": column.description_en,
            "title_nb": column.title_nb,
            "description_nb": column.description_nb,
        }
        if column.unit:
            field["unit"] = column.unit
        if kind in ("dec1", "dec3"):
            field["decimals"] = 1 if kind == "dec1" else 3
        if name == "flags":
            # allowed values: codes of the glossary joined by ';', each described in both languages
            field["constraints"] = {"pattern": flags_pattern()}
            field["x_values"] = [
                {
                    "value": f.flag,
                    "title": f.label_en,
                    "title_nb": f.label_nb,
                    "description": f.meaning_en,
                    "description_nb": f.meaning_nb,
                }
                for f in flags()
            ]
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table in KEYS:
        schema["primaryKey"] = list(KEYS[table])
    return schema


def datapackage_json(
    info: ReleaseInfo,
    tables: Sequence[tuple[str, Mapping[str, str]]],
    files: Mapping[str, bytes],
    sources: Sequence[Mapping[str, Any]],
    extra_files: Mapping[str, str] | None = None,
) -> bytes:
    """The package of the CSV ``tables`` (name, columns) whose bytes are in ``files`` (``<name>.csv``).

    ``extra_files`` (path -> description) lists the release's other files under ``x_files``."""
    demo = info.data_status == "demonstration"
    resources = []
    for name, columns in tables:
        meta = table_metadata(name, list(columns))
        path = f"{name}.csv"
        data = files[path]
        resources.append(
            {
                "name": name,
                "path": path,
                "type": "table",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "title": meta.table.title_en,
                "description": meta.table.description_en,
                "title_nb": meta.table.title_nb,
                "description_nb": meta.table.description_nb,
                "bytes": len(data),
                "hash": f"sha256:{sha256_hex(data)}",
                "dialect": {"csv": {"delimiter": ",", "lineTerminator": "\n"}},
                "schema": table_schema(name, columns),
            }
        )
    banner_en = "DEMONSTRATION DATA: built from invented data, NOT real measurements. " if demo else ""
    banner_nb = "DEMONSTRASJONSDATA: bygger på oppdiktede data, IKKE reelle målinger. " if demo else ""
    package = {
        "name": PACKAGE_NAME,
        "id": info.release_id,
        "title": f"Reporting Burden Index, release {info.release_id}",
        "title_nb": f"Rapporteringsbyrdeindeksen, utgivelse {info.release_id}",
        "description": banner_en
        + "How much of Norwegian public employees' working time goes to reporting, documentation and "
        "control, per sector and year (0-100, higher = more burden). " + WHAT_EN,
        "description_nb": banner_nb
        + "Hvor stor del av arbeidstiden offentlig ansatte bruker på rapportering, dokumentasjon og "
        "kontroll, per sektor og år (0-100, høyere = mer byrde). " + WHAT_NB,
        "version": info.method_version,
        "created": created_datetime(info.created_at),
        "release_id": info.release_id,
        "method_version": info.method_version,
        "data_status": info.data_status,
        "licenses": [LICENCE],
        "sources": [
            {
                "title": str(source.get("title") or source["source_id"]),
                **({"path": str(source["url"])} if source.get("url") else {}),
                "source_id": str(source["source_id"]),
                "publisher": str(source.get("publisher") or ""),
                "licence": str(source.get("licence") or ""),
            }
            for source in sources
        ],
        "resources": resources,
    }
    if extra_files:
        package["x_files"] = dict(sorted(extra_files.items()))
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
