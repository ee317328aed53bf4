-- Population by sector for each year that needs one (survey years and obligation years): the
-- year itself or the nearest earlier year (spec section 3), flagged POP_LAGGED when earlier. This is
-- for the weights only: C5 takes the fte of year t itself (int_register_components, spec 2b).
-- The sector's total is known from its sex = NULL row, or from both its F and M rows (method 1.1).
with needed as (
    select distinct year, sector_code from {{ ref('stg_surveys__respondents') }}
    union
    select distinct year, sector_code from {{ ref('stg_registers__obligations') }}
),

population as (
    select * from {{ ref('stg_registers__population') }}
),

chosen as (
    select
        needed.year,
        needed.sector_code,
        max(population.year) as population_year
    from needed
    left join population
        on population.sector_code = needed.sector_code
        and population.year <= needed.year
    group by needed.year, needed.sector_code
)

select
    chosen.year,
    chosen.sector_code,
    chosen.population_year,
    coalesce(chosen.population_year < chosen.year, false) as pop_lagged,
    coalesce(
        max(case when population.sex is null then population.employees end),
        max(case when population.sex = 'F' then population.employees end)
        + max(case when population.sex = 'M' then population.employees end)
    ) as employees_total,
    max(case when population.sex = 'F' then population.employees end) as employees_f,
    max(case when population.sex = 'M' then population.employees end) as employees_m,
    string_agg(distinct population.source_id, ';') as source_id
from chosen
left join population
    on population.sector_code = chosen.sector_code
    and population.year = chosen.population_year
group by chosen.year, chosen.sector_code, chosen.population_year
