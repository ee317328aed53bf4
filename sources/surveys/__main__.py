"""Command line: check a survey export against its mapping file; process the inbox by hand.

    python -m sources.surveys validate EXPORT MAPPING [--json REPORT.json]
    python -m sources.surveys inbox

Prints every problem with its rows and column, e.g. ``unknown column 'q9' ...`` or
``unmapped value 'Ukentlig' in column 'q7' rows 12, 40, ...``, then the decision the pipeline
would take. Exit status: 0 = no problems; 1 = problems, but the file would be accepted with those
rows dropped (row policy); 2 = the file would be rejected (unreadable, a bad mapping, a missing
column, or too many bad rows).

``inbox`` does once what the Dagster sensor ``survey_inbox`` does every 30 s, without Dagster:
every complete delivery in the inbox (``RBI_INBOX_DIR``, default ``$RBI_OUTPUT_DIR/inbox``) is
stored in the raw survey area or quarantined with a report. The next ``make run`` publishes the
accepted surveys. Exit status 0, or 2 when a delivery was quarantined.
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
    args = parser.parse_args(argv)
    if args.command == "inbox":
        return process_inbox_once()
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


if __name__ == "__main__":
    raise SystemExit(main())
