"""Immutable raw snapshots: the payload bytes as received plus a JSON provenance sidecar.

Layout (Our World in Data style)::

    <snapshots>/<source_id>/<snapshot_id>/payload.<ext>
    <snapshots>/<source_id>/<snapshot_id>/sidecar.json

``snapshot_id`` starts with the UTC retrieval time (``20261125T000000Z``). Snapshots are ordered by
arrival -- the sidecar's full-precision ``retrieved_at``, then its ``sequence`` (1, 2, 3, ... per
source and store) -- never by the hash in the id, so two snapshots stored in the same second keep
the order in which they arrived. A snapshot is never overwritten; :func:`write_snapshot` refuses
to do so.

Two stores are read: the inputs' ``snapshots/`` folder (the repository's embedded snapshot by
default, read-only for a run) and the writable store where live fetches are written
(:func:`writable_store`: ``$RBI_SNAPSHOT_DIR``, else ``$RBI_OUTPUT_DIR/snapshots``). Replay takes
the newest snapshot of either (:func:`newest_snapshot`); :func:`snapshot_by_id` also looks in the
writable store, so provenance lookups find live snapshots too.
"""

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.atomic import write_folder
from storage.paths import EMBEDDED_INPUTS, Paths

SIDECAR = "sidecar.json"
REQUIRED_SIDECAR_KEYS = (
    "source_id",
    "title",
    "publisher",
    "origin_url",
    "how_obtained",
    "retrieved_at",
    "licence",
    "sha256",
    "data_status",
)
DATA_STATUSES = ("published", "demonstration")


class SnapshotError(ValueError):
    """A snapshot is missing, incomplete, or its payload does not match its checksum."""


@dataclass(frozen=True)
class Snapshot:
    """One stored snapshot: where its payload is and what its sidecar says."""

    source_id: str
    snapshot_id: str
    payload_path: Path
    sidecar: dict[str, Any] = field(hash=False)

    @property
    def sha256(self) -> str:
        return str(self.sidecar["sha256"])

    @property
    def data_status(self) -> str:
        return str(self.sidecar["data_status"])

    def read_bytes(self) -> bytes:
        """The payload, verified against the sidecar's sha256."""
        data = self.payload_path.read_bytes()
        digest = sha256_bytes(data)
        if digest != self.sha256:
            raise SnapshotError(
                f"{self.payload_path}: sha256 is {digest} but the sidecar says {self.sha256}; "
                "the snapshot was changed after it was stored"
            )
        return data


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def snapshot_id_for(retrieved_at: datetime, sha256: str) -> str:
    """``20261125T101500Z-1a2b3c4d``: sortable by time, unique by content."""
    return retrieved_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + sha256[:8]


def _load_sidecar(path: Path) -> dict[str, Any]:
    try:
        sidecar = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: unreadable sidecar ({exc})") from exc
    missing = [key for key in REQUIRED_SIDECAR_KEYS if key not in sidecar]
    if missing:
        raise SnapshotError(f"{path}: sidecar lacks {', '.join(missing)}")
    if sidecar["data_status"] not in DATA_STATUSES:
        raise SnapshotError(f"{path}: data_status must be one of {DATA_STATUSES}, got {sidecar['data_status']!r}")
    return sidecar


def list_snapshots(root: Path, source_id: str) -> list[Snapshot]:
    """All snapshots of a source, oldest first."""
    base = root / source_id
    if not base.is_dir():
        return []
    found = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.endswith(".partial")):
        sidecar_path = folder / SIDECAR
        if not sidecar_path.exists():
            raise SnapshotError(f"{folder}: no {SIDECAR} beside the payload")
        sidecar = _load_sidecar(sidecar_path)
        payloads = [p for p in folder.iterdir() if p.name.startswith("payload.")]
        if len(payloads) != 1:
            raise SnapshotError(f"{folder}: expected exactly one payload.* file, found {len(payloads)}")
        found.append(Snapshot(source_id, folder.name, payloads[0], sidecar))
    return sorted(found, key=arrival)


def arrival(snapshot: Snapshot) -> tuple[datetime, int, str]:
    """The order of arrival: retrieval time (full precision), then the store's sequence number."""
    text = str(snapshot.sidecar.get("retrieved_at", ""))
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        when = datetime.min.replace(tzinfo=UTC)
    sequence = snapshot.sidecar.get("sequence")
    return when, sequence if isinstance(sequence, int) else 0, snapshot.snapshot_id


def latest_snapshot(root: Path, source_id: str) -> Snapshot:
    """The newest snapshot of a source (the default for replay)."""
    snapshots = list_snapshots(root, source_id)
    if not snapshots:
        raise SnapshotError(f"no snapshot of source '{source_id}' under {root / source_id}")
    return snapshots[-1]


def writable_store(where: Paths | None = None) -> Path:
    """Where live fetches are stored: ``Paths.snapshot_store`` (``$RBI_SNAPSHOT_DIR``, else
    ``<output dir>/snapshots``).

    Never the repository's embedded folder: the embedded snapshot is an input, not a cache."""
    store = (where or Paths.from_env()).snapshot_store
    embedded = (EMBEDDED_INPUTS / "snapshots").resolve()
    if store.resolve() == embedded or embedded in store.resolve().parents:
        raise SnapshotError(f"{store}: live snapshots must not be written into the repository's embedded snapshot")
    return store


def _roots(root: Path | Sequence[Path]) -> list[Path]:
    roots = [root] if isinstance(root, Path) else list(root)
    unique: list[Path] = []
    for candidate in roots:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def newest_snapshot(roots: Path | Sequence[Path], source_id: str) -> Snapshot | None:
    """The newest snapshot of a source in any of the stores (ids sort by retrieval time), or None."""
    found = [s for root in _roots(roots) for s in list_snapshots(root, source_id)]
    if not found:
        return None
    return max(found, key=arrival)


def snapshot_by_id(
    root: Path | Sequence[Path], source_id: str, snapshot_id: str, where: Paths | None = None
) -> Snapshot:
    """A given snapshot of a source (to record exactly which one a raw table was loaded from).

    Looks in ``root`` (one store or several) and then in the writable store of live fetches."""
    roots = _roots(root)
    with contextlib.suppress(SnapshotError):
        roots.append(writable_store(where))
    for store in _roots(roots):
        for snapshot in list_snapshots(store, source_id):
            if snapshot.snapshot_id == snapshot_id:
                return snapshot
    where = ", ".join(str(r / source_id) for r in _roots(roots))
    raise SnapshotError(f"no snapshot '{snapshot_id}' of source '{source_id}' under {where}")


def write_snapshot(
    root: Path,
    source_id: str,
    payload: bytes,
    extension: str,
    metadata: dict[str, Any],
    retrieved_at: datetime | None = None,
    parts: Sequence[tuple[str, bytes]] = (),
) -> Snapshot:
    """Store a payload and its sidecar; never overwrites an existing snapshot.

    ``parts`` are further files stored beside the payload exactly as received (e.g. the responses
    of a query that had to be split); the sidecar lists each with its sha256."""
    retrieved_at = retrieved_at or datetime.now(UTC)
    digest = sha256_bytes(payload)
    snapshot_id = snapshot_id_for(retrieved_at, digest)
    folder = root / source_id / snapshot_id
    if folder.exists():
        raise SnapshotError(f"{folder}: snapshot already exists; snapshots are immutable")
    sidecar = {
        **metadata,
        "source_id": source_id,
        "retrieved_at": retrieved_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "sha256": digest,
        "bytes": len(payload),
        "sequence": 1 + max((s.sidecar.get("sequence") or 0 for s in list_snapshots(root, source_id)), default=0),
    }
    if parts:
        sidecar["parts"] = [{"file": name, "sha256": sha256_bytes(data), "bytes": len(data)} for name, data in parts]
    missing = [key for key in REQUIRED_SIDECAR_KEYS if key not in sidecar]
    if missing:
        raise SnapshotError(f"cannot store snapshot of '{source_id}': metadata lacks {', '.join(missing)}")
    bad = [name for name, _ in parts if name.startswith("payload.") or name == SIDECAR or "/" in name]
    if bad:
        raise SnapshotError(f"cannot store snapshot of '{source_id}': bad part name(s) {', '.join(bad)}")
    sidecar_bytes = (json.dumps(sidecar, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    # all or nothing, fsynced (storage/atomic.py); list_snapshots skips a `.partial` folder
    write_folder(folder, {f"payload.{extension}": payload, **dict(parts), SIDECAR: sidecar_bytes})
    return Snapshot(source_id, snapshot_id, folder / f"payload.{extension}", sidecar)
