"""The Dagster definitions load, and the whole graph is what the committed snapshot says.

A structural change (an asset, a dependency, a group, a check, a partition, a job, a sensor or a
schedule added, removed or moved) fails ``test_graph_matches_the_snapshot`` until the snapshot is
refreshed with ``.venv/bin/python -m tests.orchestration.graph_snapshot`` and its diff reviewed."""

import difflib

from dagster import AssetKey

from orchestration.definitions import defs
from tests.orchestration.graph_snapshot import SNAPSHOT, describe, render


def test_graph_matches_the_snapshot() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8")
    actual = render(defs)
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "snapshot", "definitions"))
    assert actual == expected, (
        "the Dagster graph changed; if intended, refresh the snapshot with "
        f"`.venv/bin/python -m tests.orchestration.graph_snapshot` and review its diff:\n{diff}"
    )


def test_graph_holds_every_layer_and_the_publish_job() -> None:
    graph = describe(defs)
    groups = {asset["group"] for asset in graph["assets"].values()}
    assert groups == {"raw", "method", "staging", "intermediate", "marts", "publication"}
    assert graph["assets"]["raw/survey_export"]["partitions"] == "dynamic:surveys"
    assert "raw/survey_responses" in graph["assets"]["raw/source_register"]["deps"]
    assert graph["jobs"] == ["publish_all"]
    assert defs.resolve_job_def("publish_all").name == "publish_all"


def test_dbt_sources_are_fed_by_the_raw_assets() -> None:
    graph = defs.get_repository_def().asset_graph
    parents = graph.get(AssetKey(["staging", "stg_surveys__respondents"])).parent_keys
    assert AssetKey(["raw", "survey_responses"]) in parents


def test_gate_checks_are_blocking_and_guard_the_published_marts() -> None:
    graph = defs.get_repository_def().asset_graph
    checks = {key.name: key for key in graph.asset_check_keys}
    for table in ("index_sector_year", "component_sector_year", "context_sector_year", "sensitivity"):
        key = checks[f"gate_{table}"]
        assert key.asset_key == AssetKey(["marts", table])
        assert graph.get_check_spec(key).blocking
