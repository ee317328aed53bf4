-- One row per published SSB employment figure; renames, types and tags the indicator.
with source as (
    select * from {{ source('raw', 'ssb_employment') }}
),

renamed as (
    select
        _source_id as source_id,
        table_ref as source_table,
        measure,
        unit,
        period,
        cast(substr(period, 1, 4) as integer) as year,
        nullif(nace_code, '') as nace_code,
        nace_label,
        trim(regexp_replace(sector, '\s*\(.*\)$', '')) as ssb_sector,
        value,
        status,
        source_url,
        _data_status as data_status,
        case
            when measure like 'Sysselsatte 15-74 år (registerbasert%' then 'EMPLOYED_PERSONS'
        end as indicator_id
    from source
)

select * from renamed
