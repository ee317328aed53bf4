"""The deployment's instance (deploy/dagster.yaml, PostgreSQL) keeps the local instance's rules:
telemetry off, one run at a time, the one-slot warehouse pool, run monitoring."""

import yaml

from storage.paths import REPO_ROOT

SHARED_BLOCKS = ("telemetry", "concurrency", "run_monitoring")


def test_the_deployment_instance_has_the_local_instance_rules() -> None:
    local = yaml.safe_load((REPO_ROOT / "orchestration" / "dagster.yaml").read_text(encoding="utf-8"))
    deployed = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"))
    for block in SHARED_BLOCKS:
        assert deployed.get(block) == local.get(block), block
    assert local["run_monitoring"]["enabled"] is True
    assert deployed["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"
