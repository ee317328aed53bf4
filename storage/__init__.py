"""Where every file lives and how it is kept (plain Python, no Dagster): ``paths.py``, the one authority
for places; ``atomic.py``, atomic writes for every store; ``restricted.py``, owner/group-only modes for
personal data; ``warehouse_wait.py``, the bounded wait for the DuckDB warehouse file."""
