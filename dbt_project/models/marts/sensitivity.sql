-- Published: the sensitivity analysis (spec section 7), one row per sector, survey year and
-- scenario S0-S4 (seed sensitivity_scenarios; definitions in int_index_draws and
-- int_index_scenarios). Rows without an index in a scenario publish NULLs. Only sector-year
-- indices leave the warehouse: suppressed cells never enter an index, a bound or a rank.
select
    release.release_id,
    scenarios.year,
    scenarios.sector_code,
    scenarios.scenario_id,
    scenarios."index",
    scenarios.rank,
    scenarios.rank_p05,
    scenarios.rank_p95
from {{ ref('int_index_scenarios') }} as scenarios
inner join {{ ref('sectors') }} as sectors on sectors.sector_code = scenarios.sector_code
cross join {{ ref('int_release') }} as release
order by scenarios.year, sectors.sort_order, scenarios.scenario_id
