{#- The survey component cells this release publishes afresh with a value (spec 5b): not
    suppressed, not held, with a value. Their entries in the revision store are replaced by this
    release's; every other stored entry is kept as it was (int_revision_store_*). -#}
{% macro fresh_revision_cells(columns='revised.year, revised.sector_code, revised.component_id') %}
    select {{ columns }}
    from {{ ref('int_components_revised') }} as revised
    semi join (select component_id from {{ ref('components') }} where source_kind = 'survey') using (component_id)
    where not revised.suppressed and not revised.revision_held and revised.raw_value is not null
{% endmacro %}
