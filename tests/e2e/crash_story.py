"""The crash story shared by tests/e2e/test_crash_recovery*.py: the tiny inputs, the reference
release (the session's shared uninterrupted run of them, tests/e2e/shared_runs.py) and the checks
that a run after a crash recovered."""

import json
from pathlib import Path

import pytest

from publication.checksums import verify
from storage.paths import Paths
from tests.e2e.shared_runs import published_tiny


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published_tiny(tmp_path_factory)


@pytest.fixture(scope="module")
def inputs(shared: Path) -> Path:
    """The tiny inputs (read only)."""
    return shared / "inputs"


@pytest.fixture(scope="module")
def reference(shared: Path) -> tuple[str, bytes]:
    """The release id and SHA256SUMS of an uninterrupted run."""
    releases = shared / "output" / "releases"
    release = (releases / "LATEST").read_text().strip()
    return release, (releases / release / "SHA256SUMS").read_bytes()


def reaped(output: str) -> list[str]:
    """The run guard's lines about dead runs it marked failed."""
    return [line for line in output.splitlines() if "dead run" in line and "marked FAILED" in line]


def assert_published_the_reference(output: Path, reference: tuple[str, bytes]) -> None:
    """The same release, byte for byte, as an uninterrupted run; no partial release left; dbt's
    build state complete."""
    release, sums = reference
    assert (output / "releases" / "LATEST").read_text().strip() == release
    assert (output / "releases" / release / "SHA256SUMS").read_bytes() == sums
    assert verify(output / "releases" / release) == []
    assert not [p for p in (output / "releases").iterdir() if p.name.startswith(".partial")]
    state = json.loads(Paths.from_env(output=output).build_state.read_text())
    assert state["state"] == "complete"
