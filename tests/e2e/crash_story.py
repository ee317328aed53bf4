"""The crash story shared by tests/e2e/test_crash_recovery*.py (two files, so that pytest-xdist's
``--dist loadfile`` runs the stages on both workers): the tiny inputs, the reference run, and one
stage's kill and recovery."""

import json
from pathlib import Path

import pytest

from publication.checksums import verify
from storage.paths import Paths
from tests.e2e.crash_harness import DEBUG_CONFIG, STAGES, run
from tests.e2e.tiny_inputs import make_tiny_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_inputs(tmp_path_factory.mktemp("crash") / "inputs")


@pytest.fixture(scope="module")
def reference(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """The release id and SHA256SUMS of an uninterrupted run."""
    output = tmp_path_factory.mktemp("reference") / "output"
    outcome = run(inputs, output)
    assert outcome.returncode == 0, outcome.output[-3000:]
    release = (output / "releases" / "LATEST").read_text().strip()
    return release, (output / "releases" / release / "SHA256SUMS").read_bytes()


def kill_and_recover(stage: str, inputs: Path, reference: tuple[str, bytes], tmp_path: Path) -> None:
    """Kill a run in ``stage``; the next run, with no manual step, publishes the reference release."""
    output = tmp_path / "output"
    config = tmp_path / "debug.yaml"
    config.write_text(DEBUG_CONFIG)
    killed = run(inputs, output, kill_at=STAGES[stage], config=config)
    assert killed.killed, f"the stage '{stage}' never started:\n{killed.output[-3000:]}"
    assert not (output / "releases" / "LATEST").exists()  # killed before anything was published

    recovery = run(inputs, output)  # the next run, no manual step
    assert recovery.returncode == 0, recovery.output[-4000:]
    # the dead run was found, failed and named, with the step it died in
    dead = [line for line in recovery.output.splitlines() if "dead run" in line and "marked FAILED" in line]
    assert len(dead) == 1, recovery.output[-4000:]
    assert "is gone" in dead[0] and "it died in step" in dead[0], dead[0]
    # the same release, byte for byte, as an uninterrupted run
    release, sums = reference
    assert (output / "releases" / "LATEST").read_text().strip() == release
    assert (output / "releases" / release / "SHA256SUMS").read_bytes() == sums
    assert verify(output / "releases" / release) == []
    assert not [p for p in (output / "releases").iterdir() if p.name.startswith(".partial")]
    state = json.loads(Paths.from_env(output=output).build_state.read_text())
    assert state["state"] == "complete"
