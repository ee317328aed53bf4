-- The published index per sector and year (spec sections 6 and 7): scenario S0 of
-- int_index_scenarios (default weights, arithmetic mean of the normalised scores of the
-- components present; NULL with flag INSUFFICIENT unless C1 is present and at least 3 components
-- are), its rank among the sectors with an index in the year (1 = most burden, ties share the
-- smallest rank, unrounded values), the bootstrap interval of the index and the 5th / 95th
-- percentiles of the replicate ranks. n_components counts the components present. A percentile
-- interval that leaves out its index is published as computed with flag SKEWED (method 1.1).
with scored as (
    select * from {{ ref('int_components_revised') }}
),

aggregated as (
    select
        year,
        sector_code,
        count(*) filter (where present) as n_components,
        -- weighting flags of the survey cells carry over to the index
        list_sort(list_distinct(flatten(list(list_filter(flag_list,
            lambda f: f in ('POP_LAGGED', 'SECTOR_WEIGHTED', 'UNWEIGHTED')))))) as inherited_flags
    from scored
    group by year, sector_code
),

default_scenario as (
    select * from {{ ref('int_index_scenarios') }}
    where scenario_id = 'S0'
)

select
    aggregated.year,
    aggregated.sector_code,
    default_scenario."index",
    default_scenario.index_ci_low,
    default_scenario.index_ci_high,
    default_scenario.rank,
    default_scenario.rank_p05,
    default_scenario.rank_p95,
    aggregated.n_components,
    list_sort(list_distinct(
        aggregated.inherited_flags
        || case when default_scenario."index" is null then ['INSUFFICIENT'] else [] end
        || case
            when default_scenario."index" < default_scenario.index_ci_low
                or default_scenario."index" > default_scenario.index_ci_high then ['SKEWED']
            else []
        end
    )) as flag_list
from aggregated
left join default_scenario
    on default_scenario.year = aggregated.year and default_scenario.sector_code = aggregated.sector_code
