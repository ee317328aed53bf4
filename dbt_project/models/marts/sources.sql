-- Published: the provenance of every input of the release (spec section 9).
select
    source_id,
    title,
    publisher,
    url,
    licence,
    retrieved_at,
    sha256,
    origin
from {{ ref('stg_sources__register') }}
order by source_id
