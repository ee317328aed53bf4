-- The revision store after this release (spec section 5b, method 1.2), footprints: every published
-- version of every cell is kept. A cell published afresh with a value (macros/revisions.sql) adds
-- its candidate footprint (stg_surveys__footprints) as version m + 1, unless the candidate equals a
-- version already published (it would split no atom, so the store does not grow on a re-run); the
-- elements of earlier versions stay, also those of withdrawn surveys and erased respondents. Every
-- other cell keeps its stored footprints. A held cell's candidate is never stored. Digests and keys
-- only; internal, never published.
with fresh_cells as (
    {{ fresh_revision_cells() }}
),

stored as (
    select * from {{ ref('stg_revisions__footprints') }}
),

numbering as (
    -- the number the candidate gets, or none when it equals a published version
    select
        fresh_cells.year,
        fresh_cells.sector_code,
        fresh_cells.component_id,
        case
            when coalesce(atoms.candidate_is_published, false) then null
            else coalesce(atoms.versions_published, 0) + 1
        end as new_version
    from fresh_cells
    left join {{ ref('int_revision_atoms') }} as atoms using (year, sector_code, component_id)
),

candidate as (
    select footprints.*, numbering.new_version
    from {{ ref('stg_surveys__footprints') }} as footprints
    inner join numbering using (year, sector_code, component_id)
    where numbering.new_version is not null
),

renewed as (
    select
        year,
        sector_code,
        component_id,
        survey_id,
        respondent_id,
        element_digest,
        case
            when candidate.new_version is null then stored.versions
            else list_append(coalesce(stored.versions, []::integer[]), candidate.new_version)
        end as versions
    from (select * from stored semi join candidate using (year, sector_code, component_id)) as stored
    full outer join candidate using (year, sector_code, component_id, survey_id, respondent_id, element_digest)
),

kept as (
    select stored.*
    from stored
    anti join (select distinct year, sector_code, component_id from candidate) using (year, sector_code, component_id)
)

select * from renewed
union all by name
select * from kept
