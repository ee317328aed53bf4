"""The internal revision store of spec section 5b: the respondent sets behind published values.

- ``store.py``: the store itself (versions, footprints, loading into the warehouse's raw tables);
- ``record.py``: recording a published release in it, and the check that a build used the version in force.

Plain Python, no Dagster; restricted like the raw area it lives in. Its own package, not ``publication/``:
it holds personal data and is no part of what a release presents (``publication/identity.py`` hashes that
package's code into the presentation revision)."""
