-- Employees and FTE by year, sector and sex (NULL sex = total of the sector).
with source as (
    select * from {{ source('raw', 'demo_population') }}
)

select
    cast(year as integer) as year,
    sector_code,
    nullif(sex, '') as sex,
    cast(employees as double) as employees,
    cast(fte as double) as fte,
    data_status,
    _source_id as source_id
from source
