-- The bootstrap replicates the index uses (spec sections 5b and 7): those of int_component_replicates,
-- except for a cell held by the revision rule (int_components_revised.revision_held), which enters
-- the index interval and rank percentiles with the replicates of the value it holds (the revision
-- store), so a held cell changes none of the published index figures.
with replicates as (
    select * from {{ ref('int_component_replicates') }}
),

held as (
    select year, sector_code, component_id
    from {{ ref('int_components_revised') }}
    where revision_held
)

select replicates.*
from replicates
anti join held using (year, sector_code, component_id)

union all by name

select stored.year, stored.sector_code, stored.component_id, stored.replicate, stored.raw_value
from {{ ref('stg_revisions__replicates') }} as stored
semi join held using (year, sector_code, component_id)
