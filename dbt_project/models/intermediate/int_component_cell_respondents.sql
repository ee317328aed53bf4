-- Each survey component cell's valid respondents (spec sections 4 and 5b): one row per
-- (year, sector_code, component_id, survey_id, respondent_id) for the respondents that enter the
-- cell's value. The validity rules are those of int_survey_components:
--   C1 hours_total and hours_doc not NULL; C2 unnecessary in 1..5; C3 duplicate in 1..5;
--   C4 at least 2 of the 3 autonomy items in 1..5.
-- A view: at 1M respondents a table would hold 4M rows that only the revision models read.
{{ config(materialized='view') }}

with respondents as (
    select * from {{ ref('stg_surveys__respondents') }}
),

validity as (
    select
        year,
        sector_code,
        survey_id,
        respondent_id,
        hours_total is not null and hours_doc is not null as c1,
        coalesce(unnecessary between 1 and 5, false) as c2,
        coalesce(duplicate between 1 and 5, false) as c3,
        (case when autonomy_1 between 1 and 5 then 1 else 0 end
         + case when autonomy_2 between 1 and 5 then 1 else 0 end
         + case when autonomy_3 between 1 and 5 then 1 else 0 end) >= 2 as c4
    from respondents
)

select year, sector_code, 'C1' as component_id, survey_id, respondent_id from validity where c1
union all
select year, sector_code, 'C2' as component_id, survey_id, respondent_id from validity where c2
union all
select year, sector_code, 'C3' as component_id, survey_id, respondent_id from validity where c3
union all
select year, sector_code, 'C4' as component_id, survey_id, respondent_id from validity where c4
