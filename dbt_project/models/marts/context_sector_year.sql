-- Published: public statistics shown beside the index, not in it. SSB publishes them for coarse
-- groups (industry 84, 85, 86-88 by institutional sector); each figure is repeated for every index
-- sector inside its group, and nace_code / ssb_sector say which group it is.
with statistics as (
    select *, 'sickness' as measure_family from {{ ref('stg_ssb__sickness_absence') }}
    union all by name
    select *, 'employment' as measure_family from {{ ref('stg_ssb__employment') }}
)

select
    release.release_id,
    statistics.year,
    statistics.period,
    map.sector_code,
    sectors.sector_nb,
    sectors.sector_en,
    statistics.indicator_id,
    indicators.indicator_nb,
    indicators.indicator_en,
    indicators.unit,
    statistics.value,
    statistics.status,
    statistics.nace_code,
    statistics.ssb_sector,
    statistics.source_id,
    statistics.source_table,
    release.data_status
from statistics
inner join {{ ref('context_indicators') }} as indicators
    on indicators.indicator_id = statistics.indicator_id
    and indicators.measure_family = statistics.measure_family
inner join {{ ref('context_sector_map') }} as map
    on map.measure_family = statistics.measure_family
    and map.nace_code = statistics.nace_code
    and map.ssb_sector = statistics.ssb_sector
inner join {{ ref('sectors') }} as sectors on sectors.sector_code = map.sector_code
cross join {{ ref('int_release') }} as release
order by statistics.year, statistics.period, sectors.sort_order, statistics.indicator_id, statistics.source_table
