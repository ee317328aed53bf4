import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sources.jsonstat import JsonStatError, load, read

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ssb"
REPO = Path(__file__).resolve().parents[2]


def small(**overrides) -> dict:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "id": ["region", "tid"],
        "size": [2, 3],
        "role": {"time": ["tid"], "geo": ["region"]},
        "dimension": {
            "region": {
                "label": "region",
                "category": {"index": ["0301", "4601"], "label": {"0301": "Oslo", "4601": "Bergen"}},
            },
            "tid": {"label": "år", "category": {"index": {"2021": 0, "2022": 1, "2023": 2}}},
        },
        "value": [1, 2, 3, 4, None, 6],
        "status": {"4": ".."},
    }
    doc.update(overrides)
    return doc


def test_real_jsonstat2_with_status_symbols() -> None:
    dataset = read(FIXTURES / "05300_v0_data_json-stat2.json")
    rows = dataset.tidy_rows()
    assert [d.id for d in dataset.dimensions] == ["Avstand1", "Kulturtilbud", "ContentsCode", "Tid"]
    assert len(rows) == 6 * 8 * 1 * 9 == 432
    assert rows[0]["Avstand1"] == "01" and rows[0]["Avstand1_label"] == "Under 1 km"
    assert rows[0]["Tid"] == "1991" and rows[0]["value"] == 16.0 and rows[0]["status"] is None
    # flat index 71 = Avstand1 pos 0, Kulturtilbud pos 7, Tid pos 8 (last dimension fastest)
    assert (
        rows[71]["Kulturtilbud"]
        == list(
            json.loads((FIXTURES / "05300_v0_data_json-stat2.json").read_text())["dimension"]["Kulturtilbud"][
                "category"
            ]["index"]
        )[7]
    )
    assert rows[71]["Tid"] == dataset.dimensions[3].categories[8].code
    assert rows[71]["value"] is None and rows[71]["status"] == "."
    assert {r["status"] for r in rows} >= {None, ".", ".."}
    roles = {d.id: d.role for d in dataset.dimensions}
    assert roles["Tid"] == "time" and roles["ContentsCode"] == "metric"
    assert dataset.dimensions[2].categories[0].unit is not None
    assert dataset.updated.startswith("2022-05-24")


def test_real_jsonstat1_bundle() -> None:
    [dataset] = load(FIXTURES / "29843.json")
    assert [d.size for d in dataset.dimensions] == [20, 6, 312]
    rows = dataset.tidy_rows()
    assert len(rows) == 37440
    assert rows[60]["PKoder"] == "P1021" and rows[60]["ContentsCode"] == "Sesongjustert"
    assert rows[60]["Tid"] == "1995M01" and rows[60]["value"] == 114.6
    assert rows[0]["value"] is None and rows[0]["status"] == "."
    assert rows[0]["PKoder_label"] == "Extraction of crude petroleum"


def test_index_as_list_or_object_and_sparse_cells() -> None:
    rows = read(small()).tidy_rows()
    assert [(r["region"], r["tid"], r["value"], r["status"]) for r in rows] == [
        ("0301", "2021", 1.0, None),
        ("0301", "2022", 2.0, None),
        ("0301", "2023", 3.0, None),
        ("4601", "2021", 4.0, None),
        ("4601", "2022", None, ".."),
        ("4601", "2023", 6.0, None),
    ]
    assert rows[0]["region_label"] == "Oslo" and rows[0]["tid_label"] == "2021"
    sparse = read(small(value={"0": 1, "5": 6}, status="..")).tidy_rows()
    assert [r["value"] for r in sparse] == [1.0, None, None, None, None, 6.0]
    assert {r["status"] for r in sparse} == {".."}
    as_object = small()
    as_object["dimension"]["region"]["category"]["index"] = {"0301": 0, "4601": 1}
    assert read(as_object).tidy_rows() == rows


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"size": [2, 4]}, "dimension 'tid' has 3 categories in its index but size says 4"),
        ({"size": [2]}, "has 2 ids but 1 sizes"),
        ({"value": [1, 2, 3]}, "'value' has 3 cells but the sizes multiply to 6"),
        ({"id": ["region", "year"]}, "dimension 'year' is listed in 'id' but missing from 'dimension'"),
        ({"value": {"9": 1}}, "'value' key 9 is outside 0..5"),
        ({"value": [1, 2, 3, 4, {"x": 1}, 6]}, "'value' cell 4 is a dict"),
    ],
)
def test_structural_errors_name_what_is_wrong(overrides: dict, message: str) -> None:
    with pytest.raises(JsonStatError) as err:
        read(small(**overrides))
    assert message in str(err.value)


def test_bad_index_and_not_jsonstat() -> None:
    doc = small()
    doc["dimension"]["tid"]["category"]["index"] = {"2021": 0, "2022": 2, "2023": 3}
    with pytest.raises(JsonStatError, match=r"dimension 'tid' category index positions are not 0\.\.2"):
        read(doc)
    with pytest.raises(JsonStatError, match="HTML"):
        read(b"<!DOCTYPE html><html><body>Service unavailable</body></html>")
    with pytest.raises(JsonStatError, match="not valid JSON"):
        read(b'{"version": "2.0", "class": "datas')
    with pytest.raises(JsonStatError, match="no dataset found"):
        read({"error": "Too many requests"})


def test_cli_writes_tidy_csv_and_fails_clearly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sources.jsonstat", str(FIXTURES / "05300_v0_data_json-stat2.json")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 432
    assert list(rows[0]) == [
        "Avstand1",
        "Avstand1_label",
        "Kulturtilbud",
        "Kulturtilbud_label",
        "ContentsCode",
        "ContentsCode_label",
        "Tid",
        "Tid_label",
        "value",
        "status",
    ]
    assert rows[0]["value"] == "16"
    bad = tmp_path / "bad.json"
    bad.write_text("<html>oops</html>")
    failed = subprocess.run(
        [sys.executable, "-m", "sources.jsonstat", str(bad)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith(f"error: {bad}: JSON-stat: the body is HTML")
