"""Per-output helpers of a release: typed values, CSV variants, Parquet, checksums, metadata."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from publication.checksums import SUMS_FILE, sha256sums, verify
from publication.contracts import PUBLISHED_TABLES
from publication.csv_writer import FORMULA_TRIGGERS, csv_bytes, escape_text, excel_no_csv_bytes
from publication.metadata import MetadataError, table_metadata
from publication.parquet import parquet_bytes
from publication.values import published_rows, published_value

COLUMNS = {"name": "text", "value": "dec1", "cv": "dec3", "n": "int", "raw": "plain"}
ROWS = [
    {"name": "Sykehus", "value": 2.675, "cv": 0.0625, "n": 12, "raw": 8.7},
    {"name": "=1+1", "value": -1.25, "cv": None, "n": None, "raw": 1234.0},
]


def test_published_values_are_rounded_once_half_away_from_zero() -> None:
    assert published_value(2.675, "dec1") == 2.7
    assert published_value(0.05, "dec1") == 0.1
    assert published_value(-1.25, "dec1") == -1.3
    assert published_value(0.0625, "dec3") == 0.063
    assert published_value(2.5, "int") == 3 and isinstance(published_value(2.5, "int"), int)
    assert published_value(float("nan"), "dec1") is None
    assert published_value(None, "text") is None
    typed = published_rows(ROWS, COLUMNS)
    assert typed[0] == {"name": "Sykehus", "value": 2.7, "cv": 0.063, "n": 12, "raw": 8.7}
    # the CSV of the typed rows equals the CSV of the raw rows: rounding is idempotent
    assert csv_bytes(typed, COLUMNS) == csv_bytes(ROWS, COLUMNS)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_owasp_trigger_is_escaped(trigger: str) -> None:
    """OWASP CSV injection: cells beginning with = + - @ tab CR are prefixed with a single quote."""
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
    dangerous = f"{trigger}cmd|' /C calc'!A0"
    assert escape_text(dangerous) == "'" + dangerous
    for data in (csv_bytes([{"t": dangerous}], {"t": "text"}), excel_no_csv_bytes([{"t": dangerous}], {"t": "text"})):
        text = data.decode("utf-8-sig")
        delimiter = ";" if text.startswith("t\r\n") else ","
        row = next(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
        assert row["t"] == "'" + dangerous
        assert not row["t"].startswith(FORMULA_TRIGGERS)


def test_excel_norwegian_variant() -> None:
    data = excel_no_csv_bytes(ROWS, COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = data[3:].decode("utf-8")
    assert text.split("\r\n")[0] == "name;value;cv;n;raw"
    assert text.split("\r\n")[1] == "Sykehus;2,7;0,063;12;8,7"
    assert text.split("\r\n")[2] == "'=1+1;-1,3;;;1234"  # a negative number stays a number
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert [len(r) for r in rows[:3]] == [5, 5, 5]


def test_parquet_is_typed_and_byte_deterministic(tmp_path: Path) -> None:
    typed = published_rows(ROWS, COLUMNS)
    first, second = parquet_bytes(typed, COLUMNS), parquet_bytes(published_rows(ROWS, COLUMNS), COLUMNS)
    assert first == second
    path = tmp_path / "t.parquet"
    path.write_bytes(first)
    table = pq.read_table(path)
    assert [str(t) for t in table.schema.types] == ["string", "double", "double", "int64", "double"]
    assert table.to_pylist() == typed  # unescaped text, rounded numbers, None for empty
    metadata = pq.read_metadata(path)
    assert b"pandas" not in (metadata.metadata or {})
    # a fresh interpreter writes the same bytes (no timestamps, no per-process state)
    code = (
        "import sys; from tests.publication.test_release_formats import ROWS, COLUMNS;"
        "from publication.parquet import parquet_bytes;"
        "from publication.values import published_rows;"
        "sys.stdout.buffer.write(parquet_bytes(published_rows(ROWS, COLUMNS), COLUMNS))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=Path(__file__).parents[2])
    assert out.stdout == first


def test_sha256sums_verify_with_sha256sum(tmp_path: Path) -> None:
    files = {"a.csv": b"x\n1\n", "b b.json": b"{}"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / SUMS_FILE).write_bytes(sha256sums(files))
    lines = (tmp_path / SUMS_FILE).read_text().splitlines()
    assert lines[0].endswith("  a.csv") and len(lines[0].split("  ")[0]) == 64
    assert verify(tmp_path) == []
    result = subprocess.run(["sha256sum", "-c", SUMS_FILE], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "a.csv").write_bytes(b"x\n2\n")
    assert verify(tmp_path) == ["a.csv: checksum differs"]
    assert subprocess.run(["sha256sum", "-c", SUMS_FILE], cwd=tmp_path, capture_output=True).returncode != 0
    with pytest.raises(ValueError):
        sha256sums({"bad\nname": b""})


def test_every_published_column_is_described_in_english_and_norwegian() -> None:
    for table in [*PUBLISHED_TABLES]:
        meta = table_metadata(table.name, list(table.columns), strict=True)
        assert meta.table.title_nb and meta.table.description_en and meta.table.description_nb
        for column in table.columns:
            described = meta.columns[column]
            assert described.title_en and described.title_nb, (table.name, column)
            assert described.description_en and described.description_nb, (table.name, column)
    releases = table_metadata("releases", ["release_id", "changelog"], strict=True)
    assert releases.columns["changelog"].title_nb == "Endringslogg"
    index = table_metadata("index_sector_year", strict=True)
    assert index.columns["index"].unit == "score 0-100"
    # the English description is the dbt description (one source of truth)
    assert index.columns["rank"].description_en.startswith("Rank among sectors with an index in the year")


def test_undescribed_column_stops_strict_metadata_only() -> None:
    with pytest.raises(MetadataError, match="not described: new_column"):
        table_metadata("index_sector_year", ["index", "new_column"], strict=True)
    lenient = table_metadata("index_sector_year", ["index", "new_column"])
    assert lenient.columns["new_column"].title_en == "new_column"
    with pytest.raises(MetadataError, match="no model"):
        table_metadata("no_such_table", strict=True)


def test_line_breaks_inside_a_cell_are_quoted() -> None:
    """A CR or LF inside a text cell stays inside its (quoted) cell; records end with LF."""
    data = csv_bytes([{"t": "a\rb", "u": "c\nd"}, {"t": "x", "u": "y"}], {"t": "text", "u": "text"})
    assert data == b't,u\n"a\rb","c\nd"\nx,y\n'
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    assert rows == [{"t": "a\rb", "u": "c\nd"}, {"t": "x", "u": "y"}]
