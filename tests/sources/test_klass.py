"""KLASS client and `python -m sources.klass check-sectors` against the fake server.

The KLASS answers are SYNTHETIC (tests/fixtures/klass/SOURCES.md): no real KLASS payload exists here.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sources.http import HttpClient, RateLimiter
from sources.klass import SEED, KlassClient, KlassError, check_sectors, expand
from tests.sources.fake_statbank import FakeStatBank

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[FakeStatBank]:
    fake = FakeStatBank().start()
    yield fake
    fake.stop()


def client_for(server: FakeStatBank) -> KlassClient:
    http = HttpClient(max_attempts=2, limiter=RateLimiter(sleep=lambda s: None), sleep=lambda s: None)
    return KlassClient(base=server.url + "/api/klass/v1", http=http)


def test_seed_codes_are_valid_sn2007_and_the_version_is_recorded(server) -> None:
    report = check_sectors(client_for(server), SEED, "2024-12-31")
    assert report.exit_code == 0, report.problems
    assert report.version == "SN2007" and report.version_valid_from == "2009-01-01"
    assert report.sectors["SYKEHUS"] == [f"86.10{i}" for i in range(1, 8)]  # range expanded
    assert report.sectors["SYKEHJEM"] == ["87.101", "87.102"]
    assert report.newer_versions == ["SN2025 from 2025-01-01"]
    assert server.requests[-1]["accept"] == "application/json"  # JSON through the Accept header
    assert server.requests[-1]["query"]["date"] == ["2024-12-31"]


def test_sn2025_change_is_reported_not_mixed(server) -> None:
    report = check_sectors(client_for(server), SEED, "2025-06-30")
    assert report.exit_code == 3 and report.version_change
    assert "seed's codes are SN2007 but KLASS classification 6 at 2025-06-30 is SN2025" in report.problems[0]
    assert report.sectors == {}  # nothing validated against the other version
    assert not any("codesAt" in r["path"] for r in server.requests)


def test_invalid_code_and_mixed_versions_are_named(server, tmp_path) -> None:
    seed = tmp_path / "sectors.csv"
    text = SEED.read_text(encoding="utf-8").replace("84.240,9", "84.249,9")
    seed.write_text(text, encoding="utf-8")
    report = check_sectors(client_for(server), seed, "2024-12-31")
    assert report.exit_code == 1
    assert report.problems == [f"{seed}: row 9 (POLITI), field 'sn2007_codes': 84.249 not in the classification"]
    mixed = tmp_path / "mixed.csv"
    lines = SEED.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("SN2007 (unconfirmed against KLASS)", "SN2025")
    mixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_sectors(client_for(server), mixed, "2024-12-31")
    assert report.exit_code == 3 and "mixes classification versions SN2007, SN2025" in report.problems[0]


def test_range_needs_both_ends() -> None:
    known = {"86.101": {"level": "5"}, "86.102": {"level": "5"}}
    assert expand("86.101-86.102", known) == (["86.101", "86.102"], [])
    assert expand("86.101-86.109", known) == ([], ["range 86.101-86.109: 86.109 not in the classification"])


def test_klass_errors_are_clear(server) -> None:
    client = client_for(server)
    with pytest.raises(KlassError, match=r"KLASS: SSB answered HTTP 404 to GET .*/classifications/7"):
        client.versions("7")


def test_check_sectors_command(server, tmp_path) -> None:
    env = {**os.environ, "RBI_KLASS_BASE_URL": server.url + "/api/klass/v1", "PYTHONPATH": str(REPO)}
    report = tmp_path / "klass.json"
    done = subprocess.run(
        [sys.executable, "-m", "sources.klass", "check-sectors", "--date", "2024-12-31", "--report", str(report)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KLASS classification 6 at 2024-12-31: SN2007" in done.stdout
    assert "note: a newer version exists: SN2025 from 2025-01-01" in done.stdout
    assert json.loads(report.read_text())["version"] == "SN2007"
    later = subprocess.run(
        [sys.executable, "-m", "sources.klass", "check-sectors", "--date", "2025-06-30"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert later.returncode == 3
    assert "result: classification version differs (SN2025 change)" in later.stdout
