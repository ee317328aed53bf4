"""Install, run, upgrade, run -- then back up and restore into a fresh deployment -- as an operator
does it with deploy/install.sh, deploy/upgrade.sh, deploy/backup.sh and deploy/restore.sh, under a
temporary prefix (unprivileged) against the session's PostgreSQL cluster (a database of its own).

Shown here:
- the install places deploy/dagster.yaml (PostgreSQL) in DAGSTER_HOME, fills the inputs folder
  from the operator's inputs, parses dbt for the deployment's output folder, creates the tables;
- an upgrade from a source whose orchestration/dagster.yaml (the local SQLite config) and
  deploy/dagster.yaml are NEWER than the deployment's instance file leaves that file as it is:
  the instance stays on PostgreSQL, with its history (the runs table grows from 1 to 2);
- the upgrade's order: daemon stopped, (no run in progress), webserver + code server stopped,
  migrate, code server started before webserver and daemon;
- a backup restored into a fresh deployment (new folders, new database) publishes a release with
  the same SHA256SUMS and keeps the run history.

One install, one source copy and one cluster for all steps (three pipeline runs on tiny inputs).
"""

import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from sources.pseudonyms import load_or_create_secret
from tests.deploy.postgres_cluster import Cluster, create_database, free_port, query
from tests.e2e.tiny_inputs import make_tiny_inputs

# an install, three pipeline runs, an upgrade, a backup and a restore: the longest file of the suite
# (its declared length puts it first, tests/conftest.py)
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(4800)]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def clean_environment() -> dict[str, str]:
    """The test's environment without any pipeline or Dagster setting (the env file sets them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RBI_", "DAGSTER_", "DBT_"))}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


class Site:
    """A deployment under a prefix: its env file, its scripts' environment, its database."""

    def __init__(self, root: Path, cluster: Cluster, database: str, source: Path, inputs: Path) -> None:
        self.root, self.cluster, self.database, self.source, self.inputs = root, cluster, database, source, inputs
        self.prefix = root / "prefix"
        self.lib = self.prefix / "var" / "lib" / "rbi"
        self.home = self.lib / "dagster_home"
        self.output = self.lib / "output"
        self.calls = root / "systemctl.log"
        fake = root / "systemctl"
        fake.write_text(f'#!/bin/sh\necho "$*" >> {self.calls}\n', encoding="utf-8")
        fake.chmod(0o755)
        settings = {
            **create_database(cluster, database),
            "DAGSTER_HOME": str(self.home),
            "RBI_INPUTS_DIR": str(self.lib / "inputs"),
            "RBI_OUTPUT_DIR": str(self.output),
            "RBI_RAW_DIR": str(self.lib / "raw"),
            "RBI_CODE_SERVER_HOST": "127.0.0.1",
            "RBI_CODE_SERVER_PORT": str(free_port()),
            "RBI_BOOTSTRAP_REPLICATES": "20",  # a small B for speed (a `b20-` release id)
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "GX_ANALYTICS_ENABLED": "False",
        }
        self.env_file = self.prefix / "etc" / "rbi" / "rbi.env"
        self.env_file.parent.mkdir(parents=True)
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")

    def script(self, name: str, *args: str, **extra: str) -> str:
        env = clean_environment() | {
            "SOURCE": str(self.source),
            "SHARED_VENV": str(REPO / ".venv"),  # the same requirements.lock: no second install
            "SYSTEMCTL": str(self.root / "systemctl"),
            "HEALTH_WAIT": "0",  # no service manager here: the fake systemctl only records
            **extra,
        }
        result = subprocess.run(
            ["bash", str(self.source / "deploy" / name), "--prefix", str(self.prefix), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout + result.stderr

    def run(self) -> subprocess.CompletedProcess:
        """A publication run of the current version, with the deployment's environment."""
        command = (
            f"set -a; . {self.env_file}; set +a; cd {self.prefix}/opt/rbi/current && "
            "PYTHONPATH=$PWD exec .venv/bin/python -m orchestration.run publish_all"
        )
        result = subprocess.run(["bash", "-c", command], env=clean_environment(), capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
        return result

    def runs(self) -> list[list[str]]:
        return query(self.cluster, self.database, "select run_id, status from runs order by create_timestamp")

    def sha256sums(self) -> str:
        latest = (self.output / "releases" / "LATEST").read_text(encoding="utf-8").strip()
        return (self.output / "releases" / latest / "SHA256SUMS").read_text(encoding="utf-8")


def files_under(root: Path) -> set[str]:
    return {f"./{p.relative_to(root)}" for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this working tree's files as a git checkout (index only), as an operator's clone."""
    root = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    with tarfile.open(root / "src.tar", "w") as archive:
        for name in filter(None, listed):
            if (REPO / name.decode()).is_file():
                archive.add(REPO / name.decode(), arcname=name.decode(), recursive=False)
    tree = root / "tree"
    with tarfile.open(root / "src.tar") as archive:
        archive.extractall(tree, filter="tar")
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    return tree


@pytest.fixture(scope="module")
def site(postgres: Cluster, source: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("site")
    inputs = make_tiny_inputs(root / "operator_inputs")
    site = Site(root, postgres, "rbi_site", source, inputs)
    site.installed = site.script("install.sh", "--version", "v1", "--inputs", str(inputs))
    site.first = site.run()
    return site


def test_install_places_the_postgres_instance_and_the_operators_inputs(site: Site) -> None:
    assert (site.home / "dagster.yaml").read_bytes() == (DEPLOY / "dagster.yaml").read_bytes()
    assert "placed deploy/dagster.yaml" in site.installed
    inputs = site.lib / "inputs"
    assert sorted(p.name for p in inputs.iterdir()) == sorted(p.name for p in site.inputs.iterdir())
    assert oct((site.lib / "raw").stat().st_mode & 0o777) == "0o750"
    assert oct(site.env_file.stat().st_mode & 0o777) == "0o600"
    assert (site.prefix / "opt" / "rbi" / "current").resolve().name == "v1"
    # dbt was parsed for the deployment's warehouse: the run reuses the parse (dbt's own output is in
    # the run's captured stdout)
    captured = "".join(p.read_text(errors="replace") for p in (site.home / "storage").rglob("compute_logs/*.out"))
    assert "Running with dbt" in captured
    assert "Unable to do partial parsing" not in captured + site.first.stdout + site.first.stderr
    runs = site.runs()
    assert [status for _, status in runs] == ["SUCCESS"]


def test_upgrade_keeps_the_instance_on_postgres_with_its_history(site: Site) -> None:
    before = site.runs()
    # the new source's local (SQLite) and deployment instance files are newer than the deployment's
    later = (site.home / "dagster.yaml").stat().st_mtime + 60
    for name in ("orchestration/dagster.yaml", "deploy/dagster.yaml"):
        os.utime(site.source / name, (later, later))
    site.calls.write_text("", encoding="utf-8")
    upgraded = site.script("upgrade.sh", "--version", "v2")

    assert "differs from orchestration/dagster.yaml: left as it is" in upgraded
    assert (site.home / "dagster.yaml").read_bytes() == (DEPLOY / "dagster.yaml").read_bytes()
    assert (site.prefix / "opt" / "rbi" / "current").resolve().name == "v2"
    assert site.calls.read_text(encoding="utf-8").splitlines() == [
        "stop rbi-daemon",
        "stop rbi-webserver rbi-code-server",
        "start rbi-code-server",
        "start rbi-webserver rbi-daemon",
    ]
    assert "no run in progress" in upgraded

    site.run()
    after = site.runs()
    assert after[: len(before)] == before  # the history is still there
    assert len(after) == len(before) + 1 and after[-1][1] == "SUCCESS"


def test_a_backup_restored_into_a_fresh_deployment_republishes_the_same_release(
    site: Site, postgres: Cluster, source: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pg = {"PG_BIN": str(postgres.bindir)}
    # the installation's pseudonym secret, as the first survey ingested after #19 creates it
    secret = load_or_create_secret(site.lib / "raw" / "keys" / "pseudonym.key")
    written = site.script("backup.sh", "--to", str(site.root / "backups"), **pg)
    backup = Path(re.search(r"backup written to (\S+) ", written).group(1))
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "config.tar",
        "inputs.tar",
        "instance.dump",
        "raw.tar",
        "releases.tar",
    ]
    with tarfile.open(backup / "raw.tar") as raw:
        assert "./keys/pseudonym.key" in raw.getnames()  # the pseudonym secret is in the backup
        in_backup = {name for name in raw.getnames() if raw.getmember(name).isfile()}
    assert in_backup == files_under(site.lib / "raw")  # the whole raw area (revision store too)
    original_runs, original_sums = site.runs(), site.sha256sums()

    fresh = Site(tmp_path_factory.mktemp("restored"), postgres, "rbi_restored", source, site.inputs)
    fresh.script("install.sh", "--version", "v1")  # the embedded inputs: the restore replaces them
    fresh.calls.write_text("", encoding="utf-8")
    restored = fresh.script("restore.sh", str(backup), **pg)
    assert "compare" in restored and (fresh.env_file.parent / "rbi.env.from-backup").exists()
    assert fresh.runs() == original_runs  # the run history came along
    assert fresh.calls.read_text(encoding="utf-8").splitlines() == [
        "stop rbi-daemon rbi-webserver rbi-code-server",
        "start rbi-code-server",
        "start rbi-webserver rbi-daemon",
    ]
    assert sorted(p.name for p in (fresh.lib / "inputs").iterdir()) == sorted(p.name for p in site.inputs.iterdir())

    assert load_or_create_secret(fresh.lib / "raw" / "keys" / "pseudonym.key") == secret
    assert files_under(fresh.lib / "raw") == files_under(site.lib / "raw")
    rerun = fresh.run()
    assert ": unchanged at " in rerun.stdout + rerun.stderr  # rebuilt byte for byte from the backup
    assert fresh.sha256sums() == original_sums
    after = fresh.runs()
    assert after[: len(original_runs)] == original_runs and after[-1][1] == "SUCCESS"
