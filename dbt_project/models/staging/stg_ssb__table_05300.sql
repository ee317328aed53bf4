-- SSB table 05300 read through sources/jsonstat.py: proves the JSON-stat path end to end.
-- Not used by the index.
select
    *,
    _source_id as source_id,
    _data_status as data_status
from {{ source('raw', 'ssb_05300') }}
