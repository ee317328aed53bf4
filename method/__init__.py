"""The method's one home: every rule and threshold of ``docs/methodology.md`` written once.

Plain Python (no dbt, no Dagster): the dbt Python models, the gate's contract, the revision store,
the erasure preview and the survey kit's planner import it. Parameters are read from the dbt seeds
for a method version (:mod:`method.parameters`); nothing else writes a threshold.
"""

from method.parameters import CURRENT_VERSION, MethodParameters, current_version, load_parameters

__all__ = ["CURRENT_VERSION", "MethodParameters", "current_version", "load_parameters"]
