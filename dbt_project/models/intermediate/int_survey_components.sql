-- Raw values of the survey components C1-C4 per sector and year (spec section 4), with n,
-- n_eff = (sum w')^2 / sum(w'^2) over the valid respondents (w' = the pooled weight `weight` of
-- int_respondent_weights), and dk_share in per cent (the unweighted share of code 8 among non-NULL
-- answers). Every sector with at least one respondent in the year gets a row for each of C1-C4,
-- also when no respondent is valid for the component (n = 0, raw_value NULL: suppressed later).
-- Intervals and disclosure control follow in int_component_intervals / int_component_uncertainty.
with weighted as (
    select
        *,
        -- C4: mean of the valid items (1..5) when at least 2 of the 3 are valid
        (case when autonomy_1 between 1 and 5 then 1 else 0 end
         + case when autonomy_2 between 1 and 5 then 1 else 0 end
         + case when autonomy_3 between 1 and 5 then 1 else 0 end) as autonomy_valid_items,
        (coalesce(case when autonomy_1 between 1 and 5 then autonomy_1 end, 0)
         + coalesce(case when autonomy_2 between 1 and 5 then autonomy_2 end, 0)
         + coalesce(case when autonomy_3 between 1 and 5 then autonomy_3 end, 0)) as autonomy_valid_sum,
        (case when autonomy_1 is not null then 1 else 0 end
         + case when autonomy_2 is not null then 1 else 0 end
         + case when autonomy_3 is not null then 1 else 0 end) as autonomy_answers,
        (case when autonomy_1 = 8 then 1 else 0 end
         + case when autonomy_2 = 8 then 1 else 0 end
         + case when autonomy_3 = 8 then 1 else 0 end) as autonomy_dont_know
    from {{ ref('int_respondent_weights') }}
),

c1 as (
    select
        year, sector_code, 'C1' as component_id,
        100 * sum(weight * hours_doc) filter (where hours_total is not null and hours_doc is not null)
            / nullif(sum(weight * hours_total) filter (where hours_total is not null and hours_doc is not null), 0)
            as raw_value,
        count(*) filter (where hours_total is not null and hours_doc is not null) as n,
        power(sum(weight) filter (where hours_total is not null and hours_doc is not null), 2)
            / nullif(sum(weight * weight) filter (where hours_total is not null and hours_doc is not null), 0)
            as n_eff,
        cast(null as double) as dk_share
    from weighted
    group by year, sector_code
),

c2 as (
    select
        year, sector_code, 'C2' as component_id,
        100 * sum(weight * case when unnecessary >= 4 then 1 else 0 end) filter (where unnecessary between 1 and 5)
            / nullif(sum(weight) filter (where unnecessary between 1 and 5), 0) as raw_value,
        count(*) filter (where unnecessary between 1 and 5) as n,
        power(sum(weight) filter (where unnecessary between 1 and 5), 2)
            / nullif(sum(weight * weight) filter (where unnecessary between 1 and 5), 0) as n_eff,
        100.0 * count(*) filter (where unnecessary = 8) / nullif(count(unnecessary), 0) as dk_share
    from weighted
    group by year, sector_code
),

c3 as (
    select
        year, sector_code, 'C3' as component_id,
        100 * sum(weight * case when duplicate >= 4 then 1 else 0 end) filter (where duplicate between 1 and 5)
            / nullif(sum(weight) filter (where duplicate between 1 and 5), 0) as raw_value,
        count(*) filter (where duplicate between 1 and 5) as n,
        power(sum(weight) filter (where duplicate between 1 and 5), 2)
            / nullif(sum(weight * weight) filter (where duplicate between 1 and 5), 0) as n_eff,
        100.0 * count(*) filter (where duplicate = 8) / nullif(count(duplicate), 0) as dk_share
    from weighted
    group by year, sector_code
),

c4 as (
    select
        year, sector_code, 'C4' as component_id,
        100 - sum(weight * 100 * (autonomy_valid_sum / autonomy_valid_items - 1) / 4)
            filter (where autonomy_valid_items >= 2)
            / nullif(sum(weight) filter (where autonomy_valid_items >= 2), 0) as raw_value,
        count(*) filter (where autonomy_valid_items >= 2) as n,
        power(sum(weight) filter (where autonomy_valid_items >= 2), 2)
            / nullif(sum(weight * weight) filter (where autonomy_valid_items >= 2), 0) as n_eff,
        100.0 * sum(autonomy_dont_know) / nullif(sum(autonomy_answers), 0) as dk_share
    from weighted
    group by year, sector_code
),

-- sector-level weighting flags and sources, shared by C1-C4 of a sector and year
stratum_flags as (
    select
        year,
        sector_code,
        -- (an aggregate over no rows is NULL, and NULL || list is NULL: coalesce to empty lists)
        list_sort(list_distinct(
            coalesce(list(weighting_flag) filter (where weighting_flag is not null), [])
            || case when bool_or(pop_lagged) then ['POP_LAGGED'] else [] end
        )) as weighting_flags,
        list_sort(list_distinct(
            list(survey_id)
            || coalesce(list(population_source_id) filter (where population_source_id is not null), [])
        )) as source_ids
    from weighted
    group by year, sector_code
),

components as (
    select * from c1
    union all by name select * from c2
    union all by name select * from c3
    union all by name select * from c4
)

select
    components.year,
    components.sector_code,
    components.component_id,
    components.raw_value,
    components.n,
    components.n_eff,
    components.dk_share,
    stratum_flags.weighting_flags,
    stratum_flags.source_ids
from components
inner join stratum_flags
    on stratum_flags.year = components.year and stratum_flags.sector_code = components.sector_code
