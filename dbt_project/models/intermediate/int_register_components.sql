-- C5 SCM_HOURS (spec sections 2b and 4, Standard Cost Model): imposed reporting hours per FTE per
-- year, sum over the sector's obligations of minutes_per_report * reports_per_year_per_unit * units
-- / 60, divided by the sector's fte of year t itself (method 1.1: no earlier year stands in; the
-- POP_LAGGED fallback is for the weights only). The sector's fte is that of its sex = NULL row, or
-- the sum of its F and M rows when it has no such row. A sector-year with obligations but no
-- (positive) fte for year t keeps its row with an empty value and flag NO_FTE.
with obligations as (
    select
        year,
        sector_code,
        sum(minutes_per_report * reports_per_year_per_unit * units / 60) as hours_per_year,
        list_sort(list_distinct(list(source_id))) as source_ids
    from {{ ref('stg_registers__obligations') }}
    group by year, sector_code
),

fte as (
    select
        year,
        sector_code,
        coalesce(
            max(case when sex is null then fte end),
            max(case when sex = 'F' then fte end) + max(case when sex = 'M' then fte end)
        ) as fte,
        list_sort(list_distinct(list(source_id))) as source_ids
    from {{ ref('stg_registers__population') }}
    group by year, sector_code
),

joined as (
    select
        obligations.*,
        case when fte.fte > 0 then fte.fte end as fte,
        case when fte.fte > 0 then fte.source_ids else cast([] as varchar[]) end as fte_source_ids
    from obligations
    left join fte on fte.year = obligations.year and fte.sector_code = obligations.sector_code
)

select
    year,
    sector_code,
    'C5' as component_id,
    hours_per_year / fte as raw_value,
    cast(null as bigint) as n,
    cast(null as double) as n_eff,
    cast(null as double) as dk_share,
    case when fte is null then ['NO_FTE'] else cast([] as varchar[]) end as weighting_flags,
    list_sort(list_distinct(source_ids || fte_source_ids)) as source_ids
from joined
