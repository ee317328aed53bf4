"""Module-level state of tests/preloaded/test_preloaded.py's probe: set when it is imported (by the
preloaded server, before any fork), read by each child."""

import os

IMPORTED_IN = os.getpid()
