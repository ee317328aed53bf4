-- Aggregation (spec section 6): weighted arithmetic mean of the normalised scores of the
-- components present; computed only when C1 is present and at least 3 components are,
-- otherwise NULL with flag INSUFFICIENT. Rank 1 = most burden in the year; ties share the
-- smallest rank (rank()). Ranks use unrounded values.
with scored as (
    select * from {{ ref('int_components_scored') }}
),

weights as (
    select component_id, cast(weight as double) as weight
    from {{ ref('component_weights') }}
    where method_version = '{{ var("method_version") }}'
),

minimum as (
    select cast(value as integer) as min_components
    from {{ ref('method_parameters') }}
    where method_version = '{{ var("method_version") }}' and parameter = 'index_min_components'
),

aggregated as (
    select
        scored.year,
        scored.sector_code,
        count(*) filter (where scored.present) as n_components,
        bool_or(scored.present and scored.component_id = 'C1') as has_c1,
        sum(weights.weight * scored.normalised) filter (where scored.present)
            / sum(weights.weight) filter (where scored.present) as weighted_mean,
        -- weighting flags of the survey cells carry over to the index
        list_sort(list_distinct(flatten(list(list_filter(scored.flag_list,
            lambda f: f in ('POP_LAGGED', 'SECTOR_WEIGHTED', 'UNWEIGHTED')))))) as inherited_flags
    from scored
    inner join weights on weights.component_id = scored.component_id
    group by scored.year, scored.sector_code
),

decided as (
    select
        aggregated.*,
        case when has_c1 and n_components >= minimum.min_components then weighted_mean end as index_value
    from aggregated
    cross join minimum
)

select
    year,
    sector_code,
    index_value as "index",
    n_components,
    case when index_value is not null
        then rank() over (partition by year order by index_value desc nulls last)
    end as rank,
    list_sort(list_distinct(
        inherited_flags || case when index_value is null then ['INSUFFICIENT'] else [] end
    )) as flag_list
from decided
