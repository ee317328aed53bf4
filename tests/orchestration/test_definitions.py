"""The Dagster definitions load and hold what `make run` and the UI rely on."""

from dagster import AssetKey

from orchestration.definitions import defs


def test_definitions_load_with_every_layer() -> None:
    repo = defs.get_repository_def()
    keys = {key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()}
    for expected in (
        "raw/ssb_sickness_absence",
        "raw/ssb_employment",
        "raw/ssb_05300",
        "raw/demo_population",
        "raw/demo_obligations",
        "raw/survey_responses",
        "staging/stg_surveys__respondents",
        "intermediate/int_respondent_weights",
        "marts/index_sector_year",
        "marts/component_sector_year",
        "marts/context_sector_year",
        "raw/source_register",
        "csv_release",
    ):
        assert expected in keys, expected
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
