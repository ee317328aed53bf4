"""The live SSB client against a local fake server that misbehaves: every malformed answer
becomes the client's own error (so the fallback to the last snapshot always happens), bodies are
capped, deadlines hold, Retry-After is bounded, redirects stay on the configured host, and an
all-null answer is never stored. Plus the JSON-stat 2.0 cases that used to be refused."""

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sources import jsonstat
from sources.catalogue import entry_by_id
from sources.http import HttpClient, RateLimiter
from sources.snapshots import list_snapshots, write_snapshot
from sources.ssb import SsbClient, SsbError, fetch_and_store
from tests.sources.fake_statbank import PAYLOAD_05300, V2, FakeStatBank

DATA = f"{V2}/tables/05300/data"
ENTRY = entry_by_id("ssb_05300")
META = {
    "title": "t",
    "publisher": "p",
    "origin_url": "https://example.invalid/x",
    "how_obtained": "earlier fetch",
    "licence": "CC BY 4.0",
    "data_status": "published",
}


@pytest.fixture
def server() -> Iterator[FakeStatBank]:
    fake = FakeStatBank().start()
    yield fake
    fake.stop()


def client(server: FakeStatBank, **http: object) -> SsbClient:
    options: dict = {"read_timeout": 5.0, "max_attempts": 1, "limiter": RateLimiter(sleep=lambda s: None)}
    options.update(http)
    return SsbClient(base=server.v2, v0_base=server.url + "/api/v0", http=HttpClient(**options))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    from datetime import UTC, datetime

    write_snapshot(tmp_path, "ssb_05300", PAYLOAD_05300, "json", META, datetime(2026, 1, 1, tzinfo=UTC))
    return tmp_path


def refused(server: FakeStatBank, store: Path, fault: tuple, match: str, **http: object) -> None:
    server.faults[DATA] = [fault]
    with pytest.raises(SsbError, match=match):
        fetch_and_store(ENTRY, store, client(server, **http))
    assert len(list_snapshots(store, "ssb_05300")) == 1  # the last snapshot stays the newest


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"[1, 2, 3]", "the document is an array"),
        (b"null", "the document is null"),
        (b"42", "the document is a number"),
        (nested(100_000), "nested too deeply"),
        (json.dumps({"class": "dataset", "id": "x", "size": [1], "dimension": {}}).encode(), "lacks the 'id'"),
        (json.dumps({"class": "dataset", "id": [1], "size": [1], "dimension": {"1": {}}}).encode(), "not text"),
        (json.dumps({"class": "dataset", "id": ["a"], "size": [1], "dimension": {"a": []}}).encode(), "not an object"),
        (
            json.dumps(
                {"class": "dataset", "id": ["a"], "size": [1], "role": "x", "dimension": {"a": {"category": {}}}}
            ).encode(),
            "'role' that is not an object",
        ),
        (
            json.dumps(
                {"class": "dataset", "id": ["a"], "size": [1], "dimension": {"a": {"category": {"label": [1]}}}}
            ).encode(),
            "category label must be an object",
        ),
    ],
)
def test_malformed_answers_become_the_clients_own_error(server, store, body: bytes, match: str) -> None:
    refused(server, store, ("body", body), match)


def all_null() -> bytes:
    document = json.loads(PAYLOAD_05300)
    document["value"] = [None] * len(document["value"])
    return json.dumps(document).encode()


def test_an_all_null_answer_is_never_the_newest_snapshot(server, store) -> None:
    refused(server, store, ("body", all_null()), "every value is null")


def test_a_huge_body_is_cut_at_the_cap(server, store) -> None:
    refused(server, store, ("stream", 40 * 2**20), r"larger than 4194304 bytes", max_body_bytes=4 * 2**20)


def test_an_announced_huge_body_is_refused_before_reading(server, store) -> None:
    body = b" " * (5 * 2**20)
    refused(server, store, ("body", body), r"announces 5242880 bytes", max_body_bytes=4 * 2**20)


def test_a_gzip_bomb_is_cut_while_it_inflates(server, store) -> None:
    bomb = gzip.compress(b" " * (64 * 2**20), compresslevel=9)  # 64 MiB of spaces in ~64 KiB
    assert len(bomb) < 2**20
    refused(
        server,
        store,
        ("body", bomb, "application/json", {"Content-Encoding": "gzip"}),
        "decompressed",
        max_body_bytes=4 * 2**20,
    )


def test_a_slowloris_answer_hits_the_deadline(server, store) -> None:
    started = time.monotonic()
    refused(server, store, ("drip", 0.2), "deadline", deadline_seconds=1.0)
    assert time.monotonic() - started < 10


def test_a_server_trickling_its_headers_hits_the_deadline(server, store) -> None:
    started = time.monotonic()
    refused(server, store, ("drip_headers", 0.3), "no answer headers within the deadline", deadline_seconds=1.0)
    assert time.monotonic() - started < 10


def test_the_entry_deadline_covers_all_its_requests(server, store) -> None:
    ssb = client(server, max_attempts=3, backoff=0.5, sleep=time.sleep)
    ssb.entry_deadline = 0.8
    server.faults[DATA] = [("status", 503), ("status", 503), ("status", 503)]
    started = time.monotonic()
    with pytest.raises(SsbError, match="deadline"):
        fetch_and_store(ENTRY, store, ssb)
    assert time.monotonic() - started < 5


def test_a_long_retry_after_ends_the_request_instead_of_waiting(server, store) -> None:
    slept: list[float] = []
    refused(
        server,
        store,
        ("status", 429, {"Retry-After": "100000"}),
        r"asks to wait 100000 s",
        max_attempts=3,
        sleep=slept.append,
    )
    assert slept == []


def test_redirects_stay_on_the_configured_host(server, store) -> None:
    refused(server, store, ("redirect", "http://example.invalid/steal"), "redirected to another host")
    server.faults[DATA] = [("redirect", server.url + f"{V2}/tables/05300/data?" + "lang=no&outputFormat=json-stat2")]
    # a redirect within the host is followed (the second request is answered normally)
    result = client(server).data("05300", {"Region": ["*"]}, expected_dimensions=())
    assert result.dataset.values


# --------------------------------------------------------------------------- JSON-stat 2.0


def small(**overrides: object) -> dict:
    document = {
        "version": "2.0",
        "class": "dataset",
        "id": ["region", "year"],
        "size": [2, 2],
        "dimension": {
            "region": {"category": {"index": ["0301", "1103"]}},
            "year": {"category": {"index": ["2024", "2025"]}},
        },
        "value": [1, 2, 3, 4],
    }
    document.update(overrides)
    return document


@pytest.mark.parametrize("status", [["p"], "p"])
def test_a_single_status_applies_to_every_cell(status: object) -> None:
    dataset = jsonstat.read(small(status=status))
    assert dataset.statuses == ["p", "p", "p", "p"]


def test_text_values_are_kept_in_the_tidy_csv(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "text.json"
    path.write_text(json.dumps(small(value=["a", "b", None, "4.50"])), encoding="utf-8")
    assert jsonstat.main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[-2] for line in lines[1:]] == ["a", "b", "", "4.50"]
    assert jsonstat.read(path).has_text_values
