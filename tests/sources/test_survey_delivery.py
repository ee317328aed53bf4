"""A delivery is a transaction (issue 19): any failure while checking or storing one delivery
quarantines that delivery with a report and the pass goes on; completeness is proven by two looks,
a parse to the end and the sender's optional ``<export>.sha256``; names are shown escaped;
respondent keys replace the tool's ids; re-deliveries, deny lists and one export under two ids."""

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from sources.pseudonyms import is_respondent_key, load_or_create_secret, respondent_key
from sources.surveys import inbox as inbox_module
from sources.surveys import store
from sources.surveys.erasure_log import append_record
from sources.surveys.inbox import find_deliveries, one_line, process_inbox, shown
from tests.e2e.tiny_inputs import MAPPING, survey_export

WHEN = datetime(2026, 11, 25, 8, 15, tzinfo=UTC)


def areas(tmp_path: Path) -> dict[str, Path]:
    raw = tmp_path / "raw"
    out = {"inbox": tmp_path / "inbox", "surveys": raw / "surveys", "quarantine": raw / "quarantine"}
    out["received"] = raw / "received"
    out["secret"] = raw / "keys" / "pseudonym.key"
    out["audit"] = raw / "audit" / "erasures.jsonl"
    out["inbox"].mkdir(parents=True)
    return out


def run(a: dict[str, Path], when: datetime = WHEN, **kwargs):
    kwargs.setdefault("min_age_seconds", 0)
    return process_inbox(a["inbox"], a["surveys"], a["quarantine"], a["received"], now=lambda: when, **kwargs)


def deliver(
    inbox: Path, name: str, survey_id: str = "TINY-2025", export: str | None = None, mapping: str = MAPPING
) -> Path:
    folder = inbox / name
    folder.mkdir()
    (folder / "export.csv").write_text(export if export is not None else survey_export(), encoding="utf-8")
    (folder / "mapping.yml").write_text(mapping.replace("TINY-2025", survey_id), encoding="utf-8")
    return folder


def tool_ids(text: str) -> list[str]:
    return [line.split(";")[0].strip('"') for line in text.splitlines()[1:]]


# --------------------------------------------------------------------------- 1. a delivery is a transaction


def test_a_crashing_check_quarantines_that_delivery_and_the_next_one_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = areas(tmp_path)
    deliver(a["inbox"], "a-crash", "CRASH-2025")
    deliver(a["inbox"], "b-good", "GOOD-2025")
    real = inbox_module.check_export

    def reader(export, mapping, sectors=None, **kwargs):
        if "a-crash" in str(export):
            raise ZeroDivisionError("SECRET-CELL-VALUE 12345")
        return real(export, mapping, sectors, **kwargs)

    monkeypatch.setattr(inbox_module, "check_export", reader)
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["b-good"].status == "accepted"
    crash = outcomes["a-crash"]
    assert crash.status == "quarantined"
    assert "unexpected ZeroDivisionError at tests/sources/test_survey_delivery.py" in crash.message
    assert "SECRET-CELL-VALUE" not in crash.message  # the exception's text may quote a cell: not in logs
    assert "python -m sources.surveys validate" in crash.message  # the fix
    report = json.loads((crash.where / "report.json").read_text(encoding="utf-8"))
    assert report["accepted"] is False and "ZeroDivisionError" in report["error"]
    assert "Traceback" not in report["error"] and "ZeroDivisionError" in (crash.where / "crash.txt").read_text()
    assert list(a["inbox"].iterdir()) == []


def test_a_crash_while_storing_leaves_no_partial_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = areas(tmp_path)
    deliver(a["inbox"], "a-first", "FIRST-2025")
    deliver(a["inbox"], "b-second", "SECOND-2025")

    def failing_write(path: Path, records: pd.DataFrame) -> Path:
        if "FIRST" in str(path):
            raise OSError("disk full")
        return original(path, records)

    original = store.write_parquet
    monkeypatch.setattr(store, "write_parquet", failing_write)
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["a-first"].status == "quarantined" and "OSError" in outcomes["a-first"].message
    assert outcomes["b-second"].status == "accepted"
    assert store.survey_ids(a["surveys"]) == ["SECOND-2025"]  # no half-stored FIRST version is read


@pytest.mark.parametrize("case", ["huge-integer", "long-survey-id", "long-file-name"])
def test_real_bad_inputs_before_a_good_one(tmp_path: Path, case: str) -> None:
    a = areas(tmp_path)
    text = survey_export()
    mapping = MAPPING
    if case == "huge-integer":
        mapping = MAPPING.replace('unyttig, values: {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "8": 8}', "unyttig")
        lines = text.splitlines()
        cells = lines[3].split(";")
        cells[6] = '"' + "9" * 400 + '"'
        lines[3] = ";".join(cells)
        text = "\n".join(lines) + "\n"
    if case == "long-survey-id":
        mapping = MAPPING.replace("TINY-2025", "X" * 300)
    if case == "long-file-name":
        stem = "å" * 118 + "x" * 4  # 240 bytes in UTF-8
        assert len(stem.encode("utf-8")) == 240
        (a["inbox"] / f"{stem}.csv").write_text(text, encoding="utf-8")
        (a["inbox"] / f"{stem}.yml").write_text(MAPPING.replace("TINY-2025", "LONG-2025"), encoding="utf-8")
    else:
        deliver(a["inbox"], "a-bad", export=text, mapping=mapping)
    deliver(a["inbox"], "z-good", "GOOD-2025", export=survey_export().replace('"1000', '"5000'))
    outcomes = run(a)
    statuses = {o.delivery: o.status for o in outcomes}
    assert statuses["z-good"] == "accepted"
    assert all(s in ("accepted", "quarantined") for s in statuses.values()), statuses
    assert list(a["inbox"].iterdir()) == []  # every delivery was taken or quarantined
    for folder in [*a["quarantine"].glob("*"), *a["received"].glob("*")]:
        assert len(folder.name.encode("utf-8")) <= 255


def test_file_names_are_shown_escaped_and_cannot_forge_a_log_line(tmp_path: Path, capsys, monkeypatch) -> None:
    from sources.surveys.__main__ import main

    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "out"))
    for name in ("RBI_INBOX_DIR", "RBI_RAW_DIR", "RBI_INPUTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    inbox = tmp_path / "out" / "inbox"
    inbox.mkdir(parents=True)
    forged = "svar\nsurvey-x: accepted: accepted, 999 rows, no problems"
    (inbox / f"{forged}.csv").write_text("not;a\nsurvey\n", encoding="utf-8")
    (inbox / f"{forged}.yml").write_text("survey_id: [", encoding="utf-8")
    main(["inbox", "--settle", "0"])
    out = capsys.readouterr().out
    assert "\nsurvey-x: accepted" not in out and "\\nsurvey-x: accepted" in out
    assert all(line.startswith(("'", " ")) for line in out.splitlines()), out
    assert shown("a\nb") == "'a\\nb'" and one_line("x\x1b[2Jy\u2028z") == "x\\x1b[2Jy\\u2028z"


def test_a_reader_message_reaches_the_console_without_quoted_cells(tmp_path: Path) -> None:
    a = areas(tmp_path)
    deliver(a["inbox"], "headerless", export='"991234";"2026-11-02 08:15:03";"1"\n"991235";"x";"2"\n')
    (outcome,) = run(a)
    assert outcome.status == "quarantined"
    assert "991234" not in outcome.message and "2026-11-02 08:15:03" not in outcome.message
    report = (outcome.where / "report.txt").read_text(encoding="utf-8")  # restricted: the whole message
    assert "the first row holds data, not column names" in report and "991234" not in report


# --------------------------------------------------------------------------- 2. completeness is proven


def test_a_file_that_grows_between_the_two_looks_waits(tmp_path: Path) -> None:
    a = areas(tmp_path)
    folder = deliver(a["inbox"], "slow", export=survey_export().split("\n", 60)[0] + "\n")
    full = survey_export()
    os.utime(folder / "export.csv", (0, 0))  # quiet for long enough by its modification time
    os.utime(folder / "mapping.yml", (0, 0))
    waits: list[float] = []

    def copying_goes_on(seconds: float) -> None:  # the settle time passes while the copy goes on
        waits.append(seconds)
        (folder / "export.csv").write_text(full, encoding="utf-8")

    (outcome,) = run(a, min_age_seconds=7, sleep=copying_goes_on)
    assert outcome.status == "waiting" and "changed between two looks 7 s apart" in outcome.message
    assert waits == [7] and not a["surveys"].exists()
    os.utime(folder / "export.csv", (0, 0))  # the copy is over (mtime settled)
    (outcome,) = run(a, min_age_seconds=7, sleep=lambda seconds: None)
    assert outcome.status == "accepted"
    stored = store.newest(a["surveys"], "TINY-2025")
    assert stored.sidecar["rows_read"] == len(tool_ids(full))


def test_a_truncated_export_is_refused_not_stored_as_the_whole_survey(tmp_path: Path) -> None:
    a = areas(tmp_path)
    text = survey_export()
    deliver(a["inbox"], "cut-in-a-row", export=text[: text.index("10000050") + 12])
    book = a["inbox"] / "cut-workbook"
    book.mkdir()
    from openpyxl import Workbook

    workbook = Workbook()
    for line in text.splitlines():
        workbook.active.append([c.strip('"') for c in line.split(";")])
    workbook.save(tmp_path / "whole.xlsx")
    data = (tmp_path / "whole.xlsx").read_bytes()
    (book / "export.xlsx").write_bytes(data[: len(data) * 2 // 3])
    (book / "mapping.yml").write_text(MAPPING.replace("nettskjema_csv", "nettskjema_xlsx"), encoding="utf-8")
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["cut-in-a-row"].status == "quarantined"
    assert "data row 50 (line 51)" in outcomes["cut-in-a-row"].message
    assert outcomes["cut-workbook"].status == "quarantined"
    assert not a["surveys"].exists()


def test_the_senders_sha256_must_match(tmp_path: Path) -> None:
    a = areas(tmp_path)
    text = survey_export()
    good = deliver(a["inbox"], "a-signed", "SIGNED-2025")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (good / "export.csv.sha256").write_text(f"{digest}  export.csv\n", encoding="ascii")
    bad = deliver(a["inbox"], "b-short", "SHORT-2025", export=text[: len(text) - len(text.splitlines()[-1]) - 1])
    (bad / "export.csv.sha256").write_text(digest + "\n", encoding="ascii")
    (a["inbox"] / "loose.csv").write_text(text, encoding="utf-8")
    (a["inbox"] / "loose.yml").write_text(MAPPING.replace("TINY-2025", "LOOSE-2025"), encoding="utf-8")
    (a["inbox"] / "loose.csv.sha256").write_text("0" * 64, encoding="ascii")
    assert {p.name for p in next(d for d in find_deliveries(a["inbox"]) if d.name == "loose").files} == {
        "loose.csv",
        "loose.yml",
        "loose.csv.sha256",
    }
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["a-signed"].status == "accepted"
    for name in ("b-short", "loose"):
        assert outcomes[name].status == "quarantined"
        assert "does not match its" in outcomes[name].message and "sha256" in outcomes[name].message


def test_a_survey_delivered_with_a_ready_marker_waits_for_it_next_time(tmp_path: Path) -> None:
    a = areas(tmp_path)
    first = deliver(a["inbox"], "first", export="\n".join(survey_export().splitlines()[:100]) + "\n")
    (first / "READY").write_text("", encoding="utf-8")
    assert run(a)[0].status == "accepted"
    second = deliver(a["inbox"], "second")
    (outcome,) = run(a)
    assert outcome.status == "waiting" and "READY marker" in outcome.message
    (second / "READY").write_text("", encoding="utf-8")
    assert run(a)[0].status == "accepted"


# --------------------------------------------------------------------------- 3. keys, not the tool's ids


def test_stored_records_hold_keys_and_the_order_of_the_tool_ids(tmp_path: Path) -> None:
    a = areas(tmp_path)
    deliver(a["inbox"], "keys")
    run(a, secret_file=a["secret"])
    stored = store.newest(a["surveys"], "TINY-2025")
    records = pd.read_parquet(stored.records_path)
    ids = tool_ids(survey_export())
    secret = load_or_create_secret(a["secret"])
    assert records["respondent_id"].map(is_respondent_key).all()
    assert records["respondent_id"].tolist() == [respondent_key(secret, i) for i in ids]
    assert records["respondent_order"].tolist() == [sorted(ids).index(i) + 1 for i in ids]
    assert not set(ids) & set(records["respondent_id"])


# --------------------------------------------------------------------------- 4. re-deliveries


def test_older_responses_are_held_and_one_export_under_two_ids_is_refused(tmp_path: Path) -> None:
    a = areas(tmp_path)
    text = survey_export()
    deliver(a["inbox"], "first")
    run(a)
    older = text.replace("2025-03-", "2025-01-")  # same respondents and answers, responses two months older
    deliver(a["inbox"], "older", export=older)
    deliver(a["inbox"], "twin", "TWIN-2025")
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["older"].status == "held" and "is older than the current version's" in outcomes["older"].message
    assert outcomes["twin"].status == "quarantined"
    assert "the same export bytes as survey TINY-2025" in outcomes["twin"].message
    reordered = "\n".join([text.splitlines()[0], *reversed(text.splitlines()[1:])]) + "\n"
    deliver(a["inbox"], "twin-reordered", "TWIN-2025", export=reordered)
    (outcome,) = run(a)
    assert outcome.status == "quarantined" and "the same respondents with the same answers" in outcome.message


def test_two_deliveries_of_one_survey_in_one_pass_are_taken_in_arrival_order(tmp_path: Path) -> None:
    a = areas(tmp_path)
    lines = survey_export().splitlines()
    late = deliver(a["inbox"], "a-later", export="\n".join(lines) + "\n")  # all respondents
    early = deliver(a["inbox"], "b-earlier", export="\n".join(lines[:60]) + "\n")  # the first 59
    for path, stamp in ((early, 1_000_000), (late, 2_000_000)):
        for file in path.iterdir():
            os.utime(file, (stamp, stamp))
    outcomes = run(a)
    assert [o.delivery for o in outcomes] == ["b-earlier", "a-later"]  # by arrival, not by name
    assert [o.status for o in outcomes] == ["accepted", "accepted"]  # the later one only adds
    assert store.newest(a["surveys"], "TINY-2025").sidecar["rows_read"] == len(lines) - 1


# --------------------------------------------------------------------------- 5. the deny list


def test_erased_respondents_and_withdrawn_surveys_do_not_come_back(tmp_path: Path) -> None:
    from sources.surveys import erasure
    from storage.paths import Paths

    paths = Paths.from_env(inputs=tmp_path / "no-inputs", output=tmp_path / "out", environ={})
    a = {"inbox": paths.inbox, "surveys": paths.raw_surveys, "quarantine": paths.quarantine}
    a["received"] = paths.received
    paths.inbox.mkdir(parents=True)
    deliver(paths.inbox, "first")
    deliver(paths.inbox, "other", "OTHER-2025", export=survey_export().replace('"1000', '"2000'))
    run(a)
    victim = tool_ids(survey_export())[5]
    outcome = erasure.erase("TINY-2025", victim, paths, WHEN)
    append_record(paths.audit_log, erasure.audit_record(outcome, "DPO", None, WHEN))
    withdrawn = erasure.withdraw("OTHER-2025", paths, WHEN)
    append_record(paths.audit_log, erasure.audit_record(withdrawn, "DPO", None, WHEN))
    deliver(paths.inbox, "again")  # the original export, bytes equal to an erased version
    back = "\n".join(line for line in survey_export().splitlines() if "10000007" not in line) + "\n"
    assert victim != "10000007"
    deliver(paths.inbox, "victim-back", export=back)
    deliver(paths.inbox, "withdrawn-again", "OTHER-2025", export=survey_export().replace('"1000', '"3000'))
    outcomes = {o.delivery: o for o in run(a)}
    assert outcomes["again"].status == "quarantined"
    assert "bytes are those of a version removed by erasure" in outcomes["again"].message
    assert outcomes["victim-back"].status == "quarantined"
    assert "brings back 1 respondent(s) of survey TINY-2025 erased on request" in outcomes["victim-back"].message
    assert outcomes["withdrawn-again"].status == "quarantined"
    assert "survey OTHER-2025 was withdrawn" in outcomes["withdrawn-again"].message
    assert "new survey_id" in outcomes["withdrawn-again"].message
    assert victim not in json.dumps(outcomes["victim-back"].message)


def test_a_report_lists_a_bounded_number_of_distinct_problems(tmp_path: Path) -> None:
    from sources.surveys.ingest import check_export
    from sources.surveys.problems import MAX_GROUPS_LISTED

    lines = survey_export().splitlines()
    header, body = lines[0], lines[1:]
    bad = []
    for i in range(1, 601):  # 600 respondents, each with its own unmapped answer in 'unyttig'
        cells = body[i % len(body)].split(";")
        cells[0] = f'"{40000000 + i}"'
        cells[6] = f'"svar {i}"'
        bad.append(";".join(cells))
    export = tmp_path / "e.csv"
    export.write_text("\n".join([header, *bad]) + "\n", encoding="utf-8")
    mapping = tmp_path / "m.yml"
    mapping.write_text(MAPPING, encoding="utf-8")
    report = check_export(export, mapping).report
    assert report.rows_rejected == 600
    # grouped by column and kind (sources/surveys/problems.py): bounded, every row counted
    assert len(report.problems) <= MAX_GROUPS_LISTED + 1
    assert sum(p.get("row_count", 0) for p in report.problems) == 600
    assert len(report.restricted_lines) <= MAX_GROUPS_LISTED + 1
    assert len(report.to_json()) < 200_000 and len(report.to_text(restricted=True)) < 100_000
    assert len(report.lines) == 1 and "(600 rows)" in report.lines[0]  # merged: every row counted


def test_the_accept_command_makes_a_held_delivery_current_and_logs_it(tmp_path: Path, capsys, monkeypatch) -> None:
    from sources.surveys.__main__ import main
    from storage.paths import Paths

    monkeypatch.setenv("RBI_OUTPUT_DIR", str(tmp_path / "out"))
    for name in ("RBI_INBOX_DIR", "RBI_RAW_DIR", "RBI_INPUTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    paths = Paths.from_env()
    paths.inbox.mkdir(parents=True)
    deliver(paths.inbox, "first")
    assert main(["inbox", "--settle", "0"]) == 0
    fewer = "\n".join(survey_export().splitlines()[:50]) + "\n"
    deliver(paths.inbox, "fewer", export=fewer)
    assert main(["inbox", "--settle", "0"]) == 2
    said = capsys.readouterr().out
    assert "'fewer': held:" in said and "respondent(s) of the current version are missing" in said
    (held,) = paths.quarantine.iterdir()
    assert main(["accept", "OTHER-ID", held.name]) == 2
    assert "a delivery of survey TINY-2025, not OTHER-ID" in capsys.readouterr().err
    assert main(["accept", "TINY-2025", held.name, "--requested-by", "Operatør"]) == 0
    assert "is now the current version" in capsys.readouterr().out
    assert store.newest(paths.raw_surveys, "TINY-2025").sidecar["rows_read"] == 49
    (record,) = [json.loads(line) for line in paths.audit_log.read_text(encoding="utf-8").splitlines()]
    assert record["action"] == "accept" and record["requested_by"] == "Operatør"
    assert record["held"]["removed"] == len(tool_ids(survey_export())) - 49


def test_a_move_that_fails_halfway_puts_the_files_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    a = areas(tmp_path)
    (a["inbox"] / "pair.csv").write_text(survey_export(), encoding="utf-8")
    (a["inbox"] / "pair.yml").write_text(MAPPING, encoding="utf-8")
    before = sorted(p.name for p in a["inbox"].iterdir())
    real = shutil.move
    calls = []

    def flaky(source: str, target: str):
        calls.append(source)
        if len(calls) == 2:  # the second file of the pair, whichever move it is
            raise OSError("device unplugged")
        return real(source, target)

    monkeypatch.setattr(shutil, "move", flaky)
    (outcome,) = run(a)
    monkeypatch.setattr(shutil, "move", real)
    assert outcome.status == "accepted" and "could not be moved out of the inbox (OSError" in outcome.message
    assert sorted(p.name for p in a["inbox"].iterdir()) == before  # the inbox is as it was
    assert store.survey_ids(a["surveys"]) == ["TINY-2025"] and not any(a["received"].glob("*/*"))
    (again,) = run(a)  # the next pass: stored before the move failed, so it is recognised
    assert again.status == "repeated" and list(a["inbox"].iterdir()) == []
    assert len(store.versions(a["surveys"], "TINY-2025")) == 1


def test_arrival_ties_are_broken_by_the_name_bytes_never_by_listing_order(tmp_path: Path) -> None:
    from sources.surveys.inbox import arrival_key

    a = areas(tmp_path)
    for name in ("b", "a", "c"):
        folder = deliver(a["inbox"], name)
        for file in folder.iterdir():
            os.utime(file, ns=(5_000_000_000, 5_000_000_000))
    for file in (a["inbox"] / "c").iterdir():  # c's newest file is older: it arrived first
        os.utime(file, ns=(4_000_000_000, 4_000_000_000))
    ordered = sorted(find_deliveries(a["inbox"]), key=arrival_key)
    assert [d.name for d in ordered] == ["c", "a", "b"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"Svar.csv": "x;y\n", "svar.yml": "survey_id: X\n"}, "differ only by upper/lower case"),
        ({"svar.xls": "", "svar.yml": "survey_id: X\n"}, "Nettskjema"),
        ({"svar.sav": "", "svar.yml": "survey_id: X\n"}, "Nettskjema"),
    ],
)
def test_a_delivery_that_cannot_complete_says_why_while_it_waits(tmp_path: Path, files: dict, expected: str) -> None:
    a = areas(tmp_path)
    for name, text in files.items():
        (a["inbox"] / name).write_text(text, encoding="utf-8")
    outcomes = run(a)
    waiting = [o for o in outcomes if o.status == "waiting"]
    assert waiting and any(expected in o.message for o in waiting), [o.message for o in outcomes]
