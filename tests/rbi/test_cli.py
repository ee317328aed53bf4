"""The ``rbi`` command (installed by ``make setup``) and the ``--help`` of every command line.

Run as a person would: the installed script, as a subprocess, from a folder outside the checkout,
without the Makefile's PYTHONPATH.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rbi.cli import COMMANDS
from storage.paths import REPO_ROOT
from tests import preloaded

RBI = Path(sys.executable).parent / "rbi"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RBI_OUTPUT_DIR")}
    return {**env, "DO_NOT_TRACK": "1"}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    assert RBI.exists(), f"{RBI} is missing: `make setup` installs the rbi command"
    return subprocess.run(
        [str(RBI), *args], cwd=cwd, env={**_env(), **env}, capture_output=True, text=True, timeout=300
    )


def test_rbi_lists_its_commands(tmp_path):
    done = _run(["--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    for name in COMMANDS:
        assert re.search(rf"^  {name} ", done.stdout, re.M), name
    assert str(REPO_ROOT) in done.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_has_help(tmp_path, name):
    done = _run([name, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
    assert "Traceback" not in done.stderr


def test_unknown_command_is_refused_with_the_list(tmp_path):
    done = _run(["valdate"], tmp_path)
    assert done.returncode == 2
    assert "unknown command 'valdate'" in done.stderr and "validate" in done.stderr


def test_validate_from_another_folder_with_relative_paths(tmp_path):
    """The coordinator's step: the export and mapping next to each other, in a folder of their own."""
    made = _run(["sample", "--tool", "nettskjema", "--per-sector", "3", "--out", "delivery"], tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "delivery" / "export.csv").exists()
    done = _run(["validate", "export.csv", "mapping.yml"], tmp_path / "delivery")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "accepted, 27 rows, no problems" in done.stdout


def test_a_missing_module_is_said_not_crashed(tmp_path):
    done = _run(["publish"], tmp_path)
    if COMMANDS["publish"].module() is None:
        assert done.returncode == 2
        assert "not available in this installation" in done.stderr


# --- every module command line: --help and the --help of each subcommand -------------------


def _module_clis() -> list[tuple[list[str], str]]:
    """(argv prefix, label) for every module of the project with an argparse command line."""
    out = []
    for path in sorted(REPO_ROOT.glob("*/**/*.py")):
        rel = path.relative_to(REPO_ROOT)
        if rel.parts[0] in (".venv", "tests", "output", "dbt_project") or "ArgumentParser(" not in path.read_text(
            encoding="utf-8"
        ):
            continue
        if rel.parts[0] == "benchmarks":
            out.append(([str(path)], str(rel)))
        else:
            module = ".".join(rel.with_suffix("").parts).removesuffix(".__main__")
            out.append((["-m", module], module))
    return out


MODULE_CLIS = _module_clis()
# the modules among them, imported once by a preloaded server (tests/preloaded/): each `--help` below
# is forked from it, run as `python -m <module> --help` would be (~0.7 s of CPU less each)
CLI_MODULES = tuple(argv[1] for argv, _ in MODULE_CLIS if argv[0] == "-m")


def test_the_cli_list_is_complete():
    labels = {label for _, label in MODULE_CLIS}
    assert {"kit.planner", "sources.surveys", "kit.sample", "orchestration.run"} <= labels


@pytest.mark.parametrize(("argv", "label"), MODULE_CLIS, ids=[label for _, label in MODULE_CLIS])
def test_module_help_and_every_subcommand_help(tmp_path, argv, label):
    """A '%' in a help text crashes argparse's --help (it is a format string): every help prints."""
    env = {**_env(), "PYTHONPATH": str(REPO_ROOT)}

    def run(args: list[str]) -> subprocess.CompletedProcess:
        if argv[0] == "-m":
            return preloaded.run(argv[1], args, env=env, cwd=tmp_path, timeout=300, modules=CLI_MODULES)
        return subprocess.run([sys.executable, *argv, *args], cwd=tmp_path, env=env, capture_output=True, text=True)

    top = run(["--help"])
    assert top.returncode == 0, top.stderr
    assert "usage:" in top.stdout
    choices = re.search(r"\{([a-z0-9_,-]+)\}", top.stdout.split("\n\n")[0])
    for sub in choices.group(1).split(",") if choices else []:
        done = run([sub, "--help"])
        assert done.returncode == 0, f"{label} {sub} --help: {done.stderr[-500:]}"
        assert "usage:" in done.stdout
