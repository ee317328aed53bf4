"""Benchmark: the intake's bounds on hostile-but-possible exports (issue 19, "everything bounded").

    .venv/bin/python benchmarks/survey_bounds.py [--fields 200000] [--distinct 200000] [--smoke]

Each case runs in a fresh child process (its peak memory is the child's own maximum RSS):

- ``wide_header``: a CSV whose header has ``--fields`` fields (2.5 MB for 200,000): checked and
  refused (wider than 2,000 columns) -- target: well under 1 s (it took ~9 min when the header
  check was quadratic);
- ``distinct_bad``: a CSV of ``--distinct`` rows, each with a different unmapped answer: checked,
  report written -- targets: peak memory <= 400 MiB, JSON report <= 1 MB (it was 776 MB and 50 MB
  with one problem group per distinct answer).

``--smoke``: tiny sizes, seconds; checks that the script runs, not the targets. Exit status 0 when
every target is met, 1 otherwise.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_WIDE_SECONDS = 1.0
TARGET_PEAK_BYTES = 400 << 20
TARGET_REPORT_BYTES = 1 << 20
MAPPING = """\
survey_id: BOUNDS-2026
year: 2026
format: generic_csv
data_status: demonstration
respondent_id: {column: id}
fields:
  sector_code: {column: sektor, values: {"1": SYKEHUS}}
"""

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from sources.surveys.ingest import check_export
start = time.perf_counter()
checked = check_export(sys.argv[2], sys.argv[3])
seconds = time.perf_counter() - start
report = checked.report.to_json()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "report_bytes": len(report.encode()),
                  "error": (checked.report.error or "")[:200], "lines": len(checked.report.lines)}))
"""


def run_child(export: Path, mapping: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO), str(export), str(mapping)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=200_000)
    parser.add_argument("--distinct", type=int, default=200_000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    fields, distinct = (3000, 2000) if args.smoke else (args.fields, args.distinct)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        mapping = root / "mapping.yml"
        mapping.write_text(MAPPING, encoding="utf-8")
        wide = root / "wide.csv"
        names = ["id", "sektor", *(f"c{i}" for i in range(fields - 2))]
        wide.write_text(";".join(names) + "\n" + ";".join(["R1", "1", *("1" for _ in names[2:])]) + "\n")
        bad = root / "bad.csv"
        bad.write_text("id;sektor\n" + "".join(f"R{i};svar {i}\n" for i in range(distinct)), encoding="utf-8")
        start = time.perf_counter()
        results = {"wide_header": run_child(wide, mapping), "distinct_bad": run_child(bad, mapping)}
        results["total_seconds"] = time.perf_counter() - start
    print(json.dumps(results, indent=2))
    if args.smoke:
        return 0
    ok = (
        results["wide_header"]["seconds"] <= TARGET_WIDE_SECONDS
        and results["distinct_bad"]["peak_bytes"] <= TARGET_PEAK_BYTES
        and results["distinct_bad"]["report_bytes"] <= TARGET_REPORT_BYTES
    )
    print("targets met" if ok else "a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
