"""Survey exports -> canonical records (spec section 2) in raw.survey_responses.

Surveys come from two places:

- the inputs directory, ``<inputs>/surveys/<folder>/`` with ``export.<ext>`` and ``mapping.yml``
  (the embedded demonstration survey lives there);
- the raw survey area, ``<output>/raw/surveys/<survey_id>/<version>/``, where the inbox sensor
  (``orchestration/surveys/survey_inbox_sensor.py``) stores every accepted delivery; the newest version of
  each survey is used.

``raw/survey_export`` is partitioned by survey id (dynamic partitions ``surveys``, one per survey
that came through the inbox): materialising a partition checks that survey's newest stored
version and keeps the canonical records it checked, with their provenance, in the restricted raw
area (``sources/surveys/records.py``). ``raw/survey_responses`` (not partitioned, downstream of it)
rebuilds ``raw.survey_responses`` from every survey of both places -- reading the kept records of
a version its partition checked, parsing the others -- so that each survey is parsed once per run
and any run (``make run`` or the run the sensor requests for a new survey) publishes from all the
accepted inputs. Beside the records it writes ``raw.survey_register``, each survey's provenance,
which ``raw/source_register`` reads. Only
mapped canonical fields reach the warehouse; free text, names, e-mail and timestamps are never
even parsed (see ``sources/surveys/mapping.py``), and the tool's respondent id is replaced by its
respondent key with ``respondent_order`` beside it (``sources/surveys/records.py``
``pseudonymise``, the secret at ``Paths.pseudonym_secret``) before anything is written.
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

from method.reference import sector_codes
from orchestration.resources import WAREHOUSE_POOL, PipelinePaths, Warehouse
from orchestration.runs.run_guard import RunGuard
from sources.pseudonyms import load_or_create_secret
from sources.raw_tables import REGISTER_COLUMNS
from sources.snapshots import sha256_file
from sources.surveys import erasure, store
from sources.surveys.ingest import check_export, find_export
from sources.surveys.mapping import Mapping, load_mapping
from sources.surveys.records import pseudonymise, read_records, write_records
from storage.paths import Paths

survey_partitions = DynamicPartitionsDefinition(name="surveys")


@dataclass(frozen=True)
class SurveySource:
    """One survey export to ingest: its files and how the warehouse names it."""

    folder: Path
    export: Path  # a version stored by an erasure has no export: its records.parquet is read instead
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
    register_row: dict  # its raw.source_register row


def survey_sources(paths: Paths) -> list[SurveySource]:
    """Every survey to load: the inputs directory's folders, then the newest stored inbox versions."""
    sources = []
    root = paths.surveys
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        sources.append(SurveySource(folder, find_export(folder), folder / "mapping.yml", folder.name, "inputs"))
    for survey_id in store.survey_ids(paths.raw_surveys):
        stored = store.newest(paths.raw_surveys, survey_id)
        assert stored is not None
        if stored.sidecar.get("withdrawn"):  # withdrawn by an operator (sources/surveys/erasure.py)
            continue
        sources.append(inbox_source(stored))
    return sources


def inbox_source(stored: store.StoredSurvey) -> SurveySource:
    export = stored.export if stored.has_export else stored.records_path
    return SurveySource(stored.folder, export, stored.mapping, stored.snapshot_id, "inbox")


def survey_register_row(source: SurveySource, mapping: Mapping, export_sha: str) -> dict:
    """The ``raw.source_register`` row of a survey (its mapping says what the survey is)."""
    mapping_sha = sha256_file(source.mapping)
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


def ingest_survey(source: SurveySource, sectors: set[str], paths: Paths) -> IngestedSurvey:
    """Read, map and check one survey; raise ValueError with the whole report if it is rejected."""
    if not source.mapping.exists():
        raise ValueError(f"{source.mapping}: missing (a survey folder holds an export and mapping.yml)")
    secret = load_or_create_secret(paths.pseudonym_secret)
    export_sha = sha256_file(source.export)
    if source.export.name == store.RECORDS:  # an erasure's version: the canonical records, already keyed
        mapping = load_mapping(source.mapping)
        records = pd.read_parquet(source.export)
        rows_read, rows_rejected, problems = len(records), 0, []
    else:
        checked = check_export(source.export, source.mapping, sectors)
        report = checked.report
        if checked.records is None or checked.mapping is None:
            raise ValueError(f"{source.export}: file rejected\n{report.to_text()}")
        mapping = checked.mapping
        records = pseudonymise(checked.records, secret)  # the tool's respondent id stops here
        rows_read, rows_rejected, problems = report.rows_read, report.rows_rejected, report.lines
    records = records.copy()
    records["_source_id"] = mapping.survey_id
    records["_snapshot_id"] = source.snapshot_id
    records["_sha256"] = export_sha
    records["_data_status"] = mapping.data_status
    return IngestedSurvey(
        mapping.survey_id,
        mapping.data_status,
        records,
        rows_read,
        rows_rejected,
        problems,
        source.snapshot_id,
        survey_register_row(source, mapping, export_sha),
    )


def load_survey(source: SurveySource, paths: Paths, sectors: set[str]) -> IngestedSurvey:
    """The records of one survey: those its partition already checked this version (inbox
    surveys, see :mod:`sources.surveys.records`), else read, mapped and checked now."""
    if source.origin == "inbox":
        stored = read_records(paths.survey_records, source.snapshot_id)
        if stored is not None and "respondent_order" in stored[0].columns:  # kept before keys: checked again
            frame, provenance = stored
            register = provenance["register"]
            return IngestedSurvey(
                register["source_id"],
                register["data_status"],
                frame,
                provenance["rows_read"],
                provenance["rows_rejected"],
                provenance["problems"],
                source.snapshot_id,
                register,
            )
    return ingest_survey(source, sectors, paths)


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
    paths = pipeline_paths.paths()
    stored = store.newest(paths.raw_surveys, survey_id)
    if stored is None:
        raise Failure(description=f"survey {survey_id!r}: no accepted export in {paths.raw_surveys}")
    if stored.sidecar.get("withdrawn"):
        context.log.info(f"survey {survey_id}: withdrawn ({stored.version}); none of its rows is used")
        return MaterializeResult(metadata={"version": stored.version, "withdrawn": True})
    try:
        survey = ingest_survey(inbox_source(stored), set(sector_codes()), paths)
    except ValueError as exc:
        context.log.error(str(exc))
        raise Failure(description=str(exc)) from exc
    for line in survey.problems:
        context.log.warning(f"{survey_id}: row dropped: {line}")
    # the kept records never hold a respondent the audit log erased (spec section 10)
    records, _ = erasure.apply_exclusions(survey.records, erasure.read_log(paths.audit_log))
    write_records(
        paths.survey_records,
        stored.snapshot_id,
        records,
        {
            "register": survey.register_row,
            "rows_read": survey.rows_read,
            "rows_rejected": survey.rows_rejected,
            "problems": survey.problems,
        },
    )
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
    paths = pipeline_paths.paths()
    try:
        sources = survey_sources(paths)
    except ValueError as exc:  # a survey folder without exactly one export file
        raise Failure(description=str(exc)) from exc
    if not sources:
        raise Failure(
            description=f"{paths.surveys} and {paths.raw_surveys}: no survey; the index needs at least one survey"
        )
    sectors = set(sector_codes())
    ingested: list[IngestedSurvey] = []
    for source in sources:
        try:
            survey = load_survey(source, paths, sectors)
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
    # spec section 10: withdrawn surveys and erased respondents (the audit log) never enter a build
    frame, excluded = erasure.apply_exclusions(frame, erasure.read_log(paths.audit_log))
    if excluded:
        context.log.info(f"{excluded} row(s) left out: withdrawn surveys and erased respondents (audit log)")
    rows = warehouse.write_raw(paths.warehouse, "survey_responses", frame)
    register = pd.DataFrame.from_records([s.register_row for s in ingested], columns=list(REGISTER_COLUMNS))
    warehouse.write_raw(paths.warehouse, "survey_register", register.astype("string"))
    return MaterializeResult(
        metadata={
            "rows": rows,
            "rows_withdrawn_or_erased": excluded,
            "surveys": MetadataValue.json(
                {
                    s.survey_id: {"snapshot": s.snapshot_id, "rows_read": s.rows_read, "rows_rejected": s.rows_rejected}
                    for s in ingested
                }
            ),
            "data_status": ";".join(sorted({s.data_status for s in ingested})),
        }
    )
