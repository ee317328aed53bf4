-- Survey weights (spec section 3). Per survey x sector stratum:
--   DESIGN         every respondent of the survey has a design_weight: w = design_weight
--   POSTSTRAT_SEX  N(s,F), N(s,M) known and >= poststrat_min_per_sex respondents of each sex (10 in
--                  method 1.2, 5 before; seed method_parameters): w = N(s,sex) / n(s,sex);
--                  respondents with NULL sex get the mean of the known-sex respondents' weights
--   SECTOR_WEIGHTED / UNWEIGHTED  otherwise w = 1 (flag tells whether the sector total is known:
--                  its sex = NULL row, or both its F and M rows, int_population_sector_year)
-- Pooling (method 1.1): each stratum h (survey x sector x year) has its weights rescaled to sum to
-- its number of respondents, w' = w * n_h / sum_{j in h} w_j, before the strata of a sector and
-- year are pooled. `weight` is w' (every formula, n_eff and the bootstrap use it); `base_weight`
-- is w before the rescaling. The stratum's sum of w comes from its counts (stratum_sums).
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
        count(*) as n_h,
        count(*) filter (where sex = 'F') as n_f,
        count(*) filter (where sex = 'M') as n_m,
        count(*) filter (where sex is null) as n_unknown_sex,
        sum(design_weight) as design_weight_sum
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

-- the sum of the weights w over the stratum, from its counts (no window over the respondents):
-- DESIGN the sum of the design weights; POSTSTRAT_SEX N_F + N_M for the respondents of known sex
-- plus (N_F + N_M) / (n_F + n_M) for each respondent without one; otherwise n_h (w = 1)
stratum_sums as (
    select
        *,
        case weighting
            when 'DESIGN' then design_weight_sum
            when 'POSTSTRAT_SEX' then
                employees_f + employees_m + n_unknown_sex * (employees_f + employees_m) / (n_f + n_m)
            else cast(n_h as double)
        end as base_weight_sum
    from classified
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
        case when classified.weighting = 'POSTSTRAT_SEX' then classified.population_source_id end as population_source_id,
        classified.n_h,
        classified.base_weight_sum
    from respondents
    inner join stratum_sums as classified
        on classified.survey_id = respondents.survey_id
        and classified.sector_code = respondents.sector_code
        and classified.year = respondents.year
)

select
    * exclude (weighting_flag, pop_lagged, population_source_id, n_h, base_weight_sum),
    -- pooling (method 1.1): w' = w * n_h / sum_{j in h} w_j
    base_weight * n_h / base_weight_sum as weight,
    weighting_flag,
    pop_lagged,
    population_source_id
from base
