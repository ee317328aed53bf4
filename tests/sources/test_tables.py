from pathlib import Path

import pytest

from sources.registers import read_obligations, read_population
from sources.snapshots import latest_snapshot
from sources.ssb_published import read_published_table
from sources.tables import TableError
from storage.paths import EMBEDDED_INPUTS

HEADER = "table_ref,measure,unit,period,nace_code,nace_label,sector,value,status,source_url\n"
URL = "https://www.ssb.no/x"


def test_real_transcribed_sickness_table() -> None:
    snap = latest_snapshot(EMBEDDED_INPUTS / "snapshots", "ssb_sickness_absence")
    rows = read_published_table(snap.read_bytes(), "sickness")
    assert len(rows) == 393
    first = rows[0]
    assert first["period"] == "2012K1"
    assert first["nace_code"] == "00-99"
    assert first["sector"] == "Alle sektorer"
    assert first["value"] == 6.9
    assert first["status"] is None


def test_status_symbol_rows_have_no_value() -> None:
    data = (HEADER + f"t,m,prosent,2016,84,x,Alle sektorer,,:,{URL}\n").encode()
    rows = read_published_table(data, "f.csv")
    assert rows[0]["value"] is None and rows[0]["status"] == ":"


def test_problems_name_file_row_and_field() -> None:
    data = (
        HEADER
        + f"t,m,prosent,2016K5,84,x,s,1.0,,{URL}\n"
        + f"t,m,prosent,2016,84,x,s,abc,,{URL}\n"
        + f"t,m,prosent,2016,84,x,s,,,{URL}\n"
        + f"t,m,prosent,2016,84,x,s,2.0,..,{URL}\n"
    ).encode()
    with pytest.raises(TableError) as err:
        read_published_table(data, "bad.csv")
    message = str(err.value)
    assert message.startswith("bad.csv: ")
    assert "row 1, field 'period': '2016K5' is not a period" in message
    assert "row 2, field 'value': 'abc' is not a number" in message


def test_header_problems() -> None:
    with pytest.raises(TableError, match="missing column"):
        read_published_table(b"table_ref,measure\n", "h.csv")


def test_registers(tmp_path: Path) -> None:
    snap = latest_snapshot(EMBEDDED_INPUTS / "snapshots", "demo_population")
    population = read_population(
        snap.read_bytes(),
        "pop",
        sectors={
            "SYKEHUS",
            "SYKEHJEM",
            "HJEMMETJ",
            "BARNEHAGE",
            "GRUNNSKOLE",
            "VGS",
            "NAV",
            "BARNEVERN",
            "POLITI",
        },
    )
    assert len(population) == 81  # 9 sectors x (total, F, M) x the demonstration years 2023-2025
    assert {row["year"] for row in population} == {2023, 2024, 2025}
    population = [row for row in population if row["year"] == 2025]
    assert population[0] == {
        "year": 2025,
        "sector_code": "SYKEHUS",
        "sex": None,
        "employees": 120000.0,
        "fte": 101000.0,
        "data_status": "demonstration",
    }
    bad = (
        b"obligation_id,year,sector_code,title,legal_basis,recipient,minutes_per_report,"
        b"reports_per_year_per_unit,units,source_url,data_status\n"
        b"A,2025,SKOLE,t,l,r,10,1,1,,demonstration\n"
        b"A,2025,NAV,t,l,r,-3,1,1,,demonstration\n"
    )
    with pytest.raises(TableError) as err:
        read_obligations(bad, "obl.csv", sectors={"NAV"})
    assert "row 2, field 'minutes_per_report': -3 must be > 0" in str(err.value)
    assert "row 1, field 'sector_code': unknown sector 'SKOLE'" in str(err.value)
