"""``rbi``: one command for the people who run and feed the index (see :mod:`rbi.cli`)."""
