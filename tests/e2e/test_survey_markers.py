"""End to end: marker strings planted in every column of a good and a bad inbox delivery never
leave the restricted raw area. The inbox sensor and the runs it requests go through Dagster
(run storage in sqlite, event logs), then `make run`'s job (compute logs); the whole output
directory -- ``dagster_home`` included -- is searched byte by byte for every marker, and the
warehouse is asked too (it compresses strings).

Only ``raw/`` (the restricted area that keeps deliveries byte for byte, the restricted quarantine
reports and the canonical records of each checked version under ``raw/records``) may hold them;
``dagster_home``, the warehouse and the releases must not.

Respondent keys (issue 19): every respondent id of the deliveries is a planted marker too, and the
free-text columns hold valid national identity numbers (fødselsnummer), e-mail addresses and names:
none of them may appear outside ``raw/``, and the canonical records (``raw/records``, the stored
versions' ``records.parquet``) and the warehouse hold respondent keys, never the tool's ids."""

import os
import time
from pathlib import Path

import duckdb
import pytest

from tests.e2e.harness import run_inbox_sensor, run_pipeline
from tests.e2e.tiny_inputs import make_tiny_inputs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]  # 2 runs in one fixture

MAPPED = ["id", "sektor", "kjonn", "timer", "dok", "unyttig", "dobbel", "a1", "a2", "a3"]
HEADER = [*MAPPED, "kommentar", "epost", "navn"]
CODES = '{{"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}}'
MAPPING = """\
survey_id: {survey_id}
year: 2025
format: generic_csv
data_status: demonstration
row_policy: {{max_bad_share: 0.1}}
respondent_id: {{column: id}}
fields:
  sector_code: {{column: sektor, values: {{"1": SYKEHUS, "2": NAV}}}}
  sex: {{column: kjonn, values: {{"1": F, "2": M}}}}
  hours_total: {{column: {hours}, type: number}}
  hours_doc: {{column: dok, type: number}}
  unnecessary: {{column: unyttig, values: CODES}}
  duplicate: {{column: dobbel, values: CODES}}
  autonomy_1: {{column: a1, values: CODES}}
  autonomy_2: {{column: a2, values: CODES}}
  autonomy_3: {{column: a3, values: CODES}}
""".replace("CODES", CODES)


def marker(kind: str, column: str) -> str:
    return f"MRK{kind}{column.upper()}Zq7"


def tool_id(kind: str, i: int) -> str:
    return f"IDMRK{kind}{i:05d}"


def fodselsnummer(n: int) -> str:
    """A valid Norwegian national identity number (check digits by mod 11), different for each n."""
    for individual in range(100 + n * 7, 1000):
        digits = [int(c) for c in f"0101{70 + n % 30:02d}{individual:03d}"]
        k1 = 11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        k2 = 11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), [*digits, k1], strict=True)) % 11
        k2 = 0 if k2 == 11 else k2
        if k1 < 10 and k2 < 10:
            return "".join(map(str, digits)) + f"{k1}{k2}"
    raise AssertionError("no valid number")


PERSONAL = [fodselsnummer(n) for n in range(5)] + ["ola.nordmann@example.invalid", "Kari Nordmann"]


def markers() -> list[str]:
    return [marker(kind, column) for kind in ("GOOD", "BAD") for column in HEADER]


def export(kind: str, n: int = 200) -> str:
    lines = [";".join(HEADER)]
    for i in range(1, n + 1):
        codes = [str(1 + (i + k) % 5) for k in range(5)]
        cells = [
            tool_id(kind, i),
            "1" if i % 2 else "2",
            "1" if i % 3 else "2",
            str(30 + i % 15),
            str(3 + i % 9),
            *codes,
        ]
        personal = PERSONAL[i % len(PERSONAL)]  # identity numbers, e-mails, names in the free text
        cells += [f"{marker(kind, c)} {personal}" for c in HEADER[len(MAPPED) :]]  # free text etc.: every row
        lines.append(cells)
    rows = [lines[0], *(";".join(c) for c in lines[1:])]
    return "\n".join(rows) + "\n"


def plant(text: str, kind: str) -> str:
    """A marker in each mapped column of a few rows (dropped as bad rows: at most 5 %)."""
    lines = text.splitlines()
    for offset, column in enumerate(MAPPED):
        row = 10 + offset * 7
        cells = lines[row].split(";")
        cells[offset] = marker(kind, column)
        if column == "id":  # a repeated id: both rows are rejected, and the message must not quote it
            twin = lines[row + 1].split(";")
            twin[0] = marker(kind, column)
            lines[row + 1] = ";".join(twin)
        lines[row] = ";".join(cells)
    return "\n".join(lines) + "\n"


def drop(inbox: Path, name: str, survey_id: str, hours: str, kind: str) -> None:
    folder = inbox / name
    folder.mkdir(parents=True)
    (folder / "export.csv").write_text(plant(export(kind), kind), encoding="utf-8")
    (folder / "mapping.yml").write_text(MAPPING.format(survey_id=survey_id, hours=hours), encoding="utf-8")
    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("markers-e2e")
    inputs = make_tiny_inputs(root / "inputs")
    output = root / "output"
    drop(output / "inbox", "good", "MARKERS-GOOD-2025", "timer", "GOOD")
    drop(output / "inbox", "bad", "MARKERS-BAD-2025", "timer_per_uke", "BAD")
    sensor = run_inbox_sensor(inputs, output)
    assert sensor.returncode == 0, sensor.stdout[-3000:] + sensor.stderr[-3000:]
    assert '"partitions": ["MARKERS-GOOD-2025"]' in sensor.stdout, sensor.stdout[-3000:]
    # (its run may fail: nothing upstream was ever materialised here; what matters is what it logged)
    again = run_pipeline(inputs, output)  # `make run`: compute logs, the published release
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    for text in (sensor.stdout, sensor.stderr, again.stdout, again.stderr):
        for planted in [*markers(), *PERSONAL, "IDMRK"]:
            assert planted not in text, planted
    return output


def test_deliveries_went_where_they_should(output: Path) -> None:
    quarantined = list((output / "raw" / "quarantine").iterdir())
    assert [p.name.split("-", 1)[1] for p in quarantined] == ["bad"]
    assert (output / "raw" / "surveys" / "MARKERS-GOOD-2025").is_dir()
    # the restricted area keeps what was delivered (so the markers are there, and only there)
    assert marker("GOOD", "kommentar").encode() in next((output / "raw" / "surveys").rglob("export.csv")).read_bytes()


def test_no_marker_anywhere_outside_the_raw_area(output: Path) -> None:
    home = output / "dagster_home"
    assert any(home.rglob("*.db")), "the run storage should be in dagster_home"
    raw = output / "raw"  # restricted: surveys/, received/, quarantine/ and the canonical records/
    searched: dict[str, int] = {}
    for path in output.rglob("*"):
        if not path.is_file() or path.is_symlink() or raw in path.parents:
            continue
        data = path.read_bytes()
        area = path.relative_to(output).parts[0]
        searched[area] = searched.get(area, 0) + 1
        for planted in [*markers(), *PERSONAL, "IDMRK"]:
            assert planted.encode() not in data, (path, planted)
    assert sum(searched.values()) > 20
    # the places a person or a log reader opens were really searched
    for area in ("dagster_home", "warehouse", "releases"):
        assert searched.get(area, 0) > 0, (area, searched)


def test_the_canonical_records_hold_no_free_text(output: Path) -> None:
    """raw/records is restricted (respondent rows), but holds canonical fields only: the free-text,
    e-mail and name columns of a delivery never reach it."""
    records = output / "raw" / "records"
    for path in records.rglob("*") if records.is_dir() else []:
        if path.is_file():
            data = path.read_bytes()
            for planted in [marker(kind, c) for kind in ("GOOD", "BAD") for c in HEADER[len(MAPPED) :]]:
                assert planted.encode() not in data, (path, planted)


def test_the_canonical_records_hold_keys_not_the_tools_ids(output: Path) -> None:
    import pandas as pd

    from sources.pseudonyms import is_respondent_key

    parquets = [*(output / "raw" / "records").rglob("*.parquet"), *(output / "raw" / "surveys").rglob("*.parquet")]
    assert len(parquets) >= 2
    for path in parquets:
        frame = pd.read_parquet(path)
        assert frame["respondent_id"].map(is_respondent_key).all(), path
        assert sorted(frame["respondent_order"]) == list(range(1, len(frame) + 1)), path
        assert not frame.astype(str).apply(lambda c: c.str.contains("IDMRK|MRK|@|Nordmann")).any().any(), path


def test_the_warehouse_holds_no_marker(output: Path) -> None:
    with duckdb.connect(str(output / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        counts = dict(con.execute("select survey_id, count(*) from raw.survey_responses group by 1").fetchall())
        assert counts["MARKERS-GOOD-2025"] == 200 - len(MAPPED) - 1  # planted rows + the twin of the repeated id
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            for planted in ["MRK", *PERSONAL]:  # "MRK" covers the tool ids IDMRK... too
                hits = con.execute(
                    f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)', [planted]
                ).fetchone()[0]
                assert hits == 0, (schema, table, column, planted)
        ids = con.execute("select respondent_id from raw.survey_responses").fetchall()
        assert all(i.startswith("rk_") and len(i) == 35 for (i,) in ids)
