-- One row per published SSB sickness-absence figure; renames, types and tags the indicator.
with source as (
    select * from {{ source('raw', 'ssb_sickness_absence') }}
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
        -- NAV's secondary tables append their own label in brackets: keep SSB's label only
        trim(regexp_replace(sector, '\s*\[.*\]$', '')) as ssb_sector,
        value,
        status,
        source_url,
        _data_status as data_status,
        case
            when measure like 'Sykefraværsprosent, egenmeldt og legemeldt%' then 'SICKNESS_ABSENCE_PCT'
            when measure like 'Sykefraværsprosent, legemeldt%' then 'SICKNESS_ABSENCE_DOCTOR_PCT'
            when measure like 'Sykefraværsprosent, egenmeldt,%' then 'SICKNESS_ABSENCE_SELF_PCT'
        end as indicator_id
    from source
)

select * from renamed
