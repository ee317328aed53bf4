-- The revision store after this release (spec section 5b), bootstrap replicates: those of every
-- cell published afresh with a value (int_revision_store_cells), and the stored replicates of every
-- other cell in the store. Internal, never published.
with fresh_cells as (
    -- the cells this release publishes afresh with a value (macros/revisions.sql)
    {{ fresh_revision_cells() }}
),

fresh as (
    select replicates.year, replicates.sector_code, replicates.component_id, replicates.replicate, replicates.raw_value
    from {{ ref('int_component_replicates') }} as replicates
    semi join fresh_cells using (year, sector_code, component_id)
),

kept as (
    select stored.*
    from {{ ref('stg_revisions__replicates') }} as stored
    anti join fresh_cells using (year, sector_code, component_id)
)

select * from fresh
union all by name
select * from kept
