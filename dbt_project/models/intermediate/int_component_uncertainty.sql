-- The final value of every component cell (sector, year, component) BEFORE normalisation (method
-- 1.1, spec sections 4, 5 and 7): raw value, published interval, se, cv, n, n_eff, dk_share,
-- whether the cell is suppressed, and its flags. Survey components C1-C4 come from
-- int_survey_components with their interval and precision decision (int_component_intervals);
-- C5 from int_register_components (no sampling error: no interval, never suppressed; NO_FTE when
-- the sector has obligations but no fte for the year). cv = se / value, NULL when the value is 0
-- (published for information; no rule uses it since 1.1).
-- Suppressed cells keep their value and bounds here (internal schema only); the marts withhold them.
-- Flags: the weighting flags of the sector (SECTOR_WEIGHTED, UNWEIGHTED, POP_LAGGED) or NO_FTE,
-- SUPPRESSED, LOW_PRECISION and SKEWED (a percentile interval that leaves out its estimate; both
-- only on cells that are not suppressed). int_components_scored normalises these cells.
with components as (
    select * from {{ ref('int_survey_components') }}
    union all by name
    select * from {{ ref('int_register_components') }}
),

decided as (
    select
        components.*,
        intervals.se,
        intervals.raw_ci_low,
        intervals.raw_ci_high,
        intervals.interval_method,
        -- a survey cell without an interval row cannot show its precision: suppressed
        components.component_id <> 'C5'
            and (intervals.component_id is null or coalesce(intervals.precision = 'SUPPRESSED', false)) as suppressed,
        coalesce(intervals.precision = 'LOW_PRECISION', false) as low_precision,
        coalesce(intervals.skewed, false) as skewed
    from components
    left join {{ ref('int_component_intervals') }} as intervals
        on intervals.year = components.year
        and intervals.sector_code = components.sector_code
        and intervals.component_id = components.component_id
)

select
    year,
    sector_code,
    component_id,
    raw_value,
    raw_ci_low,
    raw_ci_high,
    interval_method,
    se,
    n,
    n_eff,
    case when raw_value <> 0 then se / raw_value end as cv,
    dk_share,
    suppressed,
    list_sort(list_distinct(
        coalesce(weighting_flags, [])
        || case when suppressed then ['SUPPRESSED'] else [] end
        || case when not suppressed and low_precision then ['LOW_PRECISION'] else [] end
        || case when not suppressed and skewed then ['SKEWED'] else [] end
    )) as flag_list,
    source_ids
from decided
