"""A run killed (SIGKILL of its whole process group) inside any stage blocks nothing: the next run,
started with no manual step, finishes and publishes exactly what an uninterrupted run publishes."""

import json
import threading
import time
from pathlib import Path

import pytest

from orchestration.runs import run_lock
from publication.checksums import verify
from sources.paths import Paths
from tests.e2e.crash_harness import DEBUG_CONFIG, STAGES, kill_group, run, start
from tests.e2e.tiny_inputs import make_tiny_inputs

pytestmark = pytest.mark.e2e


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


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_run_killed_in_a_stage_is_recovered_by_the_next_run(
    stage: str, inputs: Path, reference: tuple[str, bytes], tmp_path: Path
) -> None:
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


def test_two_runs_at_once_on_one_output_directory(inputs: Path, reference: tuple[str, bytes], tmp_path: Path) -> None:
    """The second run says at once who holds the output directory and exits non-zero; the first
    publishes exactly its own inputs; the second run's inputs, run again, are published after it."""
    output = tmp_path / "output"
    other = make_tiny_inputs(tmp_path / "other")
    export = other / "surveys" / "TINY-2025" / "export.csv"
    lines = export.read_text(encoding="utf-8").splitlines()
    export.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one respondent fewer
    first = start(inputs, output)
    console: list[str] = []  # drained, so the first run never blocks on a full pipe
    drain = threading.Thread(target=lambda: console.extend(first.stdout or []), daemon=True)
    drain.start()
    try:
        holder = run_lock.busy(output)
        while holder is None or holder.pid != first.pid or not holder.run_id:  # until its run has begun
            assert first.poll() is None, "the first run ended before its run began"
            time.sleep(0.2)
            holder = run_lock.busy(output)
        second = run(other, output)
        assert first.poll() is None  # refused while the first is still running
        assert second.returncode == 75, second.output[-3000:]
        assert f"is in use by run {holder.run_id}" in second.output and f"process {first.pid}" in second.output
        assert "since 20" in second.output and "this run did nothing" in second.output
        assert first.wait(timeout=900) == 0, "".join(console)[-3000:]
    finally:
        kill_group(first)
        drain.join(timeout=60)
    release, sums = reference
    releases = output / "releases"
    assert (releases / "LATEST").read_text().strip() == release
    assert (releases / release / "SHA256SUMS").read_bytes() == sums  # nothing of the other inputs in it
    again = run(other, output)
    assert again.returncode == 0, again.output[-3000:]
    newer = (releases / "LATEST").read_text().strip()
    assert newer != release and verify(releases / newer) == [] and verify(releases / release) == []
    assert (releases / release / "SHA256SUMS").read_bytes() == sums
