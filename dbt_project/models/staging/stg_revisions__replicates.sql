-- The bootstrap replicates behind each value last published (spec sections 5b and 7), from the
-- internal revision store: a held cell enters the index interval and the rank percentiles with the
-- replicates of the value it holds. Internal, never published.
select
    cast(year as integer) as year,
    sector_code,
    component_id,
    cast(replicate as integer) as replicate,
    cast(raw_value as double) as raw_value
from {{ source('raw', 'revision_replicates') }}
