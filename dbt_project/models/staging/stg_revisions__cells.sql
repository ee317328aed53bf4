-- The survey component cells published with a value by an earlier release (spec section 5b), as
-- the internal revision store holds them (revisions/store.py, loaded by raw/revision_cells):
-- the values, bounds, n, n_eff, dk_share and flags last published, and whether the footprint of
-- every published version is known (false: a method 1.1 version that could not be reconstructed).
-- Internal, never published.
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
    release_id,
    coalesce(cast(footprint_complete as boolean), false) as footprint_complete
from {{ source('raw', 'revision_cells') }}
