"""One survey export + its mapping file -> canonical records and an ingestion report.

``check_export`` is what both the command ``python -m sources.surveys validate`` and the inbox use:
it reads the mapping, reads only the mapped columns of the export in the declared format, maps
and checks every row, and applies the mapping's row policy. It never raises for a bad file: the
problems are in the returned :class:`IngestReport` (``accepted`` False), which can be written as
JSON and as readable text naming the file, the row and the column of every problem.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sources.surveys.delimited import SurveyFormatError, Table
from sources.surveys.engine import MappedSurvey, map_table
from sources.surveys.exports import read_export, time_columns
from sources.surveys.mapping import Mapping, MappingError, load_mapping, mapping_columns
from sources.surveys.msforms import response_period
from sources.surveys.placeholders import mapping_placeholder_problems
from sources.surveys.problems import problem_dicts, summarise_groups

MAX_ROWS_IN_REPORT = 1000


@dataclass
class IngestReport:
    """What checking one export against its mapping found."""

    export: str
    mapping: str
    accepted: bool
    survey_id: str | None = None
    format: str | None = None
    rows_read: int = 0
    rows_rejected: int = 0
    policy: str | None = None
    error: str | None = None  # the file could not be read or mapped at all
    lines: list[str] = field(default_factory=list)  # one summary line per problem message, no answer quoted
    restricted_lines: list[str] = field(default_factory=list)  # the same with the answers (restricted outputs)
    problems: list[dict] = field(default_factory=list)
    detected: dict[str, str | None] = field(default_factory=dict)

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_rejected

    def decision(self) -> str:
        if self.error:
            return f"rejected: {self.error}"
        if not self.accepted:
            return f"rejected: {self.rows_rejected} of {self.rows_read} rows have problems (policy: {self.policy})"
        if self.rows_rejected:
            return f"accepted, {self.rows_rejected} of {self.rows_read} rows dropped (policy: {self.policy})"
        return f"accepted, {self.rows_read} rows, no problems"

    def to_json(self) -> str:
        doc = {
            "export": self.export,
            "mapping": self.mapping,
            "survey_id": self.survey_id,
            "format": self.format,
            "detected": self.detected,
            "accepted": self.accepted,
            "decision": self.decision(),
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "rows_kept": self.rows_kept,
            "policy": self.policy,
            "error": self.error,
            "problems": self.problems,
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_text(self, restricted: bool = False) -> str:
        """The readable report. ``restricted=False`` (logs, Dagster events) never quotes an answer;
        ``restricted=True`` (the ``validate`` command, reports in the restricted raw area) does."""
        lines = [
            f"export:  {self.export}",
            f"mapping: {self.mapping}",
            f"survey:  {self.survey_id or '?'} ({self.format or '?'})",
            f"result:  {self.decision()}",
        ]
        if self.detected:
            shown = {k: (f"'{v}'" if k == "delimiter" and v != "tab" else v) for k, v in self.detected.items() if v}
            lines.append("read as: " + ", ".join(f"{k} {v}" for k, v in shown.items()))
        if self.error:
            lines += ["", self.error]
        shown = self.restricted_lines if restricted and self.restricted_lines else self.lines
        if shown:
            lines += ["", f"problems (row = data row, 1 = the first row after the header) in {self.export}:"]
            lines += [f"  {line}" for line in shown]
        return "\n".join(lines) + "\n"


@dataclass
class CheckedExport:
    """A report and, when the file is accepted, its canonical records."""

    report: IngestReport
    mapping: Mapping | None = None
    mapped: MappedSurvey | None = None

    @property
    def records(self) -> pd.DataFrame | None:
        return self.mapped.records if self.mapped is not None and self.report.accepted else None


def _response_dates(table: Table, columns: list[str]) -> str | None:
    """First and last response date (``2026-11-02..2026-11-24``) from the tool's time column; the
    times themselves are dropped here."""
    for column in columns:
        if column in table.columns:
            # keep the date part only (before a space or 'T' followed by a digit), then the distinct dates
            dates = pc.replace_substring_regex(table.arrow(column), pattern=r"[ T]\d.*$", replacement="")
            table.columns.pop(column)
            period = response_period(pc.unique(dates).to_pylist())
            if period is not None:
                return f"{period[0].isoformat()}..{period[1].isoformat()}"
    return None


def check_export(
    export_path: str | Path,
    mapping_path: str | Path,
    sectors: set[str] | frozenset[str] | None = None,
    mapping: Mapping | None = None,
) -> CheckedExport:
    """Read, map and check an export against its mapping; never raises for a bad file."""
    export_path, mapping_path = Path(export_path), Path(mapping_path)
    report = IngestReport(export=str(export_path), mapping=str(mapping_path), accepted=False)
    try:
        mapping = mapping or load_mapping(mapping_path)
    except MappingError as exc:
        report.error = f"mapping file: {exc}"
        return CheckedExport(report)
    report.survey_id, report.format, report.policy = mapping.survey_id, mapping.format, mapping.row_policy.describe()
    if placeholders := mapping_placeholder_problems(mapping):  # the survey kit's, until replaced
        report.error = f"mapping file {mapping_path}: " + "; ".join(placeholders)
        return CheckedExport(report, mapping)
    times = [c for c in time_columns(mapping.format) if c not in mapping_columns(mapping)]
    try:
        table = read_export(export_path, mapping.format, mapping_columns(mapping) + times, mapping.export)
    except (SurveyFormatError, OSError) as exc:
        report.error = str(exc)
        return CheckedExport(report, mapping)
    delimiter = {"\t": "tab"}.get(table.delimiter or "", table.delimiter)
    report.detected = {"encoding": table.encoding, "delimiter": delimiter, "sheet": table.sheet}
    pa.default_memory_pool().release_unused()  # give the parser's buffers back before mapping
    mapped = map_table(table, mapping, str(export_path), sectors, release_columns=True, time_columns=times)
    report.detected["responses"] = _response_dates(table, times)
    del table
    report.rows_read, report.rows_rejected = mapped.rows_read, mapped.rows_rejected
    report.lines = summarise_groups(mapped.groups)
    report.restricted_lines = summarise_groups(mapped.groups, with_values=True)
    report.problems = problem_dicts(mapped.groups, MAX_ROWS_IN_REPORT)
    if mapped.file_problems:
        report.accepted = False
    elif mapped.rows_read == 0:
        report.error = f"{export_path}: the export has a header but no rows"
    else:
        report.accepted = not mapping.row_policy.file_rejected(mapped.rows_rejected, mapped.rows_read)
    return CheckedExport(report, mapping, mapped)


def find_export(folder: Path) -> Path:
    """The export file of a survey folder: the one file named ``export.<csv|tsv|txt|xlsx>``."""
    candidates = sorted(p for p in folder.glob("export.*") if p.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx"))
    if len(candidates) != 1:
        from sources.surveys.exports import unsupported_export_hint

        others = [unsupported_export_hint(p) for p in folder.glob("export.*")]
        if not candidates and any(others):
            raise ValueError(f"{folder}: export.* is {next(h for h in others if h)}")
        found = ", ".join(p.name for p in candidates) or "none"
        raise ValueError(f"{folder}: a survey folder holds exactly one export.<csv|tsv|txt|xlsx> (found: {found})")
    return candidates[0]
