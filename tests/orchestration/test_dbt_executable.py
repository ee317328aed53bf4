"""`rbi-dbt`, the dbt command of the pipeline: dbt itself, with an offline `--version`."""

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from orchestration.warehouse.dbt_executable import main, version_text

RBI_DBT = Path(sys.executable).with_name("rbi-dbt")


def test_version_is_the_installed_dbt_core_in_the_shape_dagster_dbt_reads() -> None:
    text = version_text()
    # dagster-dbt reads the first X.Y.Z of `dbt --version` (DbtCliResource's version probe)
    assert re.search(r"(\d+\.\d+\.\d+)", text).group(1) == version("dbt-core")
    assert f"duckdb: {version('dbt-duckdb')}" in text


def test_the_installed_command_answers_version_without_importing_dbt() -> None:
    assert RBI_DBT.exists(), "make setup installs the project's scripts (pyproject [project.scripts])"
    probe = "import sys; sys.argv=['rbi-dbt','--version']; "
    probe += "from orchestration.warehouse.dbt_executable import main; code = main(); "
    probe += "assert 'dbt' not in sys.modules and 'dbt.cli' not in sys.modules, sorted(sys.modules); sys.exit(code)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"installed: {version('dbt-core')}" in result.stdout
    shown = subprocess.run([str(RBI_DBT), "--version"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and shown.stdout == version_text()


def test_every_other_command_is_dbt_s_own(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "Usage: dbt" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2  # dbt's (click's) usage error


def test_the_pipeline_runs_rbi_dbt() -> None:
    from orchestration.definitions import DBT_EXECUTABLE

    assert str(RBI_DBT) == DBT_EXECUTABLE


def test_rbi_dbt_executable_runs_the_commands_instead(tmp_path: Path) -> None:
    """RBI_DBT_EXECUTABLE: every command but --version goes to that program, arguments, environment
    and folder unchanged, and its exit status is rbi-dbt's."""
    other = tmp_path / "other-dbt"
    other.write_text('#!/bin/sh\necho "args: $* | dir: $(pwd) | mark: $MARK"\nexit 7\n', encoding="utf-8")
    other.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "RBI_DBT_EXECUTABLE": str(other), "MARK": "kept"}
    result = subprocess.run(
        [str(RBI_DBT), "build", "--select", "a b"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 7, result.stderr
    assert result.stdout == f"args: build --select a b | dir: {tmp_path} | mark: kept\n"
    version_only = subprocess.run([str(RBI_DBT), "--version"], env=env, capture_output=True, text=True, timeout=120)
    assert version_only.returncode == 0 and version_only.stdout == version_text()  # answered by rbi-dbt itself


@pytest.mark.parametrize(("name", "mode", "status"), [("missing", None, 127), ("not-executable", 0o644, 126)])
def test_an_rbi_dbt_executable_that_cannot_run_is_named(tmp_path: Path, name: str, mode: int | None, status: int):
    program = tmp_path / name
    if mode is not None:
        program.write_text("#!/bin/sh\necho never\n", encoding="utf-8")
        program.chmod(mode)
    env = {"PATH": "/usr/bin:/bin", "RBI_DBT_EXECUTABLE": str(program)}
    result = subprocess.run([str(RBI_DBT), "build"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == status
    assert f"RBI_DBT_EXECUTABLE={program} cannot be run" in result.stderr and "Traceback" not in result.stderr
