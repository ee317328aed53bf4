import csv
import io

from publication.csv_writer import csv_bytes, escape_text


def test_columns_order_rounding_and_missing_values() -> None:
    rows = [{"b": 1.25, "a": "x", "c": None, "d": 3.0}]
    data = csv_bytes(rows, {"a": "text", "b": "dec1", "c": "dec3", "d": "int"})
    assert data == b"a,b,c,d\nx,1.3,,3\n"


def test_spreadsheet_formula_cells_are_escaped() -> None:
    for dangerous in ("=1+1", "+47", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert escape_text(dangerous).startswith("'")
    assert escape_text("Sykehus") == "Sykehus"
    data = csv_bytes([{"t": '=HYPERLINK("x")', "v": -1.5}], {"t": "text", "v": "dec1"})
    row = next(csv.DictReader(io.StringIO(data.decode())))
    assert row["t"] == '\'=HYPERLINK("x")'
    assert row["v"] == "-1.5"  # numbers are not text cells: a negative number stays a number


def test_utf8_and_quoting() -> None:
    data = csv_bytes([{"t": "Videregående, opplæring"}], {"t": "text"})
    assert data.decode("utf-8") == 't\n"Videregående, opplæring"\n'
