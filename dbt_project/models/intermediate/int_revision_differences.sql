-- D of spec section 5b for every survey component cell that an earlier release published with a
-- value: the size of the symmetric difference between the cell's valid respondents now
-- (int_component_cell_respondents) and the set behind the value last published (the revision
-- store), D = |stored| + |now| - 2 |stored and now|, with the stored values beside it.
with stored_cells as (
    select * from {{ ref('stg_revisions__cells') }}
),

stored as (
    select * from {{ ref('stg_revisions__members') }}
),

current_members as (
    select * from {{ ref('int_component_cell_respondents') }}
),

stored_counts as (
    select year, sector_code, component_id, count(*) as n_stored
    from stored
    group by year, sector_code, component_id
),

current_counts as (
    select current_members.year, current_members.sector_code, current_members.component_id, count(*) as n_now
    from current_members
    semi join stored_cells using (year, sector_code, component_id)
    group by current_members.year, current_members.sector_code, current_members.component_id
),

common as (
    select stored.year, stored.sector_code, stored.component_id, count(*) as n_common
    from stored
    inner join current_members using (year, sector_code, component_id, survey_id, respondent_id)
    group by stored.year, stored.sector_code, stored.component_id
)

select
    stored_cells.*,
    coalesce(stored_counts.n_stored, 0) as respondents_published,
    coalesce(current_counts.n_now, 0) as respondents_now,
    coalesce(stored_counts.n_stored, 0) + coalesce(current_counts.n_now, 0)
        - 2 * coalesce(common.n_common, 0) as difference
from stored_cells
left join stored_counts using (year, sector_code, component_id)
left join current_counts using (year, sector_code, component_id)
left join common using (year, sector_code, component_id)
