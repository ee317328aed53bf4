-- The revision hold of spec section 5b (method 1.2: the atoms rule over every published version),
-- applied between the cell statistics and scoring (int_components_scored: fresh values, bounds,
-- suppression and scores) and everything that reads them (the index, the sensitivity scenarios and
-- the component mart). For a cell that an earlier release published with a value
-- (int_revision_atoms):
--   fresh value SUPPRESSED                   -> suppressed, whatever the atoms (int_components_scored)
--   an atom of fewer than revision_atom_min  -> the value, bounds, se, n, n_eff, cv, dk_share, score,
--   respondent keys, or a published version     flags and sources last published, plus REVISION_HELD
--   whose footprint is unknown (1.1 store)
--   otherwise                                -> computed afresh (the row of int_components_scored)
-- The threshold is revision_atom_min of the method version in force; under method 1.1 (which has
-- none) the seed's revision_hold_below stands in, so the rule reads one parameter either way.
-- Every column of int_components_scored passes through (select * replace), so rules added there
-- need no change here.
with scored as (
    select * from {{ ref('int_components_scored') }}
),

revisions as (
    select * from {{ ref('int_revision_atoms') }}
),

parameters as (
    select coalesce(atom_min, hold_below_11) as atom_min
    from ({{ method_parameters({
        'atom_min': ('revision_atom_min', 'integer'),
        'hold_below_11': ('revision_hold_below', 'integer'),
    }) }})
),

decided as (
    select
        scored.*,
        revisions.smallest_atom as revision_smallest_atom,
        coalesce(
            not scored.suppressed
            and revisions.year is not null
            and (
                not revisions.footprint_complete
                or revisions.smallest_atom is null
                or revisions.smallest_atom < parameters.atom_min
            ),
            false
        ) as revision_held,
        revisions.raw_value as held_raw_value,
        revisions.raw_ci_low as held_raw_ci_low,
        revisions.raw_ci_high as held_raw_ci_high,
        revisions.se as held_se,
        revisions.n as held_n,
        revisions.n_eff as held_n_eff,
        revisions.cv as held_cv,
        revisions.dk_share as held_dk_share,
        revisions.normalised as held_normalised,
        revisions.flags as held_flags,
        revisions.source_ids as held_source_ids
    from scored
    cross join parameters
    left join revisions
        on revisions.year = scored.year
        and revisions.sector_code = scored.sector_code
        and revisions.component_id = scored.component_id
)

select
    * exclude (
        held_raw_value, held_raw_ci_low, held_raw_ci_high, held_se, held_n, held_n_eff, held_cv,
        held_dk_share, held_normalised, held_flags, held_source_ids
    )
    replace (
        case when revision_held then held_raw_value else raw_value end as raw_value,
        case when revision_held then held_raw_ci_low else raw_ci_low end as raw_ci_low,
        case when revision_held then held_raw_ci_high else raw_ci_high end as raw_ci_high,
        case when revision_held then held_se else se end as se,
        case when revision_held then held_n else n end as n,
        case when revision_held then held_n_eff else n_eff end as n_eff,
        case when revision_held then held_cv else cv end as cv,
        case when revision_held then held_dk_share else dk_share end as dk_share,
        case when revision_held then held_normalised else normalised end as normalised,
        case when revision_held then true else present end as present,
        case
            when revision_held then list_sort(list_distinct(
                list_filter(string_split(coalesce(held_flags, ''), ';'), lambda f: f <> '') || ['REVISION_HELD']
            ))
            else flag_list
        end as flag_list,
        case
            when revision_held then list_filter(string_split(coalesce(held_source_ids, ''), ';'), lambda s: s <> '')
            else source_ids
        end as source_ids
    )
from decided
