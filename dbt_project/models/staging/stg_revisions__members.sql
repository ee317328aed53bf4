-- The respondent set behind each value last published (spec section 5b): one row per
-- (cell, survey_id, respondent_id), from the internal revision store. Internal, never published.
select
    cast(year as integer) as year,
    sector_code,
    component_id,
    survey_id,
    respondent_id
from {{ source('raw', 'revision_members') }}
