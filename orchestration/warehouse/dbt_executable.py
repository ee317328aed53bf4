"""``rbi-dbt``: the dbt command the pipeline runs (a console script of this project, `make setup`).

It is dbt's own command line (``dbt.cli.main:cli``, what the ``dbt`` script runs) with one
difference: ``rbi-dbt --version`` answers from the installed package's metadata. dagster-dbt runs
``<dbt_executable> --version`` once per run to learn the version; dbt answers it by first asking
pypi.org for the newest release (a 1 s timeout, and dbt's whole import: ~3 s of CPU and up to 7 s
on the shared machine), which an offline pipeline does not need.

With ``RBI_DBT_EXECUTABLE`` set, every other command is handed to that program instead (``exec``,
the same arguments, environment and folder): a dbt of another installation, a wrapper that runs dbt
under ``nice``, or the tests' dbt forked from a preloaded interpreter (tests/preloaded/dbt.py).
"""

import os
import sys
from importlib.metadata import version

DBT_PACKAGES = ("dbt-core", "dbt-duckdb")
DELEGATE = "RBI_DBT_EXECUTABLE"  # the program that runs dbt's commands instead, when set


def version_text() -> str:
    """The installed versions, in the shape of ``dbt --version`` (``Core: - installed: X.Y.Z``)."""
    core, duckdb = (version(name) for name in DBT_PACKAGES)
    return f"Core:\n  - installed: {core}\n\nPlugins:\n  - duckdb: {duckdb}\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        sys.stdout.write(version_text())
        return 0
    delegate = os.environ.get(DELEGATE)
    if delegate:
        sys.stdout.flush()
        try:
            os.execv(delegate, [delegate, *args])  # does not return
        except OSError as exc:  # missing, not executable, not a program: said, not a traceback
            print(f"rbi-dbt: {DELEGATE}={delegate} cannot be run: {exc.strerror or exc}", file=sys.stderr)
            return 127 if isinstance(exc, FileNotFoundError) else 126  # the shell's statuses
    from dbt.cli.main import cli

    sys.argv = ["dbt", *args]
    try:
        cli()  # exits with dbt's own status
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
