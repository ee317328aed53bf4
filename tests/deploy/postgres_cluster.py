"""A throw-away PostgreSQL cluster from the distribution's packages, for the deployment tests.

``initdb`` in a fresh temporary folder, ``postgres`` listening on 127.0.0.1 on a free port (its
unix socket in the same folder), trust authentication for one superuser, stopped and deleted
after. initdb refuses to run as root (CI runs as root): then the server runs as the ``postgres``
user of the package through ``runuser``, and the folder belongs to that user.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER = "dagster"
DB = "dagster"


def postgres_bindir() -> Path | None:
    """Where initdb/pg_ctl are: $RBI_PG_BINDIR, PATH, or Debian's /usr/lib/postgresql/<ver>/bin."""
    configured = os.environ.get("RBI_PG_BINDIR")
    if configured:
        return Path(configured)
    found = shutil.which("initdb")
    if found:  # the real folder, with createdb and psql next to initdb (not a symlink's folder)
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def env(self) -> dict[str, str]:
        """The DAGSTER_PG_* variables deploy/dagster.yaml reads."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": DB,
            "DAGSTER_PG_USER": USER,
            "DAGSTER_PG_PASSWORD": "",
        }


def _as_owner(command: list[str]) -> list[str]:
    """Run as the `postgres` user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_owner(command), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def start_cluster(bindir: Path) -> Cluster:
    root = Path(tempfile.mkdtemp(prefix="rbi-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(bindir, root, free_port())
    try:
        _initdb_and_start(cluster)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def _initdb_and_start(cluster: Cluster) -> None:
    bindir, root = cluster.bindir, cluster.root
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    options = f"-h 127.0.0.1 -p {cluster.port} -k {cluster.root} -c fsync=off -c max_connections=100"
    log = str(root / "server.log")
    _run([str(bindir / "pg_ctl"), "-D", str(cluster.data), "-l", log, "-o", options, "-w", "start"])
    deadline = time.monotonic() + 30
    while True:
        try:
            _run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", USER, DB])
            break
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop_cluster(cluster: Cluster) -> None:
    try:
        if (cluster.data / "postmaster.pid").exists():
            _run([str(cluster.bindir / "pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)


def create_database(cluster: Cluster, name: str) -> dict[str, str]:
    """A database of its own in the cluster (one per test module sharing the session's cluster);
    returns the DAGSTER_PG_* variables that point at it."""
    _run([str(cluster.bindir / "createdb"), "-h", cluster.host, "-p", str(cluster.port), "-U", USER, name])
    return {**cluster.env(), "DAGSTER_PG_DB": name}


def query(cluster: Cluster, database: str, sql: str) -> list[list[str]]:
    """Rows of a query (psql, unaligned), for assertions on what is stored in PostgreSQL."""
    command = [str(cluster.bindir / "psql"), "-h", cluster.host, "-p", str(cluster.port), "-U", USER]
    result = subprocess.run(
        [*command, "-d", database, "-tAF", "\t", "-c", sql], capture_output=True, text=True, check=True
    )
    return [line.split("\t") for line in result.stdout.splitlines() if line]
