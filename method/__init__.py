"""The method's one home: every rule and threshold of ``docs/methodology.md`` written once.

Plain Python (no dbt, no Dagster): the dbt Python models, the gate's contract, the revision store,
the erasure preview and the survey kit's planner import it. Parameters are read from the dbt seeds
for a method version (:mod:`method.parameters`); nothing else writes a threshold. One small module
per rule:

- :mod:`method.sample_size`: Kish's effective n (section 4);
- :mod:`method.intervals`: Korn-Graubard and percentile intervals, se, SKEWED (section 7);
- :mod:`method.precision`: the disclosure and precision decision (section 5);
- :mod:`method.bootstrap`: Rao-Wu rescaled bootstrap replicate weights and their streams (section 7);
- :mod:`method.ranks`: ranks, the rank percentile rule, the 90 % rank interval's words (section 7);
- :mod:`method.scenarios`: the sensitivity scenarios, their labels and the S4 draws (section 7).
"""

from method.parameters import (
    CURRENT_VERSION,
    MethodParameters,
    current_version,
    load_parameters,
    parameters_from_frame,
    parameters_from_rows,
)

__all__ = [
    "CURRENT_VERSION",
    "MethodParameters",
    "current_version",
    "load_parameters",
    "parameters_from_frame",
    "parameters_from_rows",
]
