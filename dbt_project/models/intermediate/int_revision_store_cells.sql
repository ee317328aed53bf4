-- The revision store after this release (spec section 5b), cells: for every survey component cell
-- this release publishes afresh with a value, its unrounded published values and flags; for every
-- other cell in the store (held, suppressed now, or not in this build) the entry as it was. The
-- publication asset writes this (with int_revision_store_members) to the internal store only after
-- the quality gate passed and the release is published. Internal, never published.
with fresh as (
    select
        revised.year,
        revised.sector_code,
        revised.component_id,
        revised.raw_value,
        revised.raw_ci_low,
        revised.raw_ci_high,
        revised.se,
        cast(revised.n as bigint) as n,
        revised.n_eff,
        revised.cv,
        revised.dk_share,
        revised.normalised,
        array_to_string(revised.flag_list, ';') as flags,
        array_to_string(revised.source_ids, ';') as source_ids,
        release.release_id,
        true as footprint_complete
    from ({{ fresh_revision_cells('revised.*') }}) as revised  -- published afresh (macros/revisions.sql)
    cross join {{ ref('int_release') }} as release
),

kept as (
    select stored.*
    from {{ ref('stg_revisions__cells') }} as stored
    anti join fresh using (year, sector_code, component_id)
)

select * from fresh
union all by name
select * from kept
