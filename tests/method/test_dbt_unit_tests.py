"""The dbt unit tests (``unit_tests:`` in dbt_project/models/, single-model worked examples of the
method) pass on a fresh warehouse holding only the method seeds."""

import os
import subprocess
from pathlib import Path

from storage.paths import DBT_PROJECT_DIR, Paths
from tests import preloaded
from tests.method.dbt_harness import DBT_MODULES, start_warm_server


def dbt(args: list[str], warehouse: Path, target: Path) -> subprocess.CompletedProcess:
    """``dbt <args>`` (rbi-dbt, dbt's own command line) forked from the preloaded dbt (tests/preloaded/)."""
    args = [*args, "--profiles-dir", ".", "--target-path", str(target), "--log-path", str(target)]
    args += ["--vars", Paths.from_env(output=warehouse.parent.parent).dbt_vars()]
    dbt_command = "orchestration.warehouse.dbt_executable"
    env = dict(os.environ)
    if preloaded.enabled():
        start_warm_server()
    return preloaded.run(dbt_command, args, env=env, cwd=DBT_PROJECT_DIR, timeout=600, modules=DBT_MODULES)


def test_dbt_unit_tests_pass(tmp_path: Path) -> None:
    warehouse = Paths.from_env(output=tmp_path / "out").warehouse
    warehouse.parent.mkdir(parents=True)
    target = tmp_path / "target"
    seeded = dbt(["seed"], warehouse, target)
    assert seeded.returncode == 0, seeded.stdout[-4000:]
    result = dbt(["test", "--select", "test_type:unit"], warehouse, target)
    assert result.returncode == 0, result.stdout[-6000:]
    # every unit test ran (none was skipped or deselected)
    assert result.stdout.count("PASS") >= 3 and "PASS=3" in result.stdout, result.stdout[-3000:]
