"""Benchmarks that cannot rot: every script in benchmarks/ runs in its smoke mode (tiny size, one
run, timing targets not checked), in a subprocess as a person would run it, exits 0 and prints its
figures. The figures themselves are measured by hand and recorded in benchmarks/README.md."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"

# what each script must print: its figures (a number with a unit) and its checks
EXPECTED = {
    "survey_ingest.py": [r"duckdb read_csv \(baseline\): [\d.]+ s", r"ingest end to end: +[\d.]+ s", r"ok +all rows"],
    "xlsx_ingest.py": [r"calamine alone +[\d.]+ s", r"xlsx +[\d.]+ s", r"ratio xlsx / calamine alone: [\d.]+x"],
    "method_bootstrap.py": [r"pipeline \(dbt run\) +[\d.]+ s wall", r"core \(bootstrap_cells\) +[\d.]+ s", r"NAV +\d"],
    "pipeline_overhead.py": [r"run 1: full +[\d.]+ s", r"run 1: minimal +[\d.]+ s", r"ratio [\d.]+"],
    "survey_bounds.py": [r'"wide_header": \{\s*"seconds": [\d.e-]+', r'"distinct_bad": \{\s*"seconds": [\d.e-]+'],
}
# the two that run dbt (and the whole pipeline) in subprocesses are end-to-end tests; on the shared,
# loaded 2-core machine the pipeline's smoke run took 14 min (86 s of CPU), hence the generous bounds
SLOW = {"method_bootstrap.py", "pipeline_overhead.py"}


def test_every_benchmark_has_a_smoke_test() -> None:
    assert {p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_")} == set(EXPECTED)


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(name, marks=[pytest.mark.e2e, pytest.mark.timeout(2400)] if name in SLOW else [])
        for name in sorted(EXPECTED)
    ],
)
def test_benchmark_smoke_mode_runs_and_prints_its_figures(script: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TMPDIR": str(tmp_path),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "GX_ANALYTICS_ENABLED": "False",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for pattern in EXPECTED[script]:
        assert re.search(pattern, result.stdout), (pattern, result.stdout[-3000:])
    assert "FAIL" not in result.stdout
