"""Paths: every location and switch of a run, read once from the environment (or given)."""

from pathlib import Path

from storage.paths import EMBEDDED_INPUTS, REPO_ROOT, SEEDS_DIR, Paths


def test_defaults_derive_every_path_from_the_output_dir() -> None:
    paths = Paths.from_env(environ={})
    out = REPO_ROOT / "output"
    assert paths.inputs == EMBEDDED_INPUTS and paths.output == out
    assert paths.snapshots == EMBEDDED_INPUTS / "snapshots" and paths.surveys == EMBEDDED_INPUTS / "surveys"
    assert paths.warehouse == out / "warehouse" / "warehouse.duckdb"
    assert (paths.releases, paths.failed_attempts, paths.validation) == (
        out / "releases",
        out / "failed-attempts",
        out / "validation",
    )
    assert (paths.raw_surveys, paths.survey_records, paths.quarantine, paths.received) == (
        out / "raw" / "surveys",
        out / "raw" / "records",
        out / "raw" / "quarantine",
        out / "raw" / "received",
    )
    # spec 5b and 10: the revision store and the audit log, in the restricted raw area
    assert (paths.revisions, paths.audit_log) == (out / "raw" / "revisions", out / "raw" / "audit" / "erasures.jsonl")
    assert (paths.inbox, paths.snapshot_store, paths.dagster_home) == (
        out / "inbox",
        out / "snapshots",
        out / "dagster_home",
    )
    assert paths.seeds == SEEDS_DIR
    assert not paths.live and not paths.publish_force


def test_environment_and_given_roots(tmp_path: Path) -> None:
    env = {
        "RBI_INPUTS_DIR": str(tmp_path / "in"),
        "RBI_OUTPUT_DIR": str(tmp_path / "out"),
        "RBI_RAW_DIR": str(tmp_path / "restricted"),
        "RBI_INBOX_DIR": str(tmp_path / "drop"),
        "RBI_SNAPSHOT_DIR": str(tmp_path / "store"),
        "RBI_LIVE": "yes",
        "RBI_PUBLISH_FORCE": "0",
    }
    paths = Paths.from_env(environ=env)
    assert paths.inputs == tmp_path / "in" and paths.warehouse == tmp_path / "out" / "warehouse" / "warehouse.duckdb"
    assert paths.raw_surveys == tmp_path / "restricted" / "surveys" and paths.inbox == tmp_path / "drop"
    assert paths.snapshot_store == tmp_path / "store"
    assert paths.live and not paths.publish_force
    # a configured resource gives the roots; what is not given still comes from the environment
    given = Paths.from_env(inputs=tmp_path / "a", output=tmp_path / "b", environ=env)
    assert given.inputs == tmp_path / "a" and given.releases == tmp_path / "b" / "releases"
    assert given.raw == tmp_path / "restricted"
    assert given.dbt_vars() == '{"warehouse_path": "' + str(tmp_path / "b" / "warehouse" / "warehouse.duckdb") + '"}'
