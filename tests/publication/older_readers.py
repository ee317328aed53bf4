"""Throw-away Python environments with OLDER readers of the release files (DuckDB 1.x, an old pyarrow).

Analysts open ``rbi.duckdb`` and the Parquet files with whatever they installed last year; the tests
open them the same way. Each reader is a virtualenv made once by uv from the package index and kept
in ``$RBI_OLD_READERS_DIR`` (default ``~/.cache/rbi/old-readers``), so a machine pays the download
once. Where no package index is reachable the tests skip with that reason, unless
``RBI_REQUIRE_OLD_READERS=1`` (set by ``.ci/run``, which prepares them with ``make old-readers``):
then a missing reader fails the run instead of hiding it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

# name -> the packages of that environment (the oldest readers the project promises to serve)
READERS: dict[str, tuple[str, ...]] = {
    "duckdb-1.1": ("duckdb==1.1.3",),
    "duckdb-1.5": ("duckdb==1.5.6",),
    "pyarrow-14": ("pyarrow==14.0.2", "numpy<2"),
}
REQUIRE = "RBI_REQUIRE_OLD_READERS"


def readers_dir() -> Path:
    configured = os.environ.get("RBI_OLD_READERS_DIR", "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "rbi" / "old-readers"


def _uv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "uv", *args], capture_output=True, text=True, timeout=600, check=False)


def prepare(name: str) -> Path:
    """The Python of reader ``name``, made if missing; raises RuntimeError with uv's message."""
    root = readers_dir()
    root.mkdir(parents=True, exist_ok=True)
    env = root / name
    python = env / "bin" / "python"
    ready = env / ".ready"
    with FileLock(str(root / f"{name}.lock")):
        if ready.exists() and python.exists():
            return python
        made = _uv("venv", "--quiet", "--python", sys.executable, str(env))
        if made.returncode != 0:
            raise RuntimeError(f"uv venv {env}: {made.stderr.strip()[-400:]}")
        installed = _uv("pip", "install", "--quiet", "--python", str(python), *READERS[name])
        if installed.returncode != 0:
            raise RuntimeError(f"uv pip install {' '.join(READERS[name])}: {installed.stderr.strip()[-400:]}")
        ready.write_text(" ".join(READERS[name]) + "\n")
    return python


def reader(name: str) -> Path:
    """The Python of reader ``name`` for a test: skipped (or failed under RBI_REQUIRE_OLD_READERS=1) when it
    cannot be made."""
    try:
        return prepare(name)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        message = f"older reader {name} ({', '.join(READERS[name])}) could not be installed: {exc}"
        if os.environ.get(REQUIRE, "").strip() in ("1", "true", "yes"):
            pytest.fail(message + f" ({REQUIRE}=1: the older-reader checks must run here)")
        pytest.skip(message + " (no package index reachable?)")


def run_json(python: Path, script: str, *args: str) -> object:
    """Run ``script`` with the reader's Python (no project code on its path) and parse its JSON output."""
    done = subprocess.run(
        [str(python), "-I", "-c", script, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"reader failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


if __name__ == "__main__":  # `make old-readers`: prepare every reader once, loudly
    for reader_name in READERS:
        print(f"[old-readers] {reader_name}: {prepare(reader_name)}")
