-- Canonical survey records (spec section 2), one row per respondent. Ingestion has already
-- rejected rows outside the domains, so this model only types the columns. respondent_id is the
-- pseudonymous respondent key (never the survey tool's id); respondent_order is the rank of the
-- tool's id within the survey version (the bootstrap orders respondents by it).
with source as (
    select * from {{ source('raw', 'survey_responses') }}
)

select
    survey_id,
    respondent_id,
    cast(respondent_order as integer) as respondent_order,
    cast(year as integer) as year,
    sector_code,
    sex,
    cast(hours_total as double) as hours_total,
    cast(hours_doc as double) as hours_doc,
    cast(unnecessary as integer) as unnecessary,
    cast(duplicate as integer) as duplicate,
    cast(autonomy_1 as integer) as autonomy_1,
    cast(autonomy_2 as integer) as autonomy_2,
    cast(autonomy_3 as integer) as autonomy_3,
    cast(design_weight as double) as design_weight,
    _data_status as data_status,
    _source_id as source_id
from source
