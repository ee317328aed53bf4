-- The release this build would publish (one row). The publication step adds the changelog and
-- writes the `releases` table of the release.
select release_id, created_at, method_version, data_status, inputs_hash
from {{ ref('int_release') }}
