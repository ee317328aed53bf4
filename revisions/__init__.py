"""The internal revision store of spec section 5b (``store.py``): the respondent sets behind published
values, written when a release is published and read back by the next build. Plain Python, no Dagster;
restricted like the raw area it lives in. Its own package, not ``publication/``: it holds personal data
and is no part of what a release presents (``publication/identity.py`` hashes that package's code)."""
