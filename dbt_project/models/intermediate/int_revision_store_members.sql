-- The revision store after this release (spec section 5b), respondent sets: the valid respondents
-- of every cell published afresh with a value (int_revision_store_cells), and the stored set of
-- every other cell in the store. Internal, never published.
with fresh_cells as (
    -- the cells this release publishes afresh with a value (macros/revisions.sql)
    {{ fresh_revision_cells() }}
),

fresh as (
    select members.year, members.sector_code, members.component_id, members.survey_id, members.respondent_id
    from {{ ref('int_component_cell_respondents') }} as members
    semi join fresh_cells using (year, sector_code, component_id)
),

kept as (
    select stored.*
    from {{ ref('stg_revisions__members') }} as stored
    anti join fresh_cells using (year, sector_code, component_id)
)

select * from fresh
union all by name
select * from kept
