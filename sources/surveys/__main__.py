"""Command line: check a survey export against its mapping file; process the inbox by hand.

    python -m sources.surveys validate EXPORT MAPPING [--json REPORT.json]
    python -m sources.surveys inbox
    python -m sources.surveys withdraw SURVEY_ID --requested-by WHO [--reference CASE]
    python -m sources.surveys erase SURVEY_ID RESPONDENT_ID --requested-by WHO [--reference CASE]

Prints every problem with its rows and column, e.g. ``unknown column 'q9' ...`` or
``unmapped value 'Ukentlig' in column 'q7' rows 12, 40, ...``, then the decision the pipeline
would take. Exit status: 0 = no problems; 1 = problems, but the file would be accepted with those
rows dropped (row policy); 2 = the file would be rejected (unreadable, a bad mapping, a missing
column, or too many bad rows).

``inbox`` does once what the Dagster sensor ``survey_inbox`` does every 30 s, without Dagster:
every complete delivery in the inbox (``RBI_INBOX_DIR``, default ``$RBI_OUTPUT_DIR/inbox``) is
stored in the raw survey area or quarantined with a report. The next ``make run`` publishes the
accepted surveys. Exit status 0, or 2 when a delivery was quarantined.

``withdraw`` and ``erase`` (spec section 10, ``sources/surveys/erasure.py``) leave a survey or one
respondent out of every later build, replace the raw export by a copy without the rows, append a
record to the audit log (never an answer) and say what the next release will do with the
published cells concerned (spec section 5b). Exit status 0, or 2 when the request cannot be done.
"""

import argparse
import sys
from pathlib import Path

from sources.paths import Paths
from sources.reference import sector_codes
from sources.surveys.ingest import check_export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sources.surveys", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check an export against its mapping file")
    validate.add_argument("export", type=Path)
    validate.add_argument("mapping", type=Path)
    validate.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    sub.add_parser("inbox", help="store or quarantine every delivery in the inbox (what the sensor does)")
    withdraw = sub.add_parser("withdraw", help="withdraw a survey (spec section 10)")
    withdraw.add_argument("survey_id")
    erase = sub.add_parser("erase", help="erase one respondent's answers (spec section 10)")
    erase.add_argument("survey_id")
    erase.add_argument("respondent_id")
    for command in (withdraw, erase):
        command.add_argument("--requested-by", required=True, help="who asked (name or role), for the audit log")
        command.add_argument("--reference", help="a case or ticket number, for the audit log")
    args = parser.parse_args(argv)
    if args.command == "inbox":
        return process_inbox_once()
    if args.command in ("withdraw", "erase"):
        return erase_or_withdraw(args)
    checked = check_export(args.export, args.mapping, frozenset(sector_codes()))
    report = checked.report
    sys.stdout.write(report.to_text(restricted=True))  # the operator's own terminal
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")
    if not report.accepted:
        return 2
    return 1 if report.rows_rejected else 0


def process_inbox_once() -> int:
    from sources.surveys.inbox import input_survey_ids, process_inbox

    paths = Paths.from_env()
    inbox = paths.inbox
    outcomes = process_inbox(
        inbox,
        paths.raw_surveys,
        paths.quarantine,
        paths.received,
        taken_ids=input_survey_ids(paths.surveys),
        sectors=sector_codes(),
    )
    if not outcomes:
        print(f"{inbox}: nothing to do")
    for outcome in outcomes:
        where = f"\n    -> {outcome.where}" if outcome.where else ""
        print(f"{outcome.delivery}: {outcome.status}: {outcome.message}{where}")
    return 2 if any(o.status == "quarantined" for o in outcomes) else 0


def erase_or_withdraw(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sources.surveys import erasure

    when = datetime.now(UTC)
    paths = Paths.from_env()
    requested_by = args.requested_by.strip()
    if not requested_by:
        print("--requested-by must name who asked", file=sys.stderr)
        return 2
    try:
        if args.command == "withdraw":
            outcome = erasure.withdraw(args.survey_id, paths, when)
        else:
            outcome = erasure.erase(args.survey_id, args.respondent_id, paths, when)
    except erasure.ErasureError as exc:
        print(f"nothing done: {exc}", file=sys.stderr)
        return 2
    log = paths.audit_log
    erasure.append_record(log, erasure.audit_record(outcome, requested_by, args.reference, when))
    who = args.survey_id if args.command == "withdraw" else f"respondent {outcome.respondent_id} of {args.survey_id}"
    print(f"{args.command}: {who}: {outcome.rows_removed} row(s) removed; recorded in {log}")
    if outcome.new_version:
        print(f"  raw survey area: new version {outcome.new_version} replaces the export")
    for removed in outcome.exports_removed + outcome.originals_removed:
        print(f"  deleted: {removed}")
    for note in outcome.notes:
        print(f"  note: {note}")
    print("The next release leaves these rows out. For the cells already published (spec section 5b):")
    for line in erasure.next_release_preview(paths, args.survey_id, outcome.respondent_id):
        print(f"  {line}")
    print("Run the pipeline (make run) to publish it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
