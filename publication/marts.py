"""Reading the gated marts from the warehouse (read-only) for the gate and the release builder."""

from pathlib import Path
from typing import Any

from storage import warehouse_wait


def read_relation(db_path: Path, relation: str) -> list[dict[str, Any]]:
    """All rows of a warehouse relation, through a read-only connection that is closed after (a
    bounded wait while another process holds the file: storage/warehouse_wait.py)."""
    with warehouse_wait.connect(db_path, read_only=True) as con:
        cursor = con.execute(f"select * from {relation}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
