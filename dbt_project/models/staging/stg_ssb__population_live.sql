-- The population table (spec 2b: year, sector_code, sex, employees, fte) built from the live SSB
-- tables of the catalogue (raw.ssb_employees_sector, raw.ssb_fte_sector) through the seed
-- ssb_population_sector_map (SN2007 sub-class x SSB institutional sector -> index sector).
-- Same columns as stg_registers__population. Empty until live snapshots of those tables exist
-- (catalogue entries with enabled_offline: false); the offline run uses the demonstration register.
with cells as (
    select
        'employees' as measure,
        "NACE2007" as nace_code,
        "Sektor" as ssb_sector_code,
        "Kjonn" as sex_code,
        "Tid" as period,
        value,
        status,
        _source_id as source_id,
        _data_status as data_status
    from {{ source('raw', 'ssb_employees_sector') }}
    union all
    select
        'fte' as measure,
        "NACE2007" as nace_code,
        "Sektor" as ssb_sector_code,
        "Kjonn" as sex_code,
        "Tid" as period,
        value,
        status,
        _source_id as source_id,
        _data_status as data_status
    from {{ source('raw', 'ssb_fte_sector') }}
),

mapped as (
    select
        cast(substr(cells.period, 1, 4) as integer) as year,
        map.sector_code,
        -- SSB's sex codes: 0 both sexes, 1 men, 2 women
        case cells.sex_code when '1' then 'M' when '2' then 'F' end as sex,
        cells.measure,
        cells.value,
        cells.status,
        cells.source_id,
        cells.data_status
    from cells
    inner join {{ ref('ssb_population_sector_map') }} as map
        on map.nace_code = cells.nace_code
        and map.ssb_sector_code = cells.ssb_sector_code
)

select
    year,
    sector_code,
    sex,
    -- a suppressed cell (status set, value NULL) leaves the sector's total unknown, not smaller
    case when bool_and(measure <> 'employees' or value is not null)
        then sum(case when measure = 'employees' then value end) end as employees,
    case when bool_and(measure <> 'fte' or value is not null)
        then sum(case when measure = 'fte' then value end) end as fte,
    min(data_status) as data_status,
    string_agg(distinct source_id, ',' order by source_id) as source_id
from mapped
group by year, sector_code, sex
