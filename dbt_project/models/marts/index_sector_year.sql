-- Published: the Reporting Burden Index per sector and survey year (spec section 9).
-- index_ci_low / index_ci_high: 95 % stratified-bootstrap interval; rank_p05 / rank_p95: 5th / 95th
-- percentiles of the replicate ranks (spec section 7). All NULL when the index is NULL.
select
    release.release_id,
    release.method_version,
    idx.year,
    idx.sector_code,
    sectors.sector_nb,
    sectors.sector_en,
    idx."index",
    idx.index_ci_low,
    idx.index_ci_high,
    idx.rank,
    idx.rank_p05,
    idx.rank_p95,
    idx.n_components,
    nullif(array_to_string(idx.flag_list, ';'), '') as flags,
    release.data_status
from {{ ref('int_index_sector_year') }} as idx
inner join {{ ref('sectors') }} as sectors on sectors.sector_code = idx.sector_code
cross join {{ ref('int_release') }} as release
order by idx.year, sectors.sort_order
