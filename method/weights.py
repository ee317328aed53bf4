"""Survey weights (spec section 3): when a stratum may be post-stratified by sex.

Post-stratification by sex within a stratum needs N(s,F) and N(s,M) and at least
poststrat_min_per_sex respondents of each sex (10 in method 1.2, 5 in 1.0 and 1.1: a change of
weighting must not reveal the mean of fewer than 10 people). The warehouse applies it in SQL
(int_respondent_weights reads the same seed row); the survey kit calls :func:`can_post_stratify`.
"""

from method.parameters import MethodParameters, load_parameters


def min_per_sex(params: MethodParameters | None = None) -> int:
    return (params or load_parameters()).integer("poststrat_min_per_sex")


def can_post_stratify(n_f: int, n_m: int, population_known: bool, params: MethodParameters | None = None) -> bool:
    """True when a stratum with n_f women and n_m men is post-stratified by sex."""
    minimum = min_per_sex(params)
    return bool(population_known and n_f >= minimum and n_m >= minimum)
