-- Disclosure control, precision flags and normalisation of every component cell
-- (spec sections 5 and 6). cv = se / value from the bootstrap (int_component_uncertainty; NULL
-- when the value is 0, and for C5, which has no sampling error). A survey cell is SUPPRESSED when
-- n < 10 or cv > 0.333, else LOW_PRECISION when n_eff < 30 or cv > 0.165. Suppressed cells keep
-- their value and bounds here (internal schema only); the marts withhold them.
with components as (
    select * from {{ ref('int_survey_components') }}
    union all by name
    select * from {{ ref('int_register_components') }}
),

parameters as (
    {{ method_parameters({
        'suppress_n_below': ('suppress_n_below', 'double'),
        'suppress_cv_above': ('suppress_cv_above', 'double'),
        'low_precision_n_eff_below': ('low_precision_n_eff_below', 'double'),
        'low_precision_cv_above': ('low_precision_cv_above', 'double'),
    }) }}
),

goalposts as (
    {{ method_goalposts() }}
),

with_cv as (
    select
        components.*,
        uncertainty.se,
        uncertainty.raw_ci_low,
        uncertainty.raw_ci_high,
        case when components.raw_value <> 0 then uncertainty.se / components.raw_value end as cv
    from components
    left join {{ ref('int_component_uncertainty') }} as uncertainty
        on uncertainty.year = components.year
        and uncertainty.sector_code = components.sector_code
        and uncertainty.component_id = components.component_id
),

controlled as (
    select
        with_cv.*,
        with_cv.component_id <> 'C5'
            and (
                with_cv.n < parameters.suppress_n_below
                or with_cv.raw_value is null
                or coalesce(with_cv.cv > parameters.suppress_cv_above, false)
            ) as suppressed,
        with_cv.component_id <> 'C5'
            and (
                with_cv.n_eff < parameters.low_precision_n_eff_below
                or coalesce(with_cv.cv > parameters.low_precision_cv_above, false)
            ) as low_precision,
        (with_cv.raw_value - goalposts.lower) / (goalposts.upper - goalposts.lower) as unclamped
    from with_cv
    cross join parameters
    inner join goalposts on goalposts.component_id = with_cv.component_id
)

select
    year,
    sector_code,
    component_id,
    raw_value,
    raw_ci_low,
    raw_ci_high,
    se,
    n,
    n_eff,
    cv,
    dk_share,
    case when not suppressed then 100 * least(greatest(unclamped, 0), 1) end as normalised,
    suppressed,
    not suppressed and raw_value is not null as present,
    list_sort(list_distinct(
        coalesce(weighting_flags, [])
        || case when suppressed then ['SUPPRESSED'] else [] end
        || case when not suppressed and low_precision then ['LOW_PRECISION'] else [] end
        || case when not suppressed and (unclamped < 0 or unclamped > 1) then ['CAPPED'] else [] end
    )) as flag_list,
    source_ids
from controlled
