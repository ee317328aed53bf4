"""Survey exports -> canonical records (spec section 2) in raw.survey_responses.

Every folder under <inputs>/surveys/ holds one export and its mapping file. Only mapped canonical
fields reach the warehouse; free text, names, e-mail and timestamps are dropped by the mapping.
"""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, Config, Failure, MaterializeResult, MetadataValue, asset

from orchestration.assets.raw_inputs import WAREHOUSE_POOL, known_sectors
from orchestration.resources import PipelinePaths, Warehouse
from sources.snapshots import sha256_bytes
from sources.surveys.mapping import MappingError, apply_mapping, load_mapping, summarise_problems
from sources.surveys.nettskjema import SurveyFormatError, read_nettskjema_csv


class SurveyIngestConfig(Config):
    """Row-level policy: rows with problems are dropped and reported; a file whose share of
    dropped rows exceeds this threshold is rejected as a whole."""

    max_rejected_share: float = 0.05


@dataclass
class IngestedSurvey:
    survey_id: str
    data_status: str
    records: pd.DataFrame
    rows_read: int
    rows_rejected: int
    problems: list[str]


def survey_register_row(folder: Path, export_sha: str) -> dict:
    """The ``raw.source_register`` row of a survey folder (its mapping says what the survey is)."""
    mapping_path = folder / "mapping.yml"
    mapping = load_mapping(mapping_path)
    mapping_sha = sha256_bytes(mapping_path.read_bytes())
    return {
        "source_id": mapping.survey_id,
        "kind": "survey",
        "title": mapping.title or mapping.survey_id,
        "publisher": mapping.publisher or "",
        "url": "",
        "licence": mapping.licence or "",
        "retrieved_at": None,
        "sha256": export_sha,
        "origin": f"survey export {folder.name}/export.csv, mapped by mapping.yml (sha256 {mapping_sha[:12]})",
        "data_status": mapping.data_status,
        "snapshot_id": folder.name,
    }


def ingest_survey_folder(folder: Path, sectors: set[str], max_rejected_share: float) -> IngestedSurvey:
    """Read one survey folder (export.csv + mapping.yml); raise ValueError naming the file on failure."""
    export_path = folder / "export.csv"
    mapping_path = folder / "mapping.yml"
    for required in (export_path, mapping_path):
        if not required.exists():
            raise ValueError(f"{required}: missing (a survey folder holds export.csv and mapping.yml)")
    mapping = load_mapping(mapping_path)
    export = read_nettskjema_csv(export_path)
    mapped = apply_mapping(export, mapping, str(export_path), sectors=sectors)
    rows_read = len(export)
    share = mapped.rows_rejected / rows_read if rows_read else 1.0
    problems = summarise_problems(mapped.problems)
    if share > max_rejected_share:
        raise ValueError(
            f"{export_path}: {mapped.rows_rejected} of {rows_read} rows have problems "
            f"(more than {max_rejected_share:.0%}); file rejected:\n  " + "\n  ".join(problems)
        )
    records = mapped.records.copy()
    records["_source_id"] = mapping.survey_id
    records["_snapshot_id"] = folder.name
    records["_sha256"] = sha256_bytes(export_path.read_bytes())
    records["_data_status"] = mapping.data_status
    return IngestedSurvey(mapping.survey_id, mapping.data_status, records, rows_read, mapped.rows_rejected, problems)


@asset(
    key_prefix="raw",
    group_name="raw",
    description="Canonical survey records of every export in <inputs>/surveys (spec section 2).",
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
)
def survey_responses(
    context: AssetExecutionContext,
    config: SurveyIngestConfig,
    pipeline_paths: PipelinePaths,
    warehouse: Warehouse,
) -> MaterializeResult:
    root = pipeline_paths.surveys()
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not folders:
        raise Failure(description=f"{root}: no survey folders; the index needs at least one survey")
    sectors = known_sectors()
    ingested: list[IngestedSurvey] = []
    for folder in folders:
        try:
            survey = ingest_survey_folder(folder, sectors, config.max_rejected_share)
        except (ValueError, SurveyFormatError, MappingError) as exc:
            context.log.error(str(exc))
            raise Failure(description=str(exc), metadata={"folder": str(folder)}) from exc
        for line in survey.problems:
            context.log.warning(f"{survey.survey_id}: row dropped: {line}")
        ingested.append(survey)
    ids = [s.survey_id for s in ingested]
    if len(set(ids)) != len(ids):
        raise Failure(description=f"{root}: the same survey_id appears in more than one folder: {ids}")
    frame = pd.concat([s.records for s in ingested], ignore_index=True)
    rows = warehouse.write_raw(pipeline_paths.warehouse(), "survey_responses", frame)
    return MaterializeResult(
        metadata={
            "rows": rows,
            "surveys": MetadataValue.json(
                {s.survey_id: {"rows_read": s.rows_read, "rows_rejected": s.rows_rejected} for s in ingested}
            ),
            "data_status": ";".join(sorted({s.data_status for s in ingested})),
        }
    )
