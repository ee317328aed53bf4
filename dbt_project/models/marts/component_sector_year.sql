-- Published: every component cell per sector and survey year (spec section 9).
-- Suppressed cells (spec section 5) keep only their identity, n and flags: the value, bounds,
-- score, n_eff, cv and dk_share never leave the internal schemas.
select
    release.release_id,
    scored.year,
    scored.sector_code,
    scored.component_id,
    components.component_name,
    components.unit,
    case when not scored.suppressed then scored.raw_value end as raw_value,
    case when not scored.suppressed then scored.raw_ci_low end as raw_ci_low,
    case when not scored.suppressed then scored.raw_ci_high end as raw_ci_high,
    case when not scored.suppressed then scored.normalised end as normalised,
    scored.n,
    case when not scored.suppressed then scored.n_eff end as n_eff,
    case when not scored.suppressed then scored.cv end as cv,
    case when not scored.suppressed then scored.dk_share end as dk_share,
    nullif(array_to_string(scored.flag_list, ';'), '') as flags,
    array_to_string(scored.source_ids, ';') as source_ids
from {{ ref('int_components_revised') }} as scored
inner join {{ ref('components') }} as components on components.component_id = scored.component_id
inner join {{ ref('sectors') }} as sectors on sectors.sector_code = scored.sector_code
cross join {{ ref('int_release') }} as release
order by scored.year, sectors.sort_order, scored.component_id
