-- The atoms of spec 5b (method 1.2; method/atoms.py states the rule) for every survey component
-- cell that an earlier release published with a value: the elements of all its published versions
-- V1..Vm (the revision store) and of the candidate C (this build's footprint) grouped by the
-- subset of {V1..Vm, C} that contains them; each group is an atom, its size the number of distinct
-- respondent keys in it. Per cell: the size of the smallest atom, the number of atoms, the highest
-- version number published, and whether the candidate equals a published version (then publishing
-- it adds no version), beside the row last published.
with stored_cells as (
    select * from {{ ref('stg_revisions__cells') }}
),

published as (
    select * from {{ ref('stg_revisions__footprints') }}
),

candidate as (
    select footprints.*
    from {{ ref('stg_surveys__footprints') }} as footprints
    semi join stored_cells using (year, sector_code, component_id)
),

elements as (
    -- an element is the same in two computations when its digest (key, answers, sex, weight) is
    select
        year,
        sector_code,
        component_id,
        survey_id,
        respondent_id,
        coalesce(published.versions, []::integer[]) as versions,
        candidate.element_digest is not null as in_candidate
    from published
    full outer join candidate using (year, sector_code, component_id, survey_id, respondent_id, element_digest)
),

atoms as (
    select
        year,
        sector_code,
        component_id,
        versions,
        in_candidate,
        count(distinct (survey_id, respondent_id)) as respondent_keys
    from elements
    group by year, sector_code, component_id, versions, in_candidate
),

per_cell as (
    select
        year,
        sector_code,
        component_id,
        min(respondent_keys) as smallest_atom,
        count(*) as atoms,
        max(list_max(versions)) as versions_published
    from atoms
    group by year, sector_code, component_id
),

version_sizes as (
    select year, sector_code, component_id, version, count(*) as elements, count(*) filter (where in_candidate) as common
    from (select *, unnest(versions) as version from elements)
    group by year, sector_code, component_id, version
),

candidate_sizes as (
    select year, sector_code, component_id, count(*) as elements
    from candidate
    group by year, sector_code, component_id
),

equal_versions as (
    select distinct version_sizes.year, version_sizes.sector_code, version_sizes.component_id
    from version_sizes
    inner join candidate_sizes using (year, sector_code, component_id)
    where version_sizes.elements = candidate_sizes.elements and version_sizes.common = candidate_sizes.elements
)

select
    stored_cells.*,
    per_cell.smallest_atom,
    coalesce(per_cell.atoms, 0) as atoms,
    coalesce(per_cell.versions_published, 0) as versions_published,
    equal_versions.year is not null as candidate_is_published
from stored_cells
left join per_cell using (year, sector_code, component_id)
left join equal_versions using (year, sector_code, component_id)
