"""``rbi-dbt``: the dbt command the pipeline runs (a console script of this project, `make setup`).

It is dbt's own command line (``dbt.cli.main:cli``, what the ``dbt`` script runs) with one
difference: ``rbi-dbt --version`` answers from the installed package's metadata. dagster-dbt runs
``<dbt_executable> --version`` once per run to learn the version; dbt answers it by first asking
pypi.org for the newest release (a 1 s timeout, and dbt's whole import: ~3 s of CPU and up to 7 s
on the shared machine), which an offline pipeline does not need.
"""

import sys
from importlib.metadata import version

DBT_PACKAGES = ("dbt-core", "dbt-duckdb")


def version_text() -> str:
    """The installed versions, in the shape of ``dbt --version`` (``Core: - installed: X.Y.Z``)."""
    core, duckdb = (version(name) for name in DBT_PACKAGES)
    return f"Core:\n  - installed: {core}\n\nPlugins:\n  - duckdb: {duckdb}\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        sys.stdout.write(version_text())
        return 0
    from dbt.cli.main import cli

    sys.argv = ["dbt", *args]
    try:
        cli()  # exits with dbt's own status
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
