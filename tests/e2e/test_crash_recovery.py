"""A run killed (SIGKILL of its whole process group) inside any stage blocks nothing: the next run,
started with no manual step, finds the dead run, marks it failed naming the step it died in, and goes
on. One output directory takes a crash in every stage, one run after the other -- each run is the
recovery of the previous crash and is itself killed one stage later -- and the run after the last
crash publishes exactly what an uninterrupted run publishes (it recovers from everything every crash
left behind). Two runs at once on one output directory: tests/e2e/test_two_runs_at_once.py."""

from pathlib import Path

import pytest

from tests.e2e.crash_harness import DEBUG_CONFIG, STAGES, run
from tests.e2e.crash_story import assert_published_the_reference, inputs, reaped, reference, shared

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(4800)]  # six killed runs and the recovery
__all__ = ["inputs", "reference", "shared"]  # the module-scoped fixtures


def test_the_stages_are_in_the_order_a_run_reaches_them() -> None:
    assert list(STAGES) == ["raw writes", "dbt seeds", "bootstrap model", "marts", "gate", "publication"]


def test_a_run_killed_in_any_stage_is_recovered_by_the_next_run(
    inputs: Path, reference: tuple[str, bytes], tmp_path: Path
) -> None:
    output = tmp_path / "output"
    config = tmp_path / "debug.yaml"
    config.write_text(DEBUG_CONFIG)
    previous = None
    for stage, line in STAGES.items():
        killed = run(inputs, output, kill_at=line, config=config)
        after = f" (the run after one killed in '{previous}')" if previous else ""
        assert killed.killed, f"the stage '{stage}' never started{after}:\n{killed.output[-3000:]}"
        assert not (output / "releases" / "LATEST").exists()  # killed before anything was published
        dead = reaped(killed.output)
        assert len(dead) == (1 if previous else 0), killed.output[-4000:]
        assert all("is gone" in d and "it died in step" in d for d in dead), dead
        previous = stage

    recovery = run(inputs, output)  # the next run, no manual step
    assert recovery.returncode == 0, recovery.output[-4000:]
    [dead] = reaped(recovery.output)  # the run killed in the publication, failed and named
    assert "is gone" in dead and "it died in step" in dead and "csv_release" in dead, dead
    assert_published_the_reference(output, reference)
