"""Live mode through the Dagster raw asset and the whole pipeline, against the local fake server."""

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, build_sensor_context, materialize

from orchestration.resources import PipelinePaths, Warehouse
from orchestration.runs.run_guard import RunGuard
from orchestration.ssb.raw_inputs import build_raw_asset
from orchestration.ssb.ssb_sensor import run_request_for, ssb_table_updates
from sources.catalogue import entry_by_id, load_catalogue
from sources.snapshots import list_snapshots
from sources.ssb_updates import check_updates
from storage.paths import EMBEDDED_INPUTS
from tests.e2e.harness import run_pipeline
from tests.e2e.shared_runs import published_tiny
from tests.sources.fake_statbank import PAYLOAD_05300, V2, FakeStatBank

PATHS_RESOURCE = {"pipeline_paths": PipelinePaths()}

EMBEDDED_05300 = "20261125T000000Z-fd16b227"


@pytest.fixture
def server() -> Iterator[FakeStatBank]:
    fake = FakeStatBank().start()
    yield fake
    fake.stop()


@pytest.fixture
def live_env(server, tmp_path, monkeypatch) -> Path:
    store = tmp_path / "store"
    monkeypatch.setenv("RBI_SSB_BASE_URL", server.v2)
    monkeypatch.setenv("RBI_SNAPSHOT_DIR", str(store))
    monkeypatch.delenv("RBI_LIVE", raising=False)
    return store


def materialize_raw(source_id: str, tmp_path: Path, live: bool | None):
    config = {"ops": {f"raw__{source_id}": {"config": {"live": live}}}} if live is not None else None
    return materialize(
        [build_raw_asset(entry_by_id(source_id))],
        resources={
            "pipeline_paths": PipelinePaths(inputs_dir=str(EMBEDDED_INPUTS), output_dir=str(tmp_path / "out")),
            "warehouse": Warehouse(),
            "run_guard": RunGuard(output_dir=str(tmp_path / "out")),
        },
        run_config=config,
        instance=DagsterInstance.ephemeral(),
    )


def metadata_of(result, source_id: str) -> dict:
    [event] = result.asset_materializations_for_node(f"raw__{source_id}")
    return {k: v.value for k, v in event.metadata.items()}


def raw_snapshot_ids(tmp_path: Path, table: str) -> list[str]:
    with duckdb.connect(str(tmp_path / "out" / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        return [r[0] for r in con.execute(f'select distinct _snapshot_id from raw."{table}"').fetchall()]


def test_replay_is_the_default_and_makes_no_request(server, live_env, tmp_path) -> None:
    result = materialize_raw("ssb_05300", tmp_path, live=None)
    assert result.success
    assert metadata_of(result, "ssb_05300")["fetch"] == "replay"
    assert raw_snapshot_ids(tmp_path, "ssb_05300") == [EMBEDDED_05300]
    assert server.requests == []


def test_live_run_config_fetches_stores_and_loads_the_new_snapshot(server, live_env, tmp_path) -> None:
    result = materialize_raw("ssb_05300", tmp_path, live=True)
    meta = metadata_of(result, "ssb_05300")
    [stored] = list_snapshots(live_env, "ssb_05300")
    assert meta["fetch"] == "live" and meta["snapshot_id"] == stored.snapshot_id != EMBEDDED_05300
    assert stored.read_bytes() == PAYLOAD_05300  # same bytes as the embedded, real response
    assert raw_snapshot_ids(tmp_path, "ssb_05300") == [stored.snapshot_id]
    assert not (EMBEDDED_INPUTS / "snapshots" / "ssb_05300" / stored.snapshot_id).exists()
    # the next replay run picks the newest of both stores: the live one
    again = materialize_raw("ssb_05300", tmp_path, live=False)
    assert metadata_of(again, "ssb_05300")["snapshot_id"] == stored.snapshot_id


def test_rbi_live_env_switch_and_failed_fetch_falls_back(server, live_env, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RBI_LIVE", "1")
    server.faults[f"{V2}/tables/05300/data"] = [("html200",)]
    result = materialize_raw("ssb_05300", tmp_path, live=None)
    meta = metadata_of(result, "ssb_05300")
    assert result.success
    assert meta["fetch"] == "live fetch failed: replayed the last snapshot"
    assert "HTML/XML page, not JSON" in meta["fetch_error"]
    assert meta["snapshot_id"] == EMBEDDED_05300
    assert list_snapshots(live_env, "ssb_05300") == []  # nothing stored from the bad answer


def test_entry_without_snapshot_loads_an_empty_table_even_if_live_fails(server, live_env, tmp_path) -> None:
    result = materialize_raw("ssb_sickness_sector", tmp_path, live=True)  # the fake answers 404
    meta = metadata_of(result, "ssb_sickness_sector")
    assert meta["rows"] == 0 and meta["snapshot_id"] == "none"
    assert "HTTP 404" in meta["fetch_error"]
    with duckdb.connect(str(tmp_path / "out" / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        columns = [r[0] for r in con.execute('describe raw."ssb_sickness_sector"').fetchall()]
    assert columns[:2] == ["NACE2007", "NACE2007_label"] and "_snapshot_id" in columns


# -- update detection -------------------------------------------------------------------------------


def test_sensor_requests_only_the_updated_table_and_downstream(server, live_env, monkeypatch) -> None:
    monkeypatch.setenv("RBI_INPUTS_DIR", str(EMBEDDED_INPUTS))
    entries = [entry_by_id("ssb_05300")]
    updated = {"05300": "2022-05-24T06:00:00Z"}
    same = check_updates(entries, {}, lambda e: updated[e.table_id], [EMBEDDED_INPUTS / "snapshots"])
    assert same.changed == [] and same.cursor == {"05300": "2022-05-24T06:00:00Z"}  # baseline: the snapshot
    updated["05300"] = "2026-11-20T07:00:00Z"
    newer = check_updates(entries, same.cursor, lambda e: updated[e.table_id], [EMBEDDED_INPUTS / "snapshots"])
    assert [e.source_id for e in newer.changed] == ["ssb_05300"]

    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    request = run_request_for(newer.changed, newer.cursor, graph)
    keys = {k.to_user_string() for k in request.asset_selection}
    assert "raw/ssb_05300" in keys and "csv_release" in keys and "raw/source_register" in keys
    assert "raw/ssb_employment" not in keys and "raw/demo_population" not in keys
    assert request.run_config == {"ops": {"raw__ssb_05300": {"config": {"live": True}}}}


def test_sensor_evaluation_against_the_fake_server(server, live_env, monkeypatch) -> None:
    from orchestration.definitions import defs

    monkeypatch.setenv("RBI_INPUTS_DIR", str(EMBEDDED_INPUTS))
    cursor = {e.table_id: "2030-01-01T00:00:00Z" for e in load_catalogue() if e.is_live}
    cursor["05300"] = "2022-05-24T06:00:00Z"
    server.updated["05300"] = "2026-11-20T07:00:00Z"
    context = build_sensor_context(
        cursor=json.dumps(cursor), repository_def=defs.get_repository_def(), resources=PATHS_RESOURCE
    )
    request = ssb_table_updates(context)
    assert AssetKey(["raw", "ssb_05300"]) in request.asset_selection
    assert json.loads(context.cursor)["05300"] == "2026-11-20T07:00:00Z"
    assert [r["path"] for r in server.requests if r["path"].endswith("/05300")] == [f"{V2}/tables/05300"]
    # the unverified tables are unknown to the fake server (404): kept in the cursor, not requested
    assert AssetKey(["raw", "ssb_sickness_sector"]) not in request.asset_selection
    again = build_sensor_context(
        cursor=context.cursor, repository_def=defs.get_repository_def(), resources=PATHS_RESOURCE
    )
    assert "no catalogue table has new data" in ssb_table_updates(again).skip_message


# -- the whole pipeline ------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.e2e
@pytest.mark.timeout(2400)  # the shared replay run + 1 run
def test_live_pipeline_against_fake_server_gives_the_same_release_as_replay(
    server, tmp_path, tmp_path_factory, monkeypatch
) -> None:
    """On the tiny inputs (their SSB snapshots are the embedded ones): the replay is the session's
    shared run of them (tests/e2e/shared_runs.py), the live one a whole run here."""
    monkeypatch.delenv("RBI_SNAPSHOT_DIR", raising=False)
    monkeypatch.delenv("RBI_LIVE", raising=False)
    shared = published_tiny(tmp_path_factory)
    inputs = tmp_path / "inputs"
    shutil.copytree(shared / "inputs", inputs)
    monkeypatch.setenv("RBI_LIVE", "1")
    monkeypatch.setenv("RBI_SSB_BASE_URL", server.v2)
    live = run_pipeline(inputs, tmp_path / "live")
    assert live.returncode == 0, live.stdout[-3000:] + live.stderr[-3000:]
    [stored] = list_snapshots(tmp_path / "live" / "snapshots", "ssb_05300")  # new snapshot, output dir
    assert stored.read_bytes() == PAYLOAD_05300
    a = (shared / "output" / "releases" / "latest").resolve()
    b = (tmp_path / "live" / "releases" / "latest").resolve()
    for table in ("index_sector_year.csv", "component_sector_year.csv", "context_sector_year.csv"):
        assert (a / table).read_bytes().replace(a.name.encode(), b"ID") == (b / table).read_bytes().replace(
            b.name.encode(), b"ID"
        ), table
    replay_sources = {r["source_id"]: r for r in read_csv(a / "sources.csv")}
    live_sources = {r["source_id"]: r for r in read_csv(b / "sources.csv")}
    assert replay_sources.keys() == live_sources.keys()
    assert live_sources["ssb_05300"]["sha256"] == replay_sources["ssb_05300"]["sha256"]
    assert live_sources["ssb_05300"]["url"].startswith(server.v2 + "/tables/05300/data?")
    # the warehouse's provenance names the live snapshot the release used
    with duckdb.connect(str(tmp_path / "live" / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        used = con.execute("select snapshot_id from raw.source_register where source_id = 'ssb_05300'").fetchone()
    assert used == (stored.snapshot_id,)
