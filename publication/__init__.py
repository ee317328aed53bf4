"""The publication (plain Python, no Dagster): the published contract (``contracts.py``) and the
release builder, one module per output (values and rounding, CSV, Parquet, metadata, datapackage,
diff, checksums, report, analyst DuckDB file, README, release store; ``build.py`` puts them
together)."""
