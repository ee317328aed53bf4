{#- Quantiles of the bootstrap (spec section 7), written out so the convention is explicit. -#}

{% macro quantile_linear(sorted_values, q) -%}
{#- q-quantile of a sorted list without NULLs by linear interpolation between order statistics
    (Hyndman-Fan type 7, NumPy's default 'linear'): h = (m - 1) q, x[floor h] + (h - floor h)
    (x[floor h + 1] - x[floor h]) with 0-based x; NULL for an empty list. -#}
(
    {{ sorted_values }}[cast(floor((len({{ sorted_values }}) - 1) * {{ q }}) as bigint) + 1]
    + ((len({{ sorted_values }}) - 1) * {{ q }} - floor((len({{ sorted_values }}) - 1) * {{ q }}))
    * (
        {{ sorted_values }}[least(cast(floor((len({{ sorted_values }}) - 1) * {{ q }}) as bigint) + 2, len({{ sorted_values }}))]
        - {{ sorted_values }}[cast(floor((len({{ sorted_values }}) - 1) * {{ q }}) as bigint) + 1]
    )
)
{%- endmacro %}
