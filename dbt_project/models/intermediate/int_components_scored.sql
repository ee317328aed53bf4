-- Normalisation of every component cell (spec section 6) from its final value before
-- normalisation (int_component_uncertainty: value, interval, n, n_eff, dk_share, cv, suppression
-- and flags of sections 4, 5 and 7): I = 100 * clamp((x - L) / (U - L), 0, 1) with the goalposts
-- of the method, flag CAPPED when the clamp acts. A cell is present for the index when it is not
-- suppressed and has a value (a C5 cell flagged NO_FTE has none).
with cells as (
    select * from {{ ref('int_component_uncertainty') }}
),

goalposts as (
    {{ method_goalposts() }}
),

normalised as (
    select
        cells.*,
        (cells.raw_value - goalposts.lower) / (goalposts.upper - goalposts.lower) as unclamped
    from cells
    inner join goalposts on goalposts.component_id = cells.component_id
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
    -- (DuckDB's greatest() ignores NULL: a cell without a value must not become a score of 0)
    case when not suppressed and raw_value is not null then 100 * least(greatest(unclamped, 0), 1) end as normalised,
    suppressed,
    not suppressed and raw_value is not null as present,
    list_sort(list_distinct(
        flag_list
        || case when not suppressed and (unclamped < 0 or unclamped > 1) then ['CAPPED'] else [] end
    )) as flag_list,
    source_ids
from normalised
