"""Publication helpers (plain Python): rounding, CSV writing and the release folder."""
