-- Survey weights (spec section 3). Per survey x sector stratum:
--   DESIGN         every respondent of the survey has a design_weight: w = design_weight
--   POSTSTRAT_SEX  N(s,F), N(s,M) known and >= 5 respondents of each sex: w = N(s,sex) / n(s,sex);
--                  respondents with NULL sex get the mean of the known-sex respondents' weights
--   SECTOR_WEIGHTED / UNWEIGHTED  otherwise w = 1 (flag tells whether the sector total is known:
--                  its sex = NULL row, or both its F and M rows, int_population_sector_year)
-- Pooling (method 1.1): each stratum h (survey x sector x year) has its weights rescaled to sum to
-- its number of respondents, w' = w * n_h / sum_{j in h} w_j, before the strata of a sector and
-- year are pooled. `weight` is w' (every formula, n_eff and the bootstrap use it); `base_weight`
-- is w before the rescaling.
with respondents as (
    select * from {{ ref('stg_surveys__respondents') }}
),

parameters as (
    {{ method_parameters({
        'min_per_sex': ('poststrat_min_per_sex', 'integer'),
    }) }}
),

surveys as (
    select survey_id, bool_and(design_weight is not null) as all_have_design_weight
    from respondents
    group by survey_id
),

strata as (
    select
        survey_id,
        year,
        sector_code,
        count(*) filter (where sex = 'F') as n_f,
        count(*) filter (where sex = 'M') as n_m
    from respondents
    group by survey_id, year, sector_code
),

classified as (
    select
        strata.*,
        population.employees_f,
        population.employees_m,
        population.pop_lagged,
        population.source_id as population_source_id,
        case
            when surveys.all_have_design_weight then 'DESIGN'
            when population.employees_f is not null and population.employees_m is not null
                and strata.n_f >= parameters.min_per_sex and strata.n_m >= parameters.min_per_sex
                then 'POSTSTRAT_SEX'
            when population.employees_total is not null then 'SECTOR_WEIGHTED'
            else 'UNWEIGHTED'
        end as weighting
    from strata
    inner join surveys on surveys.survey_id = strata.survey_id
    cross join parameters
    left join {{ ref('int_population_sector_year') }} as population
        on population.year = strata.year and population.sector_code = strata.sector_code
),

base as (
    select
        respondents.*,
        classified.weighting,
        case classified.weighting
            when 'DESIGN' then respondents.design_weight
            when 'POSTSTRAT_SEX' then
                case respondents.sex
                    when 'F' then classified.employees_f / classified.n_f
                    when 'M' then classified.employees_m / classified.n_m
                    else (classified.employees_f + classified.employees_m) / (classified.n_f + classified.n_m)
                end
            else 1.0
        end as base_weight,
        -- flags the weighting contributes to the sector's published cells
        case
            when classified.weighting = 'SECTOR_WEIGHTED' then 'SECTOR_WEIGHTED'
            when classified.weighting = 'UNWEIGHTED' then 'UNWEIGHTED'
        end as weighting_flag,
        classified.weighting = 'POSTSTRAT_SEX' and classified.pop_lagged as pop_lagged,
        case when classified.weighting = 'POSTSTRAT_SEX' then classified.population_source_id end as population_source_id
    from respondents
    inner join classified
        on classified.survey_id = respondents.survey_id
        and classified.sector_code = respondents.sector_code
        and classified.year = respondents.year
)

select
    * exclude (weighting_flag, pop_lagged, population_source_id),
    base_weight * count(*) over stratum / sum(base_weight) over stratum as weight,
    weighting_flag,
    pop_lagged,
    population_source_id
from base
window stratum as (partition by survey_id, sector_code, year)
