-- The survey component cells published with a value by an earlier release (spec section 5b), as
-- the internal revision store holds them (sources/revisions.py, loaded by raw/revision_cells):
-- the values, bounds, n, n_eff, dk_share and flags last published. Internal, never published.
select
    cast(year as integer) as year,
    sector_code,
    component_id,
    cast(raw_value as double) as raw_value,
    cast(raw_ci_low as double) as raw_ci_low,
    cast(raw_ci_high as double) as raw_ci_high,
    cast(se as double) as se,
    cast(n as bigint) as n,
    cast(n_eff as double) as n_eff,
    cast(cv as double) as cv,
    cast(dk_share as double) as dk_share,
    cast(normalised as double) as normalised,
    flags,
    source_ids,
    release_id
from {{ source('raw', 'revision_cells') }}
