"""Publication: the quality gate (blocking GX checks), the release asset and the monthly schedule."""
