-- Per scenario, sector and year (spec section 7): the index and its rank, the bootstrap interval
-- of the index and the percentiles of the replicate ranks, from int_index_draws.
--   S0-S3: index and rank of the point estimate (draw 0); index_ci_low / index_ci_high = 2.5th /
--          97.5th percentiles of the replicate indices (linear interpolation, macro
--          quantile_linear); rank_p05 / rank_p95 from the replicate ranks.
--   S4:    index = median of the indices over the weight draws (linear interpolation), rank = the
--          rank of that median index among the sectors' median indices of the year (method 1.2:
--          rank always follows index; 1 = most burden, ties share the smallest rank),
--          rank_p05 / rank_p95 from the draw ranks (a 90 % rank interval).
-- Percentiles of ranks (integers): the smallest rank r such that at least the share q of the draws
-- rank r or better (the inverse of the empirical distribution function, Hyndman-Fan type 1), so
-- they are always ranks some draws had. Sector-years without an index in a scenario get NULLs.
with draws as (
    select * from {{ ref('int_index_draws') }}
),

parameters as (
    {{ method_parameters({
        'q_low': ('interval_low_quantile', 'double'),
        'q_high': ('interval_high_quantile', 'double'),
        'rank_q_low': ('rank_low_quantile', 'double'),
        'rank_q_high': ('rank_high_quantile', 'double'),
    }) }}
),

scenarios as (
    select scenario_id, cast(perturbed as boolean) as perturbed
    from {{ ref('sensitivity_scenarios') }}
    where method_version = '{{ var("method_version") }}'
),

cells as (
    select distinct year, sector_code from {{ ref('int_components_revised') }}
),

summarised as (
    select
        scenario_id,
        year,
        sector_code,
        max("index") filter (where draw = 0) as point_index,
        max(rank) filter (where draw = 0) as point_rank,
        list_sort(list("index") filter (where draw > 0 and "index" is not null)) as sorted_indices
    from draws
    group by scenario_id, year, sector_code
),

rank_counts as (
    select scenario_id, year, sector_code, rank, count(*) as draws
    from draws
    where draw > 0
    group by scenario_id, year, sector_code, rank
),

rank_shares as (
    select
        *,
        sum(draws) over (partition by scenario_id, year, sector_code order by rank)
            / sum(draws) over (partition by scenario_id, year, sector_code) as cumulative_share
    from rank_counts
),

rank_quantiles as (
    select
        rank_shares.scenario_id,
        rank_shares.year,
        rank_shares.sector_code,
        min(rank_shares.rank) filter (where rank_shares.cumulative_share >= parameters.rank_q_low) as rank_p05,
        min(rank_shares.rank) filter (where rank_shares.cumulative_share >= parameters.rank_q_high) as rank_p95
    from rank_shares
    cross join parameters
    group by rank_shares.scenario_id, rank_shares.year, rank_shares.sector_code
),

scenario_values as (
    select
        scenarios.scenario_id,
        cells.year,
        cells.sector_code,
        scenarios.perturbed,
        case
            when scenarios.perturbed then {{ quantile_linear('summarised.sorted_indices', '0.5') }}
            else summarised.point_index
        end as "index",
        summarised.point_rank,
        {{ quantile_linear('summarised.sorted_indices', 'parameters.q_low') }} as index_ci_low,
        {{ quantile_linear('summarised.sorted_indices', 'parameters.q_high') }} as index_ci_high,
        rank_quantiles.rank_p05,
        rank_quantiles.rank_p95
    from cells
    cross join scenarios
    cross join parameters
    left join summarised
        on summarised.scenario_id = scenarios.scenario_id
        and summarised.year = cells.year
        and summarised.sector_code = cells.sector_code
    left join rank_quantiles
        on rank_quantiles.scenario_id = scenarios.scenario_id
        and rank_quantiles.year = cells.year
        and rank_quantiles.sector_code = cells.sector_code
)

select
    scenario_id,
    year,
    sector_code,
    "index",
    case
        when not perturbed then point_rank
        when "index" is not null then
            rank() over (partition by scenario_id, year order by ("index" is null), "index" desc)
    end as rank,
    index_ci_low,
    index_ci_high,
    rank_p05,
    rank_p95
from scenario_values
