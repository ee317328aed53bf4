"""The whole Dagster graph as plain data (asset keys, groups, deps, partitions, checks, jobs,
sensors, schedules), compared with the committed snapshot ``dagster_graph.json`` beside this file.

Refresh the snapshot after an intended change of the graph, then review its diff:

    .venv/bin/python -m tests.orchestration.graph_snapshot
"""

import json
from pathlib import Path
from typing import Any

from dagster import Definitions, DynamicPartitionsDefinition, PartitionsDefinition

SNAPSHOT = Path(__file__).with_name("dagster_graph.json")


def _partitions(definition: PartitionsDefinition | None) -> str | None:
    if definition is None:
        return None
    if isinstance(definition, DynamicPartitionsDefinition):
        return f"dynamic:{definition.name}"
    return type(definition).__name__


def describe(defs: Definitions) -> dict[str, Any]:
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    checks: dict[str, list[str]] = {}
    for check in graph.asset_check_keys:
        blocking = " (blocking)" if graph.get_check_spec(check).blocking else ""
        checks.setdefault(check.asset_key.to_user_string(), []).append(check.name + blocking)
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        name = key.to_user_string()
        assets[name] = {
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "partitions": _partitions(node.partitions_def),
            "checks": sorted(checks.get(name, [])),
        }
    return {
        "assets": assets,
        "jobs": sorted(job.name for job in repo.get_all_jobs() if not job.name.startswith("__")),
        "sensors": sorted(sensor.name for sensor in repo.sensor_defs),
        "schedules": sorted(schedule.name for schedule in repo.schedule_defs),
    }


def render(defs: Definitions) -> str:
    return json.dumps(describe(defs), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    from orchestration.definitions import defs

    SNAPSHOT.write_text(render(defs), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
