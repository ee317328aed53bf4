"""A survey is parsed once per run: the partition asset keeps the canonical records it checked and
raw/survey_responses reads them; the source register comes from the provenance written beside them."""

import os
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from orchestration.resources import PipelinePaths, Warehouse
from orchestration.runs.run_guard import RunGuard
from orchestration.surveys import raw_surveys
from orchestration.surveys.raw_surveys import survey_export, survey_partitions, survey_responses
from sources.demo import survey as demo
from sources.pseudonyms import is_respondent_key
from sources.surveys.inbox import process_inbox
from sources.surveys.records import read_records
from storage.paths import EMBEDDED_INPUTS, Paths

SURVEY_ID = "INBOX-2026-ONCE"
# the inputs directory's surveys (the embedded demonstration years), parsed by survey_responses
EMBEDDED_SURVEYS = sorted(p.name for p in (EMBEDDED_INPUTS / "surveys").iterdir() if p.is_dir())


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    for name in ("RBI_INBOX_DIR", "RBI_RAW_DIR", "RBI_SNAPSHOT_DIR"):
        monkeypatch.delenv(name, raising=False)
    paths = Paths.from_env(inputs=EMBEDDED_INPUTS, output=tmp_path / "out")
    folder = paths.inbox / "spring"
    _, mapping = demo.write_demo_survey(folder, seed=11, respondents=80)
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(demo.SURVEY_ID, SURVEY_ID), encoding="utf-8")
    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))
    (outcome,) = process_inbox(paths.inbox, paths.raw_surveys, paths.quarantine, paths.received, min_age_seconds=0)
    assert outcome.status == "accepted", outcome.message
    return paths


def test_each_survey_is_parsed_once_and_the_register_reads_the_provenance(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = raw_surveys.check_export

    def counting_check_export(export, mapping, sectors=None):
        parsed.append(Path(export).parent.name)
        return real(export, mapping, sectors)

    monkeypatch.setattr(raw_surveys, "check_export", counting_check_export)
    resources = {
        "pipeline_paths": PipelinePaths(inputs_dir=str(paths.inputs), output_dir=str(paths.output)),
        "warehouse": Warehouse(),
        "run_guard": RunGuard(output_dir=str(paths.output)),
    }
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(survey_partitions.name, [SURVEY_ID])

    assert materialize([survey_export], partition_key=SURVEY_ID, resources=resources, instance=instance).success
    assert len(parsed) == 1  # the partition checked the inbox survey
    (version,) = [p for p in (paths.raw_surveys / SURVEY_ID).iterdir()]
    kept = read_records(paths.survey_records, f"{SURVEY_ID}/{version.name}")
    assert kept is not None
    records, provenance = kept
    assert provenance["register"]["source_id"] == SURVEY_ID
    assert provenance["rows_read"] == 80

    assert materialize([survey_responses], resources=resources, instance=instance).success
    # only the inputs directory's surveys were parsed again; the inbox survey came from its records
    assert EMBEDDED_SURVEYS == ["DEMO-2023-ARBEIDSTID", "DEMO-2024-ARBEIDSTID", "DEMO-2025-ARBEIDSTID"]
    assert sorted(parsed[1:]) == EMBEDDED_SURVEYS
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        kept_rows = con.execute(
            "select count(*) from raw.survey_responses where _source_id = ?", [SURVEY_ID]
        ).fetchone()[0]
        register = con.execute("select source_id, kind, sha256 from raw.survey_register order by all").fetchall()
        # every survey, the inputs directory's too, reaches the warehouse with respondent keys and their order
        ids = con.execute("select respondent_id, respondent_order from raw.survey_responses").fetchall()
    assert ids and all(is_respondent_key(key) and order >= 1 for key, order in ids)
    assert kept_rows == len(records) > 0
    assert [(r[0], r[1]) for r in register] == [(s, "survey") for s in [*EMBEDDED_SURVEYS, SURVEY_ID]]
    assert all(len(r[2]) == 64 for r in register)
