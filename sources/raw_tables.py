"""Turn a snapshot into the rows of its raw table, by the catalogue entry's format.

Every raw table gets the provenance columns ``_source_id``, ``_snapshot_id``, ``_sha256`` and
``_data_status``; :func:`provenance_row` gives the matching row of ``raw.source_register``.
"""

from typing import Any

import pandas as pd

from sources import jsonstat
from sources.catalogue import CatalogueEntry
from sources.registers import read_obligations, read_population
from sources.snapshots import Snapshot, SnapshotError
from sources.ssb_published import read_published_table

REGISTER_COLUMNS = (
    "source_id",
    "kind",
    "title",
    "publisher",
    "url",
    "licence",
    "retrieved_at",
    "sha256",
    "origin",
    "data_status",
    "snapshot_id",
)


def _rows(entry: CatalogueEntry, snapshot: Snapshot, sectors: set[str] | None) -> list[dict[str, Any]]:
    data = snapshot.read_bytes()
    source = str(snapshot.payload_path)
    if entry.format == "ssb_published_csv":
        return read_published_table(data, source)
    if entry.format == "population_csv":
        return read_population(data, source, sectors)
    if entry.format == "obligations_csv":
        return read_obligations(data, source, sectors)
    if entry.format == "jsonstat":
        try:
            dataset = jsonstat.read(data)
            if dataset.has_text_values:
                raise jsonstat.JsonStatError("JSON-stat: text values where the pipeline needs numbers")
            return dataset.tidy_rows()
        except jsonstat.JsonStatError as exc:
            raise SnapshotError(f"{source}: {exc}") from exc
    raise SnapshotError(f"{source}: no reader for format '{entry.format}'")


def raw_frame(entry: CatalogueEntry, snapshot: Snapshot, sectors: set[str] | None = None) -> pd.DataFrame:
    """The raw table of a snapshot, with provenance columns; raises on any invalid row."""
    rows = _rows(entry, snapshot, sectors)
    frame = pd.DataFrame.from_records(rows)
    if frame.empty:
        raise SnapshotError(f"{snapshot.payload_path}: no rows")
    frame["_source_id"] = entry.source_id
    frame["_snapshot_id"] = snapshot.snapshot_id
    frame["_sha256"] = snapshot.sha256
    frame["_data_status"] = snapshot.data_status
    return frame


def provenance_row(kind: str, snapshot: Snapshot) -> dict[str, Any]:
    """The ``raw.source_register`` row of a snapshot, from its sidecar."""
    sidecar = snapshot.sidecar
    return {
        "source_id": snapshot.source_id,
        "kind": kind,
        "title": sidecar["title"],
        "publisher": sidecar["publisher"],
        "url": sidecar["origin_url"],
        "licence": sidecar["licence"],
        "retrieved_at": sidecar["retrieved_at"],
        "sha256": snapshot.sha256,
        "origin": sidecar["how_obtained"],
        "data_status": snapshot.data_status,
        "snapshot_id": snapshot.snapshot_id,
    }
