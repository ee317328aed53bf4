"""What a release is: its id, date, method version and data status, as ``marts.release_info`` states them.

Every output module of the release builder takes a :class:`ReleaseInfo`; :func:`release_info` makes one
from the warehouse's row (``publication/marts.py`` reads it), and ``publication/identity.py`` appends the
presentation revision to its id.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReleaseInfo:
    release_id: str
    created_at: str
    method_version: str
    data_status: str


def release_info(row: dict[str, Any]) -> ReleaseInfo:
    """The identity of the release a ``marts.release_info`` row describes."""
    created = row["created_at"]
    created_text = created.date().isoformat() if hasattr(created, "date") else str(created)
    return ReleaseInfo(str(row["release_id"]), created_text, str(row["method_version"]), str(row["data_status"]))
