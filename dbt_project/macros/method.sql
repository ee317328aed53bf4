{#- The method's own parameters and goalposts, for the current method version (var method_version). -#}

{% macro method_parameters(columns) -%}
{#- One row with one column per method parameter (seed method_parameters): ``columns`` maps the
    column name to (parameter, SQL type), e.g. {'q_low': ('interval_low_quantile', 'double')}. -#}
    select
    {%- for name, definition in columns.items() %}
        max(case when parameter = '{{ definition[0] }}' then cast(value as {{ definition[1] }}) end)
            as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ ref('method_parameters') }}
    where method_version = '{{ var("method_version") }}'
{%- endmacro %}

{% macro method_goalposts() -%}
{#- The fixed goalposts (L, U) per component (seed goalposts, spec section 6). -#}
    select component_id, cast(lower as double) as lower, cast(upper as double) as upper
    from {{ ref('goalposts') }}
    where method_version = '{{ var("method_version") }}'
{%- endmacro %}
