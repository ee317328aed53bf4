-- This build's candidate footprint of each survey component cell (spec 5b): one row per respondent
-- with a non-NULL answer to the component's items (C1 both hours; C2, C3 the item, code 8 included;
-- C4 any of its items), identified by the keyed element digest of (key, answers, sex, design_weight)
-- that raw/survey_footprints computed (the secret stays outside dbt). Internal, never published.
select
    cast(year as integer) as year,
    sector_code,
    component_id,
    survey_id,
    respondent_id,
    element_digest
from {{ source('raw', 'survey_footprints') }}
