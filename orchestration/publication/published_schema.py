"""The warehouse schema ``published``: the marts of the last published build, for analysts.

``marts`` is the build in progress: a run rewrites it table by table, and after a gate failure it
holds numbers that were never published. After a publication (or a rebuild that gave the same
release), the publication copies the marts it published into ``published`` in one transaction, so
an analyst reading ``published`` always sees one whole, published build, with the release id in
``published.release_info``. The warehouse file stays owner/group-only (storage/restricted.py).
"""

from collections.abc import Callable, Sequence
from pathlib import Path

from storage import warehouse_wait
from storage.restricted import restrict_warehouse

SCHEMA = "published"


def promote(
    warehouse: Path,
    relations: Sequence[str],
    release_id: str,
    log: Callable[[str], None] | None = None,
    on_long_wait: Callable[[float], None] | None = None,
) -> None:
    """Replace ``published.<table>`` by ``<relation>`` for every relation (``marts.<table>``) and
    record ``release_id``, all in one transaction."""
    restrict_warehouse(warehouse)
    with warehouse_wait.connect(warehouse, log=log, on_long_wait=on_long_wait) as con:
        restrict_warehouse(warehouse)
        con.execute("begin transaction")
        try:
            con.execute(f"create schema if not exists {SCHEMA}")
            literal = "'" + release_id.replace("'", "") + "'"
            for relation in relations:
                table = relation.split(".")[-1]
                columns = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
                # the marts hold the numbers part of the id; the release adds its presentation revision
                select = f"* replace ({literal} as release_id)" if "release_id" in columns else "*"
                con.execute(f'create or replace table {SCHEMA}."{table}" as select {select} from {relation}')
            comment = f"'The release these published tables belong to: {literal[1:-1]}'"
            con.execute(f"comment on table {SCHEMA}.release_info is {comment}")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
