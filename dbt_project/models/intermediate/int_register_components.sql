-- C5 SCM_HOURS (spec section 4, Standard Cost Model): imposed reporting hours per FTE per year,
-- sum over the sector's obligations of minutes_per_report * reports_per_year_per_unit * units / 60,
-- divided by the sector's FTE for the year (or the nearest earlier year, POP_LAGGED).
-- A sector-year needs at least one obligation and a known FTE.
with obligations as (
    select
        year,
        sector_code,
        sum(minutes_per_report * reports_per_year_per_unit * units / 60) as hours_per_year,
        list_sort(list_distinct(list(source_id))) as source_ids
    from {{ ref('stg_registers__obligations') }}
    group by year, sector_code
)

select
    obligations.year,
    obligations.sector_code,
    'C5' as component_id,
    obligations.hours_per_year / population.fte_total as raw_value,
    cast(null as bigint) as n,
    cast(null as double) as n_eff,
    cast(null as double) as dk_share,
    case when population.pop_lagged then ['POP_LAGGED'] else cast([] as varchar[]) end as weighting_flags,
    list_sort(list_distinct(obligations.source_ids || [population.source_id])) as source_ids
from obligations
inner join {{ ref('int_population_sector_year') }} as population
    on population.year = obligations.year and population.sector_code = obligations.sector_code
where population.fte_total > 0
