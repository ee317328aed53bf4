-- Bootstrap uncertainty of the survey components C1-C4 per sector and year (spec section 7):
-- se = standard deviation of the replicate values (sample standard deviation, divisor B - 1),
-- raw_ci_low / raw_ci_high = 2.5th / 97.5th percentiles of the replicate values (linear
-- interpolation between order statistics, macro quantile_linear). Replicates without a value
-- (no valid respondent drawn) are left out; replicates_valid says how many remain.
with replicates as (
    select * from {{ ref('int_component_replicates') }}
),

parameters as (
    {{ method_parameters({
        'q_low': ('interval_low_quantile', 'double'),
        'q_high': ('interval_high_quantile', 'double'),
    }) }}
),

summarised as (
    select
        year,
        sector_code,
        component_id,
        stddev_samp(raw_value) as se,
        list_sort(list(raw_value) filter (where raw_value is not null)) as sorted_values,
        count(raw_value) as replicates_valid,
        count(*) as replicates
    from replicates
    group by year, sector_code, component_id
)

select
    summarised.year,
    summarised.sector_code,
    summarised.component_id,
    summarised.se,
    {{ quantile_linear('summarised.sorted_values', 'parameters.q_low') }} as raw_ci_low,
    {{ quantile_linear('summarised.sorted_values', 'parameters.q_high') }} as raw_ci_high,
    summarised.replicates_valid,
    summarised.replicates
from summarised
cross join parameters
