-- The release this build would publish: its id and date are derived from the inputs, never from
-- the clock, so the same snapshots and method give the same release.
with inputs as (
    select * from {{ ref('stg_sources__register') }}
),

summary as (
    select
        bool_or(data_status = 'demonstration') as any_demonstration,
        max(cast(retrieved_at as date)) as newest_input_date,
        md5(string_agg(source_id || ':' || sha256, ',' order by source_id, sha256)) as inputs_hash
    from inputs
),

dated as (
    select
        *,
        {% if var('release_date') %}
        cast('{{ var("release_date") }}' as date) as release_date
        {% else %}
        newest_input_date as release_date
        {% endif %}
    from summary
)

select
    case when any_demonstration then 'demo-' else '' end
    || 'rbi-{{ var("method_version") }}-'
    || strftime(release_date, '%Y%m%d') || '-'
    || left(inputs_hash, 8) as release_id,
    cast(release_date as date) as created_at,
    '{{ var("method_version") }}' as method_version,
    case when any_demonstration then 'demonstration' else 'published' end as data_status,
    inputs_hash
from dated
