-- The footprint of every version of each cell that a release published with a value (spec 5b,
-- method 1.2), from the internal revision store: one row per element, its respondent key, its keyed
-- digest and the numbers (1, 2, ...) of the cell's published versions that contain it. Internal,
-- never published.
select
    cast(year as integer) as year,
    sector_code,
    component_id,
    survey_id,
    respondent_id,
    element_digest,
    cast(versions as integer[]) as versions
from {{ source('raw', 'revision_footprints') }}
