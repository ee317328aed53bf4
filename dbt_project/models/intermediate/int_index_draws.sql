-- The index of every sector and year under every scenario of the sensitivity analysis (seed
-- sensitivity_scenarios, spec section 7), for the point estimate and for each draw, with the rank
-- of the sector among the sectors with an index in that year, scenario and draw.
--   draw 0          point estimate: the published scores of int_components_revised (S0-S3)
--   draw 1..B       bootstrap replicate b (S0-S3): C1-C4 re-normalised (clamped to the goalposts)
--                   from their replicate raw values, C5 held at its point score
--   draw 1..D       S4 only: the point scores aggregated with perturbed weights (int_weight_perturbations)
-- A scenario aggregates the components present in the point estimate (not missing, not
-- suppressed) that belong to its component set, and has an index only where C1 is among them and
-- at least index_min_components are (spec section 6); the same components enter every draw. A
-- replicate in which a component has no value (no valid respondent drawn) aggregates the others.
--   arithmetic: sum(w_k * I_k) / sum(w_k)
--   geometric (S3): G = exp(sum(w_k * ln(1 + 0.99 I_k)) / sum(w_k)), index = (G - 1) / 0.99, which
--                   maps G back to 0..100 (equal scores I give index I)
-- Ranks: 1 = most burden; ties share the smallest rank (rank()); unrounded values.
with scored as (
    select * from {{ ref('int_components_revised') }}
),

parameters as (
    {{ method_parameters({
        'min_components': ('index_min_components', 'integer'),
        'geometric_shift': ('geometric_shift', 'double'),
        'geometric_scale': ('geometric_scale', 'double'),
    }) }}
),

goalposts as (
    {{ method_goalposts() }}
),

scenario_components as (
    select
        scenarios.scenario_id,
        scenarios.aggregation,
        cast(scenarios.perturbed as boolean) as perturbed,
        weights.component_id,
        components.source_kind,
        case scenarios.weighting when 'equal' then 1.0 else cast(weights.weight as double) end as weight
    from {{ ref('sensitivity_scenarios') }} as scenarios
    inner join {{ ref('component_weights') }} as weights on weights.method_version = scenarios.method_version
    inner join {{ ref('components') }} as components on components.component_id = weights.component_id
    where scenarios.method_version = '{{ var("method_version") }}'
        and (scenarios.component_set = 'all' or components.source_kind = 'survey')
),

-- the components entering each scenario's index of a sector-year
entering as (
    select
        scenario_components.scenario_id,
        scenario_components.aggregation,
        scenario_components.perturbed,
        scenario_components.weight,
        scenario_components.source_kind,
        scored.year,
        scored.sector_code,
        scored.component_id,
        scored.normalised
    from scored
    inner join scenario_components on scenario_components.component_id = scored.component_id
    where scored.present
),

eligible as (
    select entering.scenario_id, entering.year, entering.sector_code
    from entering
    cross join parameters
    group by entering.scenario_id, entering.year, entering.sector_code, parameters.min_components
    having bool_or(entering.component_id = 'C1') and count(*) >= parameters.min_components
),

entering_eligible as (
    select entering.*
    from entering
    inner join eligible using (scenario_id, year, sector_code)
),

replicates as (
    select * from {{ ref('int_component_replicates_revised') }}
),

replicate_numbers as (
    select distinct replicate from replicates
),

scores as (
    -- point estimates
    select scenario_id, aggregation, year, sector_code, 0 as draw, component_id, weight, normalised as score
    from entering_eligible
    where not perturbed

    union all
    -- bootstrap replicates of the survey components
    select
        e.scenario_id, e.aggregation, e.year, e.sector_code, r.replicate as draw, e.component_id, e.weight,
        -- a replicate without a value stays NULL (greatest() ignores NULL) and is left out below
        case when r.raw_value is not null
            then 100 * least(greatest((r.raw_value - g.lower) / (g.upper - g.lower), 0), 1)
        end as score
    from entering_eligible as e
    inner join replicates as r
        on r.year = e.year and r.sector_code = e.sector_code and r.component_id = e.component_id
    inner join goalposts as g on g.component_id = e.component_id
    where not e.perturbed and e.source_kind = 'survey'

    union all
    -- components without sampling error (C5): their point score in every replicate
    select e.scenario_id, e.aggregation, e.year, e.sector_code, n.replicate as draw, e.component_id, e.weight, e.normalised
    from entering_eligible as e
    cross join replicate_numbers as n
    where not e.perturbed and e.source_kind <> 'survey'

    union all
    -- S4: the point scores under each draw of perturbed weights
    select e.scenario_id, e.aggregation, e.year, e.sector_code, p.draw, e.component_id, p.weight, e.normalised
    from entering_eligible as e
    inner join {{ ref('int_weight_perturbations') }} as p on p.component_id = e.component_id
    where e.perturbed
),

aggregated as (
    select
        scores.scenario_id,
        scores.year,
        scores.sector_code,
        scores.draw,
        case any_value(scores.aggregation)
            when 'geometric' then
                (exp(sum(scores.weight * ln(parameters.geometric_shift + parameters.geometric_scale * scores.score))
                    / sum(scores.weight)) - parameters.geometric_shift) / parameters.geometric_scale
            else sum(scores.weight * scores.score) / sum(scores.weight)
        end as "index",
        count(*) as n_components
    from scores
    cross join parameters
    where scores.score is not null
    group by
        scores.scenario_id, scores.year, scores.sector_code, scores.draw,
        parameters.geometric_shift, parameters.geometric_scale
)

select
    scenario_id,
    year,
    sector_code,
    draw,
    "index",
    n_components,
    rank() over (partition by scenario_id, year, draw order by "index" desc) as rank
from aggregated
