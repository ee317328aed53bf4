"""Run-level machinery that is no one domain's: one run per output directory (lock + guard resource), dead runs
reaped, stale partial files cleaned, the bounded wait for the warehouse."""
