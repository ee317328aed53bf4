"""SSB StatBank client against a local fake server replaying real payloads (no network)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sources import jsonstat
from sources.catalogue import entry_by_id
from sources.http import HttpClient, RateLimiter, retry_after_seconds
from sources.snapshots import list_snapshots, newest_snapshot, write_snapshot
from sources.ssb import (
    SsbApiError,
    SsbClient,
    SsbError,
    SsbResponseError,
    cell_count,
    check_catalogue_entry,
    fetch_and_store,
    split_query,
    v0_body,
)
from tests.sources.fake_statbank import PAYLOAD_05300, PAYLOAD_07221, QUERY_07221, V2, FakeStatBank

DATA = f"{V2}/tables/05300/data"
ENTRY = entry_by_id("ssb_05300")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def server() -> Iterator[FakeStatBank]:
    fake = FakeStatBank().start()
    yield fake
    fake.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def client_for(server: FakeStatBank, clock: FakeClock, **kwargs) -> SsbClient:
    http = HttpClient(
        read_timeout=kwargs.pop("read_timeout", 5.0),
        max_attempts=kwargs.pop("max_attempts", 3),
        limiter=RateLimiter(clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
    )
    return SsbClient(base=server.v2, v0_base=server.url + "/api/v0", http=http, **kwargs)


META = {
    "title": "t",
    "publisher": "p",
    "origin_url": "https://example.invalid/x",
    "how_obtained": "earlier fetch",
    "licence": "CC BY 4.0",
    "data_status": "published",
}


@pytest.fixture
def store_with_previous(tmp_path: Path) -> tuple[Path, bytes]:
    store = tmp_path / "store"
    previous = write_snapshot(store, "ssb_05300", PAYLOAD_05300, "json", META, datetime(2025, 1, 1, tzinfo=UTC))
    return store, previous.payload_path.read_bytes()


def assert_previous_untouched(store: Path, payload: bytes) -> None:
    snapshots = list_snapshots(store, "ssb_05300")
    assert len(snapshots) == 1
    assert snapshots[0].read_bytes() == payload  # checksum verified: still usable
    assert jsonstat.read(snapshots[0].read_bytes()).tidy_rows()


# -- the normal path -------------------------------------------------------------------------------


def test_get_data_returns_the_real_bytes_and_stores_a_snapshot(server, clock, tmp_path) -> None:
    client = client_for(server, clock)
    snapshot = fetch_and_store(ENTRY, tmp_path, client)
    assert snapshot.read_bytes() == PAYLOAD_05300
    request = server.requests[-1]
    assert request["method"] == "GET" and request["path"] == DATA
    assert request["query"]["outputFormat"] == ["json-stat2"] and request["query"]["lang"] == ["no"]
    assert request["query"]["valueCodes[Tid]"] == ["1991,1994,1997,2000,2004,2008,2012,2016,2021"]
    sidecar = json.loads((snapshot.payload_path.parent / "sidecar.json").read_text())
    assert sidecar["sha256"] == "fd16b22712f46386a492c60ce08ccf9211316f1039d58b7b5cb290611eb79748"
    assert sidecar["http_status"] == 200 and sidecar["origin"] == "live"
    assert sidecar["licence"] == "CC BY 4.0 (Kilde: Statistisk sentralbyrå)"
    assert sidecar["table_updated"] == "2022-05-24T06:00:00Z"
    assert sidecar["query"]["ContentsCode"] == ["Avstand"]
    assert sidecar["requests"][0]["headers"]["content-type"].startswith("application/json")
    assert sidecar["origin_url"].startswith(server.v2 + "/tables/05300/data?")


def test_table_info_reads_updated(server, clock) -> None:
    info, fetched = client_for(server, clock).table_info("05810", lang="en")
    assert info["updated"] == "2025-02-25T07:00:00Z" and info["lastPeriod"] == "2025"
    assert fetched.status == 200


def test_long_url_switches_to_post_with_a_selection_body(server, clock) -> None:
    client = client_for(server, clock, max_url_length=120)
    result = client.data("05300", ENTRY.query, expected_dimensions=ENTRY.expected_dimensions)
    request = server.requests[-1]
    assert request["method"] == "POST" and request["query"]["outputFormat"] == ["json-stat2"]
    assert {"variableCode": "ContentsCode", "valueCodes": ["Avstand"]} in request["body"]["selection"]
    assert result.payload == PAYLOAD_05300


def test_query_over_the_cell_limit_is_split_and_recombined(server, clock, tmp_path) -> None:
    assert cell_count(ENTRY.query) == 432
    parts = split_query(ENTRY.query, max_cells=100)
    assert len(parts) == 5 and all(cell_count(p) <= 100 for p in parts)
    assert sum(cell_count(p) for p in parts) == 432
    client = client_for(server, clock, max_cells=100)
    snapshot = fetch_and_store(ENTRY, tmp_path, client)
    data_requests = [r for r in server.requests if r["path"] == DATA]
    assert len(data_requests) == 5
    combined = jsonstat.read(snapshot.read_bytes())
    original = jsonstat.read(PAYLOAD_05300)
    assert combined.tidy_rows() == original.tidy_rows()  # same cells, values and statuses, same order
    sidecar = snapshot.sidecar
    assert len(sidecar["parts"]) == 5 and len(sidecar["requests"]) == 5
    assert (snapshot.payload_path.parent / "part-001.json").exists()


def test_cell_limit_is_800000_by_default() -> None:
    query = {"A": [str(i) for i in range(1000)], "B": [str(i) for i in range(1000)]}
    parts = split_query(query)
    assert len(parts) == 2 and all(cell_count(p) == 500_000 for p in parts)


def test_v0_post_sends_the_recorded_query_and_reads_the_real_answer(server, clock) -> None:
    client = client_for(server, clock)
    result = client.data_v0("07221", QUERY_07221, expected_dimensions=("Region", "Boligtype", "ContentsCode", "Tid"))
    assert result.payload == PAYLOAD_07221
    assert server.requests[-1]["path"] == "/api/v0/no/table/07221"
    assert len(result.dataset.values) == 288
    # the catalogue's value-code query becomes the same v0 body
    query = {q["code"]: q["selection"]["values"] for q in QUERY_07221["query"]}
    assert v0_body(query) == QUERY_07221


def test_v0_body_translates_expressions() -> None:
    body = v0_body({"Tid": ["top(5)"], "Region": ["*"]})
    assert body["query"][0]["selection"] == {"filter": "top", "values": ["5"]}
    assert body["query"][1]["selection"] == {"filter": "all", "values": ["*"]}


# -- faults: each gives a retry or a specific clear error; the previous snapshot stays usable -------


def test_429_with_retry_after_is_honoured(server, clock, store_with_previous) -> None:
    store, _previous = store_with_previous
    server.faults[DATA] = [("status", 429, {"Retry-After": "7"}, b"Too Many Requests")]
    snapshot = fetch_and_store(ENTRY, store, client_for(server, clock))
    assert 7.0 in clock.slept
    assert snapshot.read_bytes() == PAYLOAD_05300
    assert len(list_snapshots(store, "ssb_05300")) == 2
    assert snapshot.sidecar["requests"][0]["attempts"] == 2


def test_503_then_success_retries_with_backoff(server, clock, tmp_path) -> None:
    server.faults[DATA] = [("status", 503), ("status", 503)]
    snapshot = fetch_and_store(ENTRY, tmp_path, client_for(server, clock))
    assert clock.slept == [1.0, 2.0]  # exponential backoff
    assert snapshot.sidecar["requests"][0]["attempts"] == 3


def test_persistent_503_gives_a_clear_error(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("status", 503, {}, b"Service Unavailable")] * 3
    with pytest.raises(SsbError, match=r"HTTP 503 after 3 attempts: Service Unavailable"):
        fetch_and_store(ENTRY, store, client_for(server, clock))
    assert_previous_untouched(store, previous)


def test_timeout_is_retried_then_reported(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("slow", 0.6)]
    snapshot = fetch_and_store(ENTRY, store, client_for(server, clock, read_timeout=0.2))
    assert snapshot.read_bytes() == PAYLOAD_05300  # the retry succeeded
    server.faults[DATA] = [("slow", 0.6), ("slow", 0.6)]
    with pytest.raises(SsbError, match=r"timed out .*gave up after 2 attempts"):
        fetch_and_store(ENTRY, store, client_for(server, clock, read_timeout=0.2, max_attempts=2))
    assert len(list_snapshots(store, "ssb_05300")) == 2
    assert list_snapshots(store, "ssb_05300")[0].read_bytes() == previous


def test_truncated_body_is_retried_then_reported(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("truncate",), ("truncate",)]
    with pytest.raises(SsbError, match=r"cut off before its announced length"):
        fetch_and_store(ENTRY, store, client_for(server, clock, max_attempts=2))
    assert_previous_untouched(store, previous)


def test_html_error_page_with_status_200_is_rejected(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("html200",)]
    with pytest.raises(SsbResponseError, match=r"HTTP 200 but the body is an HTML/XML page, not JSON"):
        fetch_and_store(ENTRY, store, client_for(server, clock))
    assert_previous_untouched(store, previous)


def test_wrong_content_type_is_rejected(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("content_type", "text/csv")]
    with pytest.raises(SsbResponseError, match=r"content type 'text/csv', expected application/json"):
        fetch_and_store(ENTRY, store, client_for(server, clock))
    assert_previous_untouched(store, previous)


def test_renamed_dimension_code_is_an_error_naming_both_codes(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("rename_dim", "Avstand1", "Avstand2")]
    with pytest.raises(SsbResponseError, match=r"missing Avstand1; unexpected Avstand2.*never mapped silently"):
        fetch_and_store(ENTRY, store, client_for(server, clock))
    assert_previous_untouched(store, previous)


def test_value_count_not_matching_sizes_is_an_error(server, clock, store_with_previous) -> None:
    store, previous = store_with_previous
    server.faults[DATA] = [("drop_value",)]
    with pytest.raises(SsbResponseError, match=r"'value' has 431 cells but the sizes multiply to 432"):
        fetch_and_store(ENTRY, store, client_for(server, clock))
    assert_previous_untouched(store, previous)
    assert newest_snapshot(store, "ssb_05300").read_bytes() == previous


def test_400_and_404_messages_are_surfaced_verbatim(server, clock) -> None:
    client = client_for(server, clock)
    with pytest.raises(SsbApiError, match=r'HTTP 400 .*the value \\"XX\\" does not exist in variable \\"Region\\"'):
        client.data("99999", {"Region": ["XX"]})
    with pytest.raises(SsbApiError, match=r"HTTP 404 to GET .*/tables/12345/data.*Table not found") as info:
        client.data("12345", {"A": ["1"]})
    assert info.value.status == 404
    assert len(server.requests) == 2  # 4xx are not retried


# -- rate limiting -----------------------------------------------------------------------------------


def test_rate_limiter_stays_under_30_a_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(30):
        limiter.wait()
    assert clock.slept == []
    limiter.wait()
    assert clock.slept == [60.0]


def test_rate_limiter_obeys_ratelimit_headers(server, clock) -> None:
    client = client_for(server, clock)
    server.faults[f"{V2}/tables/05810"] = [("ratelimit", "0", "12")]
    client.table_info("05810")
    client.table_info("05810")
    assert clock.slept == [12.0]


def test_retry_after_accepts_seconds_and_dates() -> None:
    assert retry_after_seconds("7", 1.0) == 7.0
    assert retry_after_seconds(None, 1.5) == 1.5
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 3.0) == 0.0  # in the past


# -- catalogue against metadata -----------------------------------------------------------------------


def test_check_catalogue_entry_reports_unknown_codes(server, clock, monkeypatch) -> None:
    client = client_for(server, clock)
    metadata = json.loads(PAYLOAD_05300)
    monkeypatch.setattr(client, "metadata", lambda table_id, lang: (metadata, None))
    assert check_catalogue_entry(ENTRY, client) == []
    bad = entry_by_id("ssb_05300").__class__(**{**ENTRY.__dict__, "query": {**ENTRY.query, "Tid": ["1991", "1899"]}})
    assert check_catalogue_entry(bad, client) == ["variable 'Tid' has no value code(s) 1899"]


def test_commands_fetch_and_check_catalogue(server, tmp_path) -> None:
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "RBI_SSB_BASE_URL": server.v2, "PYTHONPATH": str(repo)}
    fetch = subprocess.run(
        [sys.executable, "-m", "sources.ssb", "fetch", "ssb_05300", "--store", str(tmp_path)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fetch.returncode == 0, fetch.stderr
    [stored] = list_snapshots(tmp_path, "ssb_05300")
    assert f"ssb_05300: stored {stored.snapshot_id}" in fetch.stdout
    check = subprocess.run(
        [sys.executable, "-m", "sources.ssb", "check-catalogue"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 1  # the unverified tables are unknown to the fake server
    assert "ssb_05300 (table 05300): ok" in check.stdout
    assert "ssb_sickness_sector (table 12441): MISMATCH" in check.stdout and "HTTP 404" in check.stdout
