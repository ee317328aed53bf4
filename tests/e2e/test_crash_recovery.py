"""A run killed (SIGKILL of its whole process group) inside any stage blocks nothing: the next run,
started with no manual step, finishes and publishes exactly what an uninterrupted run publishes.
The early stages here, the late ones and two runs at once in test_crash_recovery_late.py."""

from pathlib import Path

import pytest

from tests.e2e.crash_story import inputs, kill_and_recover, reference

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(3600)]  # the reference run + a killed run + its recovery
__all__ = ["inputs", "reference"]  # the module-scoped fixtures, one reference run per file


@pytest.mark.parametrize("stage", ["raw writes", "dbt seeds", "bootstrap model", "marts"])
def test_a_run_killed_in_a_stage_is_recovered_by_the_next_run(
    stage: str, inputs: Path, reference: tuple[str, bytes], tmp_path: Path
) -> None:
    kill_and_recover(stage, inputs, reference, tmp_path)
