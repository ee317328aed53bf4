"""Command line: check a survey export against its mapping file before ingestion.

    python -m sources.surveys validate EXPORT MAPPING [--json REPORT.json]

Prints every problem with its rows and column, e.g. ``unknown column 'q9' ...`` or
``unmapped value 'Ukentlig' in column 'q7' rows 12, 40, ...``, then the decision the pipeline
would take. Exit status: 0 = no problems; 1 = problems, but the file would be accepted with those
rows dropped (row policy); 2 = the file would be rejected (unreadable, a bad mapping, a missing
column, or too many bad rows).
"""

import argparse
import sys
from pathlib import Path

from sources.surveys.ingest import check_export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sources.surveys", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check an export against its mapping file")
    validate.add_argument("export", type=Path)
    validate.add_argument("mapping", type=Path)
    validate.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    checked = check_export(args.export, args.mapping)
    report = checked.report
    sys.stdout.write(report.to_text())
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")
    if not report.accepted:
        return 2
    return 1 if report.rows_rejected else 0


if __name__ == "__main__":
    raise SystemExit(main())
