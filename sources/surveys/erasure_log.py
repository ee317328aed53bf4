"""The audit log of withdrawals, erasures and operator decisions (spec section 10), and the deny
list it implies. JSON lines, append-only (``Paths.audit_log``, ``<raw>/audit/erasures.jsonl``,
folder 0o750 / file 0o640). Records hold survey ids and respondent KEYS (sources/pseudonyms.py),
never a tool's respondent id and never an answer.

Kept apart from :mod:`sources.surveys.erasure` so the inbox can read the deny list without
importing the release preview (DuckDB, the revision store).
"""

import json
import os
from pathlib import Path

import pandas as pd

LOG_DIR_MODE = 0o750
LOG_FILE_MODE = 0o640


def read_log(path: Path) -> list[dict]:
    """Every record of the audit log, oldest first (an empty list when there is none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def append_record(path: Path, record: dict) -> None:
    """Append one JSON line and flush it to disk; the log is never rewritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(LOG_DIR_MODE)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_FILE_MODE)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.chmod(LOG_FILE_MODE)


def exclusions(records: list[dict]) -> tuple[set[str], set[tuple[str, str]]]:
    """(withdrawn survey ids, erased (survey_id, respondent key) pairs) named by the audit log."""
    withdrawn = {r["survey_id"] for r in records if r.get("action") == "withdraw"}
    erased = {(r["survey_id"], r["respondent_id"]) for r in records if r.get("action") == "erase"}
    return withdrawn, erased


def apply_exclusions(frame: pd.DataFrame, records: list[dict]) -> tuple[pd.DataFrame, int]:
    """The canonical records without the withdrawn surveys and erased respondents; rows dropped."""
    withdrawn, erased = exclusions(records)
    if frame.empty or not (withdrawn or erased):
        return frame, 0
    survey = frame["survey_id"].astype(str)
    keys = pd.Series(list(zip(survey, frame["respondent_id"].astype(str), strict=True)), index=frame.index)
    drop = survey.isin(withdrawn) | keys.isin(erased)
    return frame.loc[~drop].reset_index(drop=True), int(drop.sum())
