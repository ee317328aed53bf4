-- Published: the Reporting Burden Index per sector and survey year (spec section 9).
-- Interval and rank-interval columns are filled by the bootstrap (method issue); NULL until then.
select
    release.release_id,
    release.method_version,
    idx.year,
    idx.sector_code,
    sectors.sector_nb,
    sectors.sector_en,
    idx."index",
    cast(null as double) as index_ci_low,
    cast(null as double) as index_ci_high,
    idx.rank,
    cast(null as bigint) as rank_p05,
    cast(null as bigint) as rank_p95,
    idx.n_components,
    nullif(array_to_string(idx.flag_list, ';'), '') as flags,
    release.data_status
from {{ ref('int_index_sector_year') }} as idx
inner join {{ ref('sectors') }} as sectors on sectors.sector_code = idx.sector_code
cross join {{ ref('int_release') }} as release
order by idx.year, sectors.sort_order
