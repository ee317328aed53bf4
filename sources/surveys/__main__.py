"""Command line: check a survey export against its mapping file; process the inbox by hand.

    python -m sources.surveys validate EXPORT MAPPING [--json REPORT.json]
    python -m sources.surveys inbox [--settle SECONDS]
    python -m sources.surveys accept SURVEY_ID DELIVERY [--requested-by WHO]
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
accepted surveys. Exit status 0, or 2 when a delivery was quarantined or held. Each delivery
is looked at twice, ``--settle`` seconds apart (default 5): a file that changed in between waits.

``accept`` makes a held re-delivery (fewer respondents, changed answers, older responses: see
``sources/surveys/redelivery.py``) the current version of its survey; ``DELIVERY`` is the name of
its folder in the quarantine, as the inbox printed it. The decision is recorded in the audit log.

``withdraw`` and ``erase`` (spec section 10, ``sources/surveys/erasure.py``) leave a survey or one
respondent out of every later build, replace the raw export by a copy without the rows, append a
record to the audit log (never an answer) and say what the next release will do with the
published cells concerned (spec section 5b). Exit status 0, or 2 when the request cannot be done.
"""

import argparse
import sys
from pathlib import Path

from method.reference import sector_codes
from sources.surveys.ingest import check_export
from storage.paths import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sources.surveys", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check an export against its mapping file")
    validate.add_argument("export", type=Path)
    validate.add_argument("mapping", type=Path)
    validate.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    inbox = sub.add_parser("inbox", help="store or quarantine every delivery in the inbox (what the sensor does)")
    inbox.add_argument("--settle", type=float, default=5.0, help="seconds between the two looks at each delivery")
    accept = sub.add_parser("accept", help="make a held re-delivery the current version of its survey")
    accept.add_argument("survey_id")
    accept.add_argument("delivery", help="the held delivery's folder name in the quarantine")
    accept.add_argument("--requested-by", default=None, help="who decided (name or role), for the audit log")
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
        return process_inbox_once(args.settle)
    if args.command == "accept":
        return accept_held(args)
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


def process_inbox_once(settle: float = 5.0) -> int:
    from sources.surveys.inbox import input_survey_ids, one_line, process_inbox, shown

    paths = Paths.from_env()
    inbox = paths.inbox
    outcomes = process_inbox(
        inbox,
        paths.raw_surveys,
        paths.quarantine,
        paths.received,
        taken_ids=input_survey_ids(paths.surveys),
        sectors=sector_codes(),
        min_age_seconds=settle,
        secret_file=paths.pseudonym_secret,
        audit_log=paths.audit_log,
    )
    if not outcomes:
        print(f"{inbox}: nothing to do")
    for outcome in outcomes:
        where = f"\n    -> {shown(outcome.where)}" if outcome.where else ""
        print(f"{shown(outcome.delivery)}: {outcome.status}: {one_line(outcome.message)}{where}")
    return 2 if any(o.status in ("quarantined", "held", "failed") for o in outcomes) else 0


def accept_held(args: argparse.Namespace) -> int:
    from sources.surveys.inbox import accept_held as accept
    from sources.surveys.inbox import input_survey_ids, one_line

    paths = Paths.from_env()
    try:
        outcome = accept(
            args.survey_id,
            args.delivery,
            paths.raw_surveys,
            paths.quarantine,
            paths.received,
            taken_ids=input_survey_ids(paths.surveys),
            sectors=sector_codes(),
            secret_file=paths.pseudonym_secret,
            audit_log=paths.audit_log,
            requested_by=args.requested_by,
        )
    except ValueError as exc:
        print(f"nothing done: {one_line(str(exc))}", file=sys.stderr)
        return 2
    print(f"{args.survey_id}: {outcome.status}: {one_line(outcome.message)}")
    if outcome.status != "accepted":
        return 2
    print(f"  version {outcome.version} is now the current version (recorded in {paths.audit_log})")
    print("Run the pipeline (make run) to publish it.")
    return 0


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
    who = (
        args.survey_id if args.command == "withdraw" else f"respondent key {outcome.respondent_id} of {args.survey_id}"
    )
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
