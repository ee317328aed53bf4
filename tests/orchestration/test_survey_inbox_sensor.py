"""The survey inbox sensor, evaluated with dagster's build_sensor_context on a temporary instance."""

import os
import time
from pathlib import Path

import pytest
from dagster import AssetKey, SensorResult, SkipReason, build_sensor_context, instance_for_test

from orchestration.definitions import defs
from orchestration.resources import PipelinePaths
from orchestration.surveys import survey_inbox_sensor as sensor_module
from orchestration.surveys.raw_surveys import survey_partitions
from orchestration.surveys.survey_inbox_sensor import survey_inbox
from sources.demo import survey as demo


@pytest.fixture
def output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.delenv("RBI_INBOX_DIR", raising=False)
    monkeypatch.delenv("RBI_RAW_DIR", raising=False)
    monkeypatch.delenv("RBI_INPUTS_DIR", raising=False)  # the embedded inputs: DEMO-2025-ARBEIDSTID is taken
    # the two looks at a delivery, MIN_AGE_SECONDS apart, would sleep: the tests look twice at once
    monkeypatch.setattr(sensor_module, "MIN_AGE_SECONDS", 0.0)
    (tmp_path / "output" / "inbox").mkdir(parents=True)
    return tmp_path / "output"


def drop(output: Path, name: str, survey_id: str, bad: bool = False) -> Path:
    folder = output / "inbox" / name
    demo.write_demo_survey(folder, seed=3, respondents=120)
    mapping = folder / "mapping.yml"
    text = mapping.read_text(encoding="utf-8").replace(demo.SURVEY_ID, survey_id)
    if bad:
        text = text.replace("column: timer_uke", "column: timer_per_uke")
    mapping.write_text(text, encoding="utf-8")
    old = time.time() - 60  # older than the sensor's "still being written" guard
    for path in folder.iterdir():
        os.utime(path, (old, old))
    return folder


def evaluate(instance, cursor: str | None = None):
    context = build_sensor_context(
        instance=instance, definitions=defs, cursor=cursor, resources={"pipeline_paths": PipelinePaths()}
    )
    result = survey_inbox(context)
    if isinstance(result, SensorResult):
        for request in result.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_new_survey_requests_one_run_of_its_partition_and_downstream(output: Path) -> None:
    drop(output, "spring", "INBOX-2026-A")
    with instance_for_test() as instance:
        result = evaluate(instance)
        assert isinstance(result, SensorResult)
        (request,) = result.run_requests
        assert request.partition_key == "INBOX-2026-A"
        assert request.run_key.startswith("survey:INBOX-2026-A:")
        keys = {k.to_user_string() for k in request.asset_selection}
        for expected in (
            "raw/survey_export",
            "raw/survey_responses",
            "raw/source_register",
            "staging/stg_surveys__respondents",
            "marts/index_sector_year",
            "csv_release",
        ):
            assert expected in keys, expected
        assert "raw/ssb_05300" not in keys and "raw/demo_population" not in keys  # not downstream: not rerun
        (add,) = result.dynamic_partitions_requests
        assert add.partitions_def_name == "surveys" and list(add.partition_keys) == ["INBOX-2026-A"]
        assert instance.get_dynamic_partitions("surveys") == ["INBOX-2026-A"]
        assert (output / "raw" / "surveys" / "INBOX-2026-A").is_dir()

        # the same sensor again: nothing new
        assert isinstance(evaluate(instance), SkipReason)
        # the same files dropped again: recognised, nothing to run
        drop(output, "spring-again", "INBOX-2026-A")
        again = evaluate(instance)
        assert isinstance(again, SkipReason) and "spring-again: repeated" in again.skip_message
        assert len(list((output / "raw" / "surveys" / "INBOX-2026-A").iterdir())) == 1


def test_bad_file_is_quarantined_and_starts_nothing(output: Path) -> None:
    drop(output, "broken", "INBOX-2026-B", bad=True)
    drop(output, "clash", demo.SURVEY_ID)  # the embedded survey's id is taken
    with instance_for_test() as instance:
        result = evaluate(instance)
        assert isinstance(result, SkipReason)
        assert "broken: quarantined" in result.skip_message and "clash: quarantined" in result.skip_message
        assert instance.get_dynamic_partitions("surveys") == []
    quarantined = sorted(p.name.split("-", 1)[1] for p in (output / "raw" / "quarantine").iterdir())
    assert quarantined == ["broken", "clash"]
    report = next((output / "raw" / "quarantine").glob("*-broken")) / "report.txt"
    assert "unknown column 'timer_per_uke' (mapped to hours_total): not in the export header" in report.read_text(
        encoding="utf-8"
    )
    assert not (output / "raw" / "surveys").exists()


def test_stored_surveys_missing_from_the_instance_become_partitions(output: Path) -> None:
    drop(output, "one", "INBOX-2026-C")
    with instance_for_test() as first:
        evaluate(first)
    with instance_for_test() as fresh:  # e.g. a new Dagster home: the raw area is the truth
        result = evaluate(fresh)
        assert isinstance(result, SensorResult) and result.run_requests == []
        assert fresh.get_dynamic_partitions("surveys") == ["INBOX-2026-C"]


def test_definitions_wire_the_partitioned_asset() -> None:
    graph = defs.get_repository_def().asset_graph
    export = graph.get(AssetKey(["raw", "survey_export"]))
    assert export.partitions_def == survey_partitions
    assert AssetKey(["raw", "survey_export"]) in graph.get(AssetKey(["raw", "survey_responses"])).parent_keys
    publish = defs.resolve_job_def("publish_all")
    assert AssetKey(["raw", "survey_export"]) not in publish.asset_layer.selected_asset_keys
    assert AssetKey(["raw", "survey_responses"]) in publish.asset_layer.selected_asset_keys
    assert defs.resolve_sensor_def("survey_inbox").name == "survey_inbox"


def test_a_crashing_delivery_does_not_stop_the_tick(output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sources.surveys import inbox

    drop(output, "a-crash", "INBOX-2026-CRASH")
    drop(output, "b-good", "INBOX-2026-GOOD")
    real = inbox.check_export

    def reader(export, mapping, sectors=None, **kwargs):
        if "a-crash" in str(export):
            raise RecursionError("a cell value")
        return real(export, mapping, sectors, **kwargs)

    monkeypatch.setattr(inbox, "check_export", reader)
    with instance_for_test() as instance:
        result = evaluate(instance)
        assert isinstance(result, SensorResult)
        assert [r.partition_key for r in result.run_requests] == ["INBOX-2026-GOOD"]
    (quarantined,) = (output / "raw" / "quarantine").iterdir()
    assert quarantined.name.endswith("-a-crash") and (quarantined / "crash.txt").exists()
