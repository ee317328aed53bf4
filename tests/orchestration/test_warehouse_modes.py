"""The warehouse holds respondent-level rows: its folder and file are owner/group only, whatever
the umask (docs/surveys.md, "Privacy")."""

import os
import stat
from pathlib import Path

import pandas as pd

from orchestration.resources import Warehouse


def test_warehouse_file_and_folder_are_owner_and_group_only(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        db_path = tmp_path / "warehouse" / "warehouse.duckdb"
        rows = Warehouse().write_raw(db_path, "survey_responses", pd.DataFrame({"respondent_id": ["R1", "R2"]}))
    finally:
        os.umask(previous)
    assert rows == 2
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o750
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o640
