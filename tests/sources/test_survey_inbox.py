"""The survey inbox: accepted deliveries stored immutably with a sidecar, repeated ones skipped,
bad ones quarantined with a report; nothing is ever deleted."""

import json
import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

from sources.demo import survey as demo
from sources.surveys import store
from sources.surveys.inbox import find_deliveries, process_inbox

GENERATED = Path(__file__).resolve().parent.parent / "fixtures" / "surveys" / "generated"
WHEN = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)


def areas(tmp_path: Path) -> dict[str, Path]:
    out = {name: tmp_path / name for name in ("inbox", "surveys", "quarantine", "received")}
    out["inbox"].mkdir()
    return out


def run(a: dict[str, Path], when: datetime = WHEN, **kwargs):
    return process_inbox(
        a["inbox"], a["surveys"], a["quarantine"], a["received"], now=lambda: when, min_age_seconds=0, **kwargs
    )


def drop_demo(inbox: Path, name: str = "var2026", survey_id: str = "INBOX-2026", respondents: int = 200) -> Path:
    folder = inbox / name
    demo.write_demo_survey(folder, seed=11, respondents=respondents)
    mapping = folder / "mapping.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(demo.SURVEY_ID, survey_id), encoding="utf-8")
    return folder


def all_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_accepted_delivery_is_stored_read_only_with_a_sidecar(tmp_path: Path) -> None:
    a = areas(tmp_path)
    folder = drop_demo(a["inbox"])
    export_bytes = (folder / "export.csv").read_bytes()
    (outcome,) = run(a)
    assert outcome.status == "accepted" and outcome.survey_id == "INBOX-2026"
    stored = store.newest(a["surveys"], "INBOX-2026")
    assert stored is not None and stored.version == outcome.version
    assert stored.version == f"20261125T081500Z-{store.sha256_file(stored.export)[:8]}"
    assert stored.export.read_bytes() == export_bytes
    sidecar = json.loads((stored.folder / "sidecar.json").read_text(encoding="utf-8"))
    assert sidecar["original_export_name"] == "export.csv" and sidecar["original_mapping_name"] == "mapping.yml"
    assert sidecar["export_sha256"] == store.sha256_file(stored.export)
    assert sidecar["mapping_sha256"] == store.sha256_file(stored.mapping)
    assert sidecar["received_at"] == "2026-11-25T08:15:00+00:00" and sidecar["rows_read"] == 200
    for path in stored.folder.iterdir():
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path
    # the inbox is empty again; the originals were moved, not deleted
    assert list(a["inbox"].iterdir()) == []
    (received,) = a["received"].iterdir()
    assert (received / "export.csv").read_bytes() == export_bytes


def test_repeated_delivery_is_not_stored_twice(tmp_path: Path) -> None:
    a = areas(tmp_path)
    drop_demo(a["inbox"])
    (first,) = run(a)
    drop_demo(a["inbox"], name="again")
    (second,) = run(a, datetime(2026, 11, 26, tzinfo=UTC))
    assert second.status == "repeated" and second.version == first.version
    assert len(store.versions(a["surveys"], "INBOX-2026")) == 1
    assert len(list(a["received"].iterdir())) == 2  # both deliveries kept
    assert run(a) == []  # the inbox is empty


def first_rows(folder: Path, n: int) -> Path:
    """Keep the header and the first ``n`` data rows of a delivery's export."""
    export = folder / "export.csv"
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    export.write_text("".join(lines[: n + 1]), encoding="utf-8")
    return folder


def test_a_delivery_that_only_adds_respondents_becomes_the_newest_version(tmp_path: Path) -> None:
    a = areas(tmp_path)
    first_rows(drop_demo(a["inbox"], respondents=250), 200)
    run(a)
    drop_demo(a["inbox"], respondents=250)
    (outcome,) = run(a, datetime(2026, 11, 27, tzinfo=UTC))
    assert outcome.status == "accepted"
    versions = store.versions(a["surveys"], "INBOX-2026")
    assert [v.sidecar["rows_read"] for v in versions] == [200, 250]
    assert versions[-1].sidecar["compared_with_current"]["added"] == 50
    assert versions[-1].sidecar["compared_with_current"]["removed"] == 0
    assert store.newest(a["surveys"], "INBOX-2026").version.startswith("20261127T000000Z-")
    assert store.survey_ids(a["surveys"]) == ["INBOX-2026"]


def test_a_delivery_that_replaces_respondents_is_held_until_an_operator_accepts_it(tmp_path: Path) -> None:
    """(Before re-deliveries were explicit, this corrected delivery silently became the newest
    version; the demo generator gives other respondents for another count.)"""
    from sources.surveys.inbox import accept_held

    a = areas(tmp_path)
    drop_demo(a["inbox"])
    run(a)
    drop_demo(a["inbox"], respondents=250)
    (outcome,) = run(a, datetime(2026, 11, 27, tzinfo=UTC))
    assert outcome.status == "held" and outcome.where is not None
    assert "respondent(s) of the current version are missing" in outcome.message
    assert f"python -m sources.surveys accept INBOX-2026 {outcome.where.name}" in outcome.message
    held = json.loads((outcome.where / "held.json").read_text(encoding="utf-8"))
    assert held["respondents_before"] == 200 and held["respondents_now"] == 250
    assert held["added"] - held["removed"] == 50
    assert [v.sidecar["rows_read"] for v in store.versions(a["surveys"], "INBOX-2026")] == [200]
    log = tmp_path / "audit.jsonl"
    accepted = accept_held(
        "INBOX-2026", outcome.where.name, a["surveys"], a["quarantine"], a["received"], audit_log=log, when=WHEN
    )
    assert accepted.status == "accepted"
    assert [v.sidecar["rows_read"] for v in store.versions(a["surveys"], "INBOX-2026")] == [200, 250]
    assert store.newest(a["surveys"], "INBOX-2026").sidecar["accepted_by_operator"] is True
    (record,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert record["action"] == "accept" and record["version"] == accepted.version
    assert not outcome.where.exists()  # moved to received/


def test_file_pairs_by_stem_and_waiting_deliveries(tmp_path: Path) -> None:
    a = areas(tmp_path)
    shutil.copy(GENERATED / "msforms_responses.xlsx", a["inbox"] / "ms-forms-nov.xlsx")
    shutil.copy(GENERATED / "msforms_responses.yml", a["inbox"] / "ms-forms-nov.yml")
    shutil.copy(GENERATED / "generic_labels_utf8_tab.tsv", a["inbox"] / "lonely.tsv")
    (a["inbox"] / "halfway").mkdir()
    shutil.copy(GENERATED / "generic_labels.yml", a["inbox"] / "halfway" / "mapping.yml")
    names = {d.name: d.complete for d in find_deliveries(a["inbox"])}
    assert names == {"ms-forms-nov": True, "lonely": False, "halfway": False}
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["ms-forms-nov"].status == "accepted" and outcomes["ms-forms-nov"].survey_id == "TEST-MSFORMS-2026"
    assert outcomes["lonely"].message == "waiting for its mapping file (.yml)"
    assert outcomes["halfway"].message == "waiting for its export file"
    stored = store.newest(a["surveys"], "TEST-MSFORMS-2026")
    assert stored.export.name == "export.xlsx" and stored.sidecar["original_export_name"] == "ms-forms-nov.xlsx"
    assert (a["inbox"] / "lonely.tsv").exists()  # left alone until its mapping arrives


def test_files_still_being_written_wait(tmp_path: Path) -> None:
    a = areas(tmp_path)
    drop_demo(a["inbox"])
    outcomes = process_inbox(a["inbox"], a["surveys"], a["quarantine"], a["received"], min_age_seconds=3600)
    assert [o.status for o in outcomes] == ["waiting"] and not a["surveys"].exists()


def test_bad_delivery_is_quarantined_with_a_report_and_nothing_lost(tmp_path: Path) -> None:
    a = areas(tmp_path)
    folder = drop_demo(a["inbox"])
    lines = (folder / "export.csv").read_text(encoding="utf-8").splitlines()
    for i in (5, 17, 40, 41, 90, 120, 150, 199, 200, 33, 60):  # 11 of 200 rows: 5.5 % > 5 %
        cells = lines[i].split(";")
        cells[7] = '"Ukentlig"'  # rapp_unyttig
        lines[i] = ";".join(cells)
    (folder / "export.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = all_bytes(folder)
    (outcome,) = run(a)
    assert outcome.status == "quarantined"
    assert outcome.message.startswith(
        "unmapped value in column 'rapp_unyttig' (not in its values table) rows 5, 17, 33, 40, 41, 60"
    )
    assert "Ukentlig" not in outcome.message  # the outcome is logged: no answer quoted
    (quarantined,) = a["quarantine"].iterdir()
    assert quarantined.name == "20261125T081500Z-var2026"
    kept = all_bytes(quarantined)
    assert {k: kept[k] for k in before} == before  # every original byte is still there
    report = json.loads((quarantined / "report.json").read_text(encoding="utf-8"))
    assert report["accepted"] is False and report["rows_rejected"] == 11 and report["rows_read"] == 200
    assert report["export"].endswith("var2026/export.csv")
    assert report["problems"][0]["column"] == "rapp_unyttig" and report["problems"][0]["row_count"] == 11
    text = (quarantined / "report.txt").read_text(encoding="utf-8")
    assert "rejected: 11 of 200 rows have problems" in text and "export.csv" in text
    rows = "rows 5, 17, 33, 40, 41, 60, 90, 120, 150, 199, ... (11 rows)"
    assert f"unmapped value in column 'rapp_unyttig' (not in its values table): 'Ukentlig' {rows}" in text
    assert not a["surveys"].exists() and list(a["inbox"].iterdir()) == []


def test_unreadable_and_conflicting_deliveries_are_quarantined(tmp_path: Path) -> None:
    a = areas(tmp_path)
    folder = drop_demo(a["inbox"], name="ragged")
    with (folder / "export.csv").open("a", encoding="utf-8") as handle:
        handle.write('"1";"2"\n')
    drop_demo(a["inbox"], name="taken", survey_id="DEMO-2025-ARBEIDSTID")
    outcomes = {o.delivery: o for o in run(a, taken_ids={"DEMO-2025-ARBEIDSTID"})}
    assert outcomes["ragged"].status == "quarantined"
    assert (
        "export.csv: data row 201 (line 202) has 2 fields, the header has 15 (read as utf-8"
        in outcomes["ragged"].message
    )
    assert outcomes["taken"].status == "quarantined"
    assert (
        "survey_id 'DEMO-2025-ARBEIDSTID' is already used by a survey in the inputs directory"
        in outcomes["taken"].message
    )
    assert sorted(p.name.split("-", 1)[1] for p in a["quarantine"].iterdir()) == ["ragged", "taken"]
    for q in a["quarantine"].iterdir():
        assert {"export.csv", "mapping.yml", "report.json", "report.txt"} <= set(os.listdir(q))


def test_inbox_command_processes_the_inbox_once(tmp_path, monkeypatch, capsys) -> None:
    from sources.surveys.__main__ import main

    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("RBI_INBOX_DIR", raising=False)
    monkeypatch.delenv("RBI_RAW_DIR", raising=False)
    monkeypatch.delenv("RBI_INPUTS_DIR", raising=False)
    inbox = tmp_path / "out" / "inbox"
    inbox.mkdir(parents=True)
    assert main(["inbox", "--settle", "0"]) == 0 and "nothing to do" in capsys.readouterr().out
    folder = drop_demo(inbox)
    old = datetime(2026, 1, 1).timestamp()
    for path in folder.iterdir():
        os.utime(path, (old, old))
    assert main(["inbox", "--settle", "0"]) == 0
    assert "'var2026': accepted: accepted, 200 rows, no problems" in capsys.readouterr().out
    assert store.survey_ids(tmp_path / "out" / "raw" / "surveys") == ["INBOX-2026"]
    clash = drop_demo(inbox, name="clash", survey_id=demo.SURVEY_ID)
    for path in clash.iterdir():
        os.utime(path, (old, old))
    assert main(["inbox", "--settle", "0"]) == 2
    assert "'clash': quarantined" in capsys.readouterr().out


def test_same_export_with_another_mapping_in_the_same_second_is_a_new_version(tmp_path: Path) -> None:
    a = areas(tmp_path)
    drop_demo(a["inbox"])
    run(a)
    folder = drop_demo(a["inbox"], name="remapped")
    mapping = folder / "mapping.yml"
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace('"3": null', '"3": null, "4": null'), encoding="utf-8"
    )
    (outcome,) = run(a)  # same WHEN, same export bytes
    assert outcome.status == "accepted" and outcome.version.endswith("-2")
    assert len(store.versions(a["surveys"], "INBOX-2026")) == 2
