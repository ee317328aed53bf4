-- Provenance of every input: one row per snapshot or survey export.
select
    source_id,
    kind,
    title,
    publisher,
    url,
    licence,
    retrieved_at,
    sha256,
    origin,
    data_status,
    snapshot_id
from {{ source('raw', 'source_register') }}
