"""A throw-away PostgreSQL cluster per test session (tests/deploy/postgres_cluster.py).

Skipped with its reason when the PostgreSQL binaries are absent on a developer's machine; in CI
(CI=true) their absence is a failure, since .ci/run installs them."""

import os
from collections.abc import Iterator

import pytest

from tests.deploy.postgres_cluster import Cluster, postgres_bindir, start_cluster, stop_cluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    bindir = postgres_bindir()
    if bindir is None:
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH, in /usr/lib/postgresql/*/bin "
            "or $RBI_PG_BINDIR: `apt-get install postgresql` to run the deployment tests"
        )
        if os.environ.get("CI", "").strip().lower() in ("true", "1"):
            pytest.fail(f"in CI: {message} (.ci/run installs it)")
        pytest.skip(message)
    cluster = start_cluster(bindir)
    try:
        yield cluster
    finally:
        stop_cluster(cluster)
