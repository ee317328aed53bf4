-- Disclosure control, precision flags and normalisation of every component cell
-- (spec sections 5 and 6). Suppressed cells keep their value here (internal schema only);
-- the marts withhold it.
with components as (
    select * from {{ ref('int_survey_components') }}
    union all by name
    select * from {{ ref('int_register_components') }}
),

parameters as (
    select
        max(case when parameter = 'suppress_n_below' then cast(value as double) end) as suppress_n_below,
        max(case when parameter = 'low_precision_n_eff_below' then cast(value as double) end)
            as low_precision_n_eff_below
    from {{ ref('method_parameters') }}
    where method_version = '{{ var("method_version") }}'
),

goalposts as (
    select component_id, cast(lower as double) as lower, cast(upper as double) as upper
    from {{ ref('goalposts') }}
    where method_version = '{{ var("method_version") }}'
),

controlled as (
    select
        components.*,
        components.component_id <> 'C5'
            and (components.n < parameters.suppress_n_below or components.raw_value is null) as suppressed,
        components.component_id <> 'C5'
            and components.n_eff < parameters.low_precision_n_eff_below as low_precision,
        (components.raw_value - goalposts.lower) / (goalposts.upper - goalposts.lower) as unclamped
    from components
    cross join parameters
    inner join goalposts on goalposts.component_id = components.component_id
)

select
    year,
    sector_code,
    component_id,
    raw_value,
    n,
    n_eff,
    cast(null as double) as cv,
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
