"""Two runs at once on one output directory: the second is refused at once and says who holds the
directory; the first publishes exactly its own inputs (the reference release of the crash story,
tests/e2e/crash_story.py)."""

import threading
import time
from pathlib import Path

import pytest

from orchestration.runs import run_lock
from publication.checksums import verify
from tests.e2e.crash_harness import kill_group, run, start
from tests.e2e.crash_story import inputs, reference, shared
from tests.e2e.tiny_inputs import make_tiny_inputs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(3600)]  # two runs and a refused one
__all__ = ["inputs", "reference", "shared"]  # the module-scoped fixtures


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
