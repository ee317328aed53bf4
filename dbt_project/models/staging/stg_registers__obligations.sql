-- Reporting obligations (Standard Cost Model), one row per obligation and year.
with source as (
    select * from {{ source('raw', 'demo_obligations') }}
)

select
    obligation_id,
    cast(year as integer) as year,
    sector_code,
    title,
    legal_basis,
    recipient,
    cast(minutes_per_report as double) as minutes_per_report,
    cast(reports_per_year_per_unit as double) as reports_per_year_per_unit,
    cast(units as double) as units,
    source_url,
    data_status,
    _source_id as source_id
from source
