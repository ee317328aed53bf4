-- The release this build would publish: its id and date are derived from the inputs, never from
-- the clock, so the same snapshots and method give the same release. A build with a non-default
-- number of bootstrap replicates (var bootstrap_replicates / env RBI_BOOTSTRAP_REPLICATES) gets a
-- `b<B>-` segment, so it can never claim the official id. The publication appends the
-- presentation revision (publication/identity.py).
{%- set replicates = var('bootstrap_replicates', env_var('RBI_BOOTSTRAP_REPLICATES', '')) | string | trim %}
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

parameters as (
    {{ method_parameters({'default_replicates': ('bootstrap_replicates', 'integer')}) }}
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
    {%- if replicates %}
    || case
        when {{ replicates | int }} <> (select default_replicates from parameters) then 'b{{ replicates | int }}-'
        else ''
    end
    {%- endif %}
    || strftime(release_date, '%Y%m%d') || '-'
    || left(inputs_hash, 8) as release_id,
    cast(release_date as date) as created_at,
    '{{ var("method_version") }}' as method_version,
    case when any_demonstration then 'demonstration' else 'published' end as data_status,
    inputs_hash
from dated
