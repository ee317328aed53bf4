"""The one Definitions object of the project (loaded by workspace.yaml, `make run` and the tests)."""

import sys
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor
from dagster_dbt import DbtCliResource

from orchestration.publication.alerts import run_failure_alert
from orchestration.publication.checks import build_gate_checks
from orchestration.publication.publication import csv_release
from orchestration.publication.schedules import monthly_publication
from orchestration.publication.site import site
from orchestration.resources import PipelinePaths, Warehouse
from orchestration.runs.run_guard import RunGuard
from orchestration.runs.run_reaper_sensor import dead_run_reaper
from orchestration.ssb.raw_inputs import build_raw_assets
from orchestration.ssb.ssb_sensor import ssb_table_updates
from orchestration.surveys.raw_surveys import survey_export, survey_responses
from orchestration.surveys.survey_inbox_sensor import survey_inbox
from orchestration.warehouse.dbt import dbt_models
from orchestration.warehouse.project import dbt_project
from orchestration.warehouse.raw_revisions import revision_store
from orchestration.warehouse.source_register import source_register

# the dbt of this virtualenv, whatever PATH says: `rbi-dbt` (orchestration/warehouse/dbt_executable.py),
# dbt's own command that answers dagster-dbt's once-per-run `dbt --version` from the package metadata
# instead of asking pypi.org first; plain `dbt` where the checkout is not installed (no `make setup`)
DBT_EXECUTABLE = next(
    (str(p) for p in (Path(sys.executable).with_name(name) for name in ("rbi-dbt", "dbt")) if p.exists()),
    "dbt",
)

publish_all = define_asset_job(
    "publish_all",
    # every asset but the per-survey partitions of raw/survey_export (the inbox sensor runs those)
    selection=AssetSelection.all() - AssetSelection.assets(survey_export),
    description="Every asset: raw inputs -> dbt -> quality gate -> release -> site.",
)

defs = Definitions(
    assets=[
        *build_raw_assets(),
        survey_export,
        survey_responses,
        revision_store,
        source_register,
        dbt_models,
        csv_release,
        site,
    ],
    asset_checks=build_gate_checks(),
    jobs=[publish_all],
    schedules=[monthly_publication],
    sensors=[ssb_table_updates, survey_inbox, run_failure_alert, dead_run_reaper],
    resources={
        "pipeline_paths": PipelinePaths(),
        "warehouse": Warehouse(),
        "run_guard": RunGuard(),  # holds the output directory for the whole run (orchestration/runs/run_guard.py)
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
    # one process, one step at a time: DuckDB allows one writer, and the raw assets, dbt and the
    # readers of the gate and publication must not overlap (also ~40 % faster than multiprocess here)
    executor=in_process_executor,
)
