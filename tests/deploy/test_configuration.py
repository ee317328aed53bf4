"""Every RBI_* setting the code (and the tests) read is in deploy/rbi.env.example and in the configuration table
(docs/configuration.md): the names are found in the code (any quoted "RBI_..." literal in Python,
dbt's env_var('RBI_...')), not listed by hand."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE_DIRS = (
    "sources",
    "storage",
    "revisions",
    "orchestration",
    "publication",
    "method",
    "expectations",
    "kit",
    "benchmarks",
)
# in tests only what is read from the environment (tests also name settings in assertions)
READ = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["'](RBI_[A-Z0-9_]+)["']""")
QUOTED = re.compile(r"""["'](RBI_[A-Z0-9_]*[A-Z0-9])["']""")
DBT_ENV_VAR = re.compile(r"""env_var\(\s*["'](RBI_[A-Z0-9_]+)["']""")


def names_in_code() -> dict[str, str]:
    """Setting name -> one file that reads it."""
    found: dict[str, str] = {}
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            for name in QUOTED.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, str(path.relative_to(REPO)))
    for path in sorted((REPO / "tests").rglob("*.py")):
        for name in READ.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(REPO)))
    for path in sorted((REPO / "dbt_project").rglob("*")):
        if path.suffix in (".sql", ".yml", ".py") and "target" not in path.parts:
            for name in DBT_ENV_VAR.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, str(path.relative_to(REPO)))
    return found


def test_the_scan_finds_the_settings_it_should() -> None:
    found = names_in_code()
    for name in ("RBI_INPUTS_DIR", "RBI_INBOX_DIR", "RBI_LIVE", "RBI_WAREHOUSE_WAIT_SECONDS", "RBI_WAREHOUSE_PATH"):
        assert name in found, name


def test_every_setting_is_in_the_env_example() -> None:
    example = (REPO / "deploy" / "rbi.env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?(RBI_[A-Z0-9_]+)=", example, flags=re.MULTILINE))
    missing = {name: where for name, where in names_in_code().items() if name not in listed}
    assert not missing, f"read by the code but not in deploy/rbi.env.example: {missing}"


def test_every_setting_is_in_the_configuration_table() -> None:
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1] for line in page.splitlines() if line.startswith("| `")]
    listed = set(re.findall(r"`(RBI_[A-Z0-9_]+)`", " ".join(rows)))
    missing = {name: where for name, where in names_in_code().items() if name not in listed}
    assert not missing, f"read by the code but not in the table of docs/configuration.md: {missing}"
