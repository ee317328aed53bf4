"""A process killed at any moment of a publication leaves `latest` on a complete, checksum-valid release.

A subprocess publishes r1, then r2 through publication/store.py with the store's checkpoint
hook replaced: it exits hard (os._exit, no cleanup) at a chosen step, or stops there (blocked on its
stdin) until the parent SIGKILLs it: no timing, every kill lands where it is meant to."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from publication.checksums import verify
from publication.store import LATEST_LINK, current_release, list_releases

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from publication import store
    from publication.checksums import sha256sums

    root, mode, arg = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

    def files(tag):
        out = {f"table_{i}.csv": f"{tag},{i}\\n".encode() * 1000 for i in range(5)}
        out["SHA256SUMS"] = sha256sums(out)
        return out

    def writer(path):
        path.write_bytes(b"duckdb-like " + path.name.encode())

    store.publish(root, "r1", files("r1"), {"rbi.duckdb": writer})
    steps = []

    def checkpoint(step):
        steps.append(step)
        print(step, flush=True)
        if mode == "exit" and len(steps) == int(arg):
            os._exit(3)
        if mode == "hold" and len(steps) == int(arg):
            sys.stdin.read()  # until the parent's SIGKILL

    store._checkpoint = checkpoint
    store.publish(root, "r2", files("r2"), {"rbi.duckdb": writer})
    print("done", flush=True)
    """
)


def run(root: Path, mode: str, arg: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(root), mode, arg],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def assert_consistent(root: Path) -> str:
    current = current_release(root)
    assert current in ("r1", "r2")
    assert verify(root / current) == []  # complete and checksum-valid
    assert (root / current / "rbi.duckdb").exists()
    link = os.readlink(root / LATEST_LINK)
    assert link in ("r1", "r2") and verify(root / link) == []
    assert set(list_releases(root)) <= {"r1", "r2"}  # a partial folder is never listed
    return current


def test_exit_at_every_step_of_a_publication(tmp_path: Path) -> None:
    full = run(tmp_path / "full", "exit", "0")
    steps = full.communicate(timeout=60)[0].splitlines()
    assert full.returncode == 0 and steps[-1] == "done"
    n_steps = len(steps) - 1  # 6 files written, the DuckDB writer, staged, renamed, moved latest
    assert n_steps == 10, steps
    seen = set()
    for k in range(1, n_steps + 1):
        root = tmp_path / f"crash-{k}"
        process = run(root, "exit", str(k))
        process.communicate(timeout=60)
        assert process.returncode == 3
        seen.add(assert_consistent(root))
        if k <= 8:  # before the rename, r2 does not exist as a release
            assert current_release(root) == "r1" and not (root / "r2").exists()
    assert seen == {"r1"}  # LATEST (the file) moves last, after the symlink
    # the next run finishes the job: r2 published and current
    process = run(tmp_path / "crash-9", "exit", "0")
    process.communicate(timeout=60)
    assert current_release(tmp_path / "crash-9") == "r2" and verify(tmp_path / "crash-9" / "r2") == []


@pytest.mark.parametrize("step", [1, 4, 7, 9])
def test_sigkill_mid_publication(tmp_path: Path, step: int) -> None:
    """SIGKILL (not an exit of its own) while the publication of r2 is held after ``step`` of its 10 steps."""
    process = run(tmp_path, "hold", str(step))
    assert process.stdout is not None
    steps = [process.stdout.readline().strip() for _ in range(step)]  # r1 is published, r2 has started
    assert steps[0].startswith("wrote") and all(steps), steps
    assert process.poll() is None  # held at the step, alive
    process.send_signal(signal.SIGKILL)
    rest = process.communicate(timeout=60)[0]
    assert process.returncode == -signal.SIGKILL
    assert "done" not in rest  # killed mid-publication
    assert assert_consistent(tmp_path) == "r1"  # LATEST (the file) moves last
    if step <= 8:
        assert not (tmp_path / "r2").exists()
