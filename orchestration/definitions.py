"""The one Definitions object of the project (loaded by workspace.yaml, `make run` and the tests)."""

import sys
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.assets.dbt import dbt_models
from orchestration.assets.publication import csv_release
from orchestration.assets.raw_inputs import build_raw_assets
from orchestration.assets.raw_surveys import survey_export, survey_responses
from orchestration.assets.source_register import source_register
from orchestration.checks import build_gate_checks
from orchestration.project import dbt_project
from orchestration.resources import OfflineDbtCliResource, PipelinePaths, Warehouse
from orchestration.run_guard import RunGuard
from orchestration.run_reaper_sensor import dead_run_reaper
from orchestration.schedules import monthly_publication
from orchestration.ssb_sensor import ssb_table_updates
from orchestration.survey_inbox_sensor import survey_inbox

# the dbt of this virtualenv, whatever PATH says
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

publish_all = define_asset_job(
    "publish_all",
    # every asset but the per-survey partitions of raw/survey_export (the inbox sensor runs those)
    selection=AssetSelection.all() - AssetSelection.assets(survey_export),
    description="Every asset: raw inputs -> dbt -> quality gate -> release.",
)

defs = Definitions(
    assets=[*build_raw_assets(), survey_export, survey_responses, source_register, dbt_models, csv_release],
    asset_checks=build_gate_checks(),
    jobs=[publish_all],
    schedules=[monthly_publication],
    sensors=[ssb_table_updates, survey_inbox, dead_run_reaper],
    resources={
        "pipeline_paths": PipelinePaths(),
        "warehouse": Warehouse(),
        "run_guard": RunGuard(),  # holds the output directory for the whole run (orchestration/run_guard.py)
        "dbt": OfflineDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
    # one process, one step at a time: DuckDB allows one writer, and the raw assets, dbt and the
    # readers of the gate and publication must not overlap (also ~40 % faster than multiprocess here)
    executor=in_process_executor,
)
