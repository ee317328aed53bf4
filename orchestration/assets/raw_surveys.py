"""Survey exports -> canonical records (spec section 2) in raw.survey_responses.

Surveys come from two places:

- the inputs directory, ``<inputs>/surveys/<folder>/`` with ``export.<ext>`` and ``mapping.yml``
  (the embedded demonstration survey lives there);
- the raw survey area, ``<output>/raw/surveys/<survey_id>/<version>/``, where the inbox sensor
  (``orchestration/survey_inbox_sensor.py``) stores every accepted delivery; the newest version of
  each survey is used.

``raw/survey_export`` is partitioned by survey id (dynamic partitions ``surveys``, one per survey
that came through the inbox): materialising a partition checks that survey's newest stored
version and records what it holds. ``raw/survey_responses`` (not partitioned, downstream of it)
rebuilds ``raw.survey_responses`` from every survey of both places, so that any run -- ``make run``
or the run the sensor requests for a new survey -- publishes from all the accepted inputs. Only
mapped canonical fields reach the warehouse; free text, names, e-mail and timestamps are never
even parsed (see ``sources/surveys/mapping.py``).
"""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.assets.raw_inputs import WAREHOUSE_POOL, known_sectors
from orchestration.resources import PipelinePaths, Warehouse
from orchestration.run_guard import RunGuard
from sources.surveys import store
from sources.surveys.ingest import check_export, find_export
from sources.surveys.mapping import load_mapping

survey_partitions = DynamicPartitionsDefinition(name="surveys")


@dataclass(frozen=True)
class SurveySource:
    """One survey export to ingest: its files and how the warehouse names it."""

    folder: Path
    export: Path
    mapping: Path
    snapshot_id: str  # inputs: the folder name; raw area: "<survey_id>/<version>"
    origin: str  # "inputs" or "inbox"


@dataclass
class IngestedSurvey:
    survey_id: str
    data_status: str
    records: pd.DataFrame
    rows_read: int
    rows_rejected: int
    problems: list[str]
    snapshot_id: str


def survey_sources(pipeline_paths: PipelinePaths) -> list[SurveySource]:
    """Every survey to load: the inputs directory's folders, then the newest stored inbox versions."""
    sources = []
    root = pipeline_paths.surveys()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        sources.append(SurveySource(folder, find_export(folder), folder / "mapping.yml", folder.name, "inputs"))
    raw = pipeline_paths.raw_surveys()
    for survey_id in store.survey_ids(raw):
        stored = store.newest(raw, survey_id)
        assert stored is not None
        sources.append(SurveySource(stored.folder, stored.export, stored.mapping, stored.snapshot_id, "inbox"))
    return sources


def locate_survey(pipeline_paths: PipelinePaths, snapshot_id: str) -> SurveySource:
    """The survey a ``raw.survey_responses._snapshot_id`` names."""
    for source in survey_sources(pipeline_paths):
        if source.snapshot_id == snapshot_id:
            return source
    raw = pipeline_paths.raw_surveys() / snapshot_id
    if "/" in snapshot_id and raw.is_dir():
        return SurveySource(raw, find_export(raw), raw / "mapping.yml", snapshot_id, "inbox")
    raise ValueError(
        f"survey {snapshot_id!r}: not found in {pipeline_paths.surveys()} or {pipeline_paths.raw_surveys()}"
    )


def survey_register_row(source: SurveySource, export_sha: str) -> dict:
    """The ``raw.source_register`` row of a survey (its mapping says what the survey is)."""
    mapping = load_mapping(source.mapping)
    mapping_sha = store.sha256_file(source.mapping)
    where = "inputs directory" if source.origin == "inputs" else "raw survey area (inbox)"
    return {
        "source_id": mapping.survey_id,
        "kind": "survey",
        "title": mapping.title or mapping.survey_id,
        "publisher": mapping.publisher or "",
        "url": "",
        "licence": mapping.licence or "",
        "retrieved_at": None,
        "sha256": export_sha,
        "origin": (
            f"survey export {source.snapshot_id}/{source.export.name} ({mapping.format}, {where}), "
            f"mapped by mapping.yml (sha256 {mapping_sha[:12]})"
        ),
        "data_status": mapping.data_status,
        "snapshot_id": source.snapshot_id,
    }


def ingest_survey(source: SurveySource, sectors: set[str]) -> IngestedSurvey:
    """Read, map and check one survey; raise ValueError with the whole report if it is rejected."""
    if not source.mapping.exists():
        raise ValueError(f"{source.mapping}: missing (a survey folder holds an export and mapping.yml)")
    checked = check_export(source.export, source.mapping, sectors)
    report = checked.report
    if checked.records is None or checked.mapping is None:
        raise ValueError(f"{source.export}: file rejected\n{report.to_text()}")
    records = checked.records.copy()
    records["_source_id"] = checked.mapping.survey_id
    records["_snapshot_id"] = source.snapshot_id
    records["_sha256"] = store.sha256_file(source.export)
    records["_data_status"] = checked.mapping.data_status
    return IngestedSurvey(
        checked.mapping.survey_id,
        checked.mapping.data_status,
        records,
        report.rows_read,
        report.rows_rejected,
        report.lines,
        source.snapshot_id,
    )


@asset(
    key_prefix="raw",
    group_name="raw",
    partitions_def=survey_partitions,
    description=(
        "One survey delivered through the inbox (partition = survey id): its newest accepted export in "
        "the raw survey area, checked against its mapping."
    ),
    kinds={"python"},
)
def survey_export(
    context: AssetExecutionContext, pipeline_paths: PipelinePaths, run_guard: RunGuard
) -> MaterializeResult:
    survey_id = context.partition_key
    stored = store.newest(pipeline_paths.raw_surveys(), survey_id)
    if stored is None:
        raise Failure(description=f"survey {survey_id!r}: no accepted export in {pipeline_paths.raw_surveys()}")
    try:
        survey = ingest_survey(
            SurveySource(stored.folder, stored.export, stored.mapping, stored.snapshot_id, "inbox"), known_sectors()
        )
    except ValueError as exc:
        context.log.error(str(exc))
        raise Failure(description=str(exc)) from exc
    for line in survey.problems:
        context.log.warning(f"{survey_id}: row dropped: {line}")
    return MaterializeResult(
        metadata={
            "version": stored.version,
            "original_export_name": str(stored.sidecar.get("original_export_name")),
            "export_sha256": str(stored.sidecar.get("export_sha256")),
            "mapping_sha256": str(stored.sidecar.get("mapping_sha256")),
            "received_at": str(stored.sidecar.get("received_at")),
            "responses": str((stored.sidecar.get("detected") or {}).get("responses")),
            "rows_read": survey.rows_read,
            "rows_rejected": survey.rows_rejected,
            "problems": MetadataValue.md("\n".join(f"- {p}" for p in survey.problems) or "none"),
            "data_status": survey.data_status,
        }
    )


@asset(
    key_prefix="raw",
    group_name="raw",
    deps=[survey_export],
    description=(
        "Canonical survey records (spec section 2) of every survey: the inputs directory's and the newest "
        "accepted version of each survey delivered through the inbox."
    ),
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
)
def survey_responses(
    context: AssetExecutionContext,
    pipeline_paths: PipelinePaths,
    run_guard: RunGuard,
    warehouse: Warehouse,
) -> MaterializeResult:
    try:
        sources = survey_sources(pipeline_paths)
    except ValueError as exc:  # a survey folder without exactly one export file
        raise Failure(description=str(exc)) from exc
    if not sources:
        raise Failure(
            description=f"{pipeline_paths.surveys()} and {pipeline_paths.raw_surveys()}: no survey; "
            "the index needs at least one survey"
        )
    sectors = known_sectors()
    ingested: list[IngestedSurvey] = []
    for source in sources:
        try:
            survey = ingest_survey(source, sectors)
        except ValueError as exc:
            context.log.error(str(exc))
            raise Failure(description=str(exc), metadata={"folder": str(source.folder)}) from exc
        for line in survey.problems:
            context.log.warning(f"{survey.survey_id}: row dropped: {line}")
        ingested.append(survey)
    ids = [s.survey_id for s in ingested]
    if len(set(ids)) != len(ids):
        raise Failure(description=f"the same survey_id appears in more than one survey folder: {ids}")
    frame = pd.concat([s.records for s in ingested], ignore_index=True)
    rows = warehouse.write_raw(pipeline_paths.warehouse(), "survey_responses", frame)
    return MaterializeResult(
        metadata={
            "rows": rows,
            "surveys": MetadataValue.json(
                {
                    s.survey_id: {"snapshot": s.snapshot_id, "rows_read": s.rows_read, "rows_rejected": s.rows_rejected}
                    for s in ingested
                }
            ),
            "data_status": ";".join(sorted({s.data_status for s in ingested})),
        }
    )
