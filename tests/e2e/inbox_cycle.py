"""One evaluation of the survey inbox sensor and the runs it requests, the way the Dagster daemon
would do it, on the instance in $DAGSTER_HOME (run by tests/e2e/harness.py in a subprocess).

Prints one JSON line: the sensor's outcome (skip reason or the partitions and run results).
"""

import json

from dagster import DagsterInstance, SensorResult, build_sensor_context

from orchestration.definitions import defs
from orchestration.resources import PipelinePaths
from orchestration.surveys.survey_inbox_sensor import survey_inbox


def main() -> None:
    instance = DagsterInstance.get()
    result = survey_inbox(
        build_sensor_context(instance=instance, definitions=defs, resources={"pipeline_paths": PipelinePaths()})
    )
    if not isinstance(result, SensorResult):
        print(json.dumps({"skip": result.skip_message}))
        return
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    job = defs.resolve_implicit_global_asset_job_def()
    runs = []
    for request in result.run_requests:
        outcome = job.execute_in_process(
            instance=instance,
            partition_key=request.partition_key,
            asset_selection=request.asset_selection,
            tags=dict(request.tags),
            raise_on_error=False,
        )
        runs.append({"partition": request.partition_key, "success": outcome.success})
    print(json.dumps({"partitions": instance.get_dynamic_partitions("surveys"), "runs": runs}))


if __name__ == "__main__":
    main()
