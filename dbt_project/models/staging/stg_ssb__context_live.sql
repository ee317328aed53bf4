-- Context statistics (sickness absence, employment) from the live SSB tables of the catalogue, in
-- the columns of stg_ssb__sickness_absence / stg_ssb__employment so the context mart can use them
-- through context_sector_map. SSB's institutional sector codes become the labels that map uses
-- (seed ssb_sector_codes). Empty until live snapshots of those tables exist.
with sickness as (
    select
        _source_id as source_id,
        'SSB ' || '{{ var("ssb_sickness_table", "12441") }}' as source_table,
        "ContentsCode_label" as measure,
        '%' as unit,
        "Tid" as period,
        "NACE2007" as nace_code,
        "NACE2007_label" as nace_label,
        "Sektor" as ssb_sector_code,
        value,
        status,
        _data_status as data_status,
        'sickness' as measure_family,
        'SICKNESS_ABSENCE_PCT' as indicator_id
    from {{ source('raw', 'ssb_sickness_sector') }}
),

employment as (
    select
        _source_id as source_id,
        'SSB ' || '{{ var("ssb_employees_table", "13470") }}' as source_table,
        "ContentsCode_label" as measure,
        'persons' as unit,
        "Tid" as period,
        "NACE2007" as nace_code,
        "NACE2007_label" as nace_label,
        "Sektor" as ssb_sector_code,
        value,
        status,
        _data_status as data_status,
        'employment' as measure_family,
        'EMPLOYED_PERSONS' as indicator_id
    from {{ source('raw', 'ssb_employees_sector') }}
    where "Kjonn" = '0'
),

cells as (
    select * from sickness
    union all
    select * from employment
)

select
    cells.source_id,
    cells.source_table,
    cells.measure,
    cells.unit,
    cells.period,
    cast(substr(cells.period, 1, 4) as integer) as year,
    cells.nace_code,
    cells.nace_label,
    codes.ssb_sector,
    cells.value,
    cells.status,
    cells.data_status,
    cells.measure_family,
    cells.indicator_id
from cells
inner join {{ ref('ssb_sector_codes') }} as codes on codes.ssb_sector_code = cells.ssb_sector_code
