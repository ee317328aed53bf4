"""Pipeline runs built once per test session and shared by every test file that starts from them.

Most end-to-end stories begin with the same step: the tiny inputs (tests/e2e/tiny_inputs.py),
published by one uninterrupted run. That run is made once per session -- across pytest-xdist's
workers too: the first worker that asks builds it under a file lock in the session's shared
temporary folder, the others wait for it -- and handed out as

- ``published_tiny(...)`` -- the folder itself (``inputs/``, ``output/``), for tests that only read
  it: nothing may write into it;
- ``copy_of_published_tiny(...)`` -- a copy (inputs and output, symlinks kept) in the caller's own
  folder, for stories that go on from there (a second run, a late delivery, a broken input).

A copy is the state of the run itself: nothing in the raw area, the warehouse, the releases or the
revision store names its folder (the Dagster instance's history and dbt's artefacts do, and the
next run on the copy treats them as the history of another folder: a full dbt parse).
"""

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from tests.e2e.harness import run_pipeline
from tests.e2e.tiny_inputs import make_tiny_inputs

DONE = "shared-run.json"


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary folder all xdist workers share (each worker's own is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


def shared_run(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], str]) -> Path:
    """The folder ``<shared root>/<name>``, built once by ``build(folder)`` (which returns what it
    published, recorded in ``shared-run.json``); a failed build is not recorded and fails every test
    that asks, each with the build's own message."""
    folder = _shared_root(tmp_path_factory) / f"shared-{name}"
    with FileLock(str(folder) + ".lock"):
        if not (folder / DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            published = build(folder)
            (folder / DONE).write_text(json.dumps({"published": published}), encoding="utf-8")
    return folder


def _publish_tiny(replicates: str | None) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        inputs = make_tiny_inputs(folder / "inputs")
        output = folder / "output"
        extra = {"RBI_BOOTSTRAP_REPLICATES": replicates} if replicates else None
        result = run_pipeline(inputs, output, extra_env=extra, plain=True)  # the reference: `make run`'s own process
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        return (output / "releases" / "LATEST").read_text(encoding="utf-8").strip()

    return build


def published_tiny(tmp_path_factory: pytest.TempPathFactory, replicates: str | None = None) -> Path:
    """The tiny inputs published by one run (``RBI_BOOTSTRAP_REPLICATES=replicates`` if given): read only."""
    return shared_run(tmp_path_factory, f"tiny-b{replicates or 'default'}", _publish_tiny(replicates))


def copy_of_published_tiny(
    tmp_path_factory: pytest.TempPathFactory, destination: Path, replicates: str | None = None
) -> tuple[Path, Path]:
    """(inputs, output): a copy of the published tiny run in ``destination``, to go on from."""
    shared = published_tiny(tmp_path_factory, replicates)
    for part in ("inputs", "output"):
        shutil.copytree(shared / part, destination / part, symlinks=True)
    return destination / "inputs", destination / "output"
