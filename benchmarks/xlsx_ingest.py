"""Benchmark: ingest the same survey rows as .xlsx and as CSV, in one run; and refuse a bomb.

    .venv/bin/python benchmarks/xlsx_ingest.py [--rows 100000] [--workdir DIR] [--keep]
    .venv/bin/python benchmarks/xlsx_ingest.py --smoke       # 200 rows, seconds: run by `make test`
    .venv/bin/python benchmarks/xlsx_ingest.py --workdir /tmp/xb --keep --reuse --repeat 3 --before /tmp/old
        # each timed child 3 times, interleaved (the least CPU of each is reported), and the xlsx
        # ingest of another checkout (e.g. `git archive <commit> | tar -x -C /tmp/old`) beside this one

1. Generates the rows of ``survey_ingest.py`` (Nettskjema conventions, value labels, a free-text
   and an e-mail column the mapping does not read) and writes them twice: as the CSV report and as
   the Excel report (one sheet, ids and hours as numbers, everything else text; XlsxWriter).
   Then a 1 GiB shared-strings compression bomb (a few MiB zipped). Not timed.
2. Times, each in a fresh child process (peak memory = the child's own maximum RSS):
   - ``csv``: ``check_export`` of the CSV with its ``nettskjema_csv`` mapping (the baseline);
   - ``xlsx``: ``check_export`` of the workbook with the same mapping as ``nettskjema_xlsx``
     (the guard's pass over the ZIP, then python-calamine);
   - ``calamine``: python-calamine's own read of the same workbook, nothing else (open, the sheet,
     ``to_python``): the physical limit with the best reader available;
   - ``bomb``: ``check_export`` of the bomb (must be refused).
3. Prints the figures and checks the targets: xlsx <= 1.5x calamine's own read, xlsx peak <= 1 GiB,
   the same canonical records from both, the bomb refused within 10 s and 1 GiB (xlsx / csv is
   printed for the record).

Exit status 0 when every target is met, 1 otherwise. ``--smoke`` (tiny size, run by
tests/test_benchmarks.py so that the script cannot rot) checks the results but not the timing targets.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.survey_ingest import HEADER, generate, mapping_yaml  # noqa: E402

TARGET_RATIO = 1.5  # xlsx ingest / calamine's own read of the workbook
TARGET_PEAK_BYTES = 1 << 30
BOMB_SECONDS = 10.0

CHILD = """
import sys, time, json, resource
from pathlib import Path
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
t0 = time.perf_counter()
from sources.surveys.ingest import check_export
t1, c1 = time.perf_counter(), cpu()
checked = check_export(Path(sys.argv[1]), Path(sys.argv[2]))
t2, c2 = time.perf_counter(), cpu()
report = checked.report
records = checked.records
digest = None
if records is not None:
    import hashlib
    digest = hashlib.sha256(records.to_csv(index=False).encode()).hexdigest()
print(json.dumps({"seconds": t2 - t1, "cpu_seconds": c2 - c1, "import_seconds": t1 - t0,
                  "accepted": report.accepted,
                  "rows": report.rows_read, "error": (report.error or "")[:300], "digest": digest,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


CHILD_CALAMINE = """
import sys, time, json, resource
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
t0 = time.perf_counter()
from python_calamine import CalamineWorkbook
t1, c1 = time.perf_counter(), cpu()
book = CalamineWorkbook.from_path(sys.argv[1])
rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
t2, c2 = time.perf_counter(), cpu()
print(json.dumps({"seconds": t2 - t1, "cpu_seconds": c2 - c1, "import_seconds": t1 - t0, "accepted": True,
                  "rows": len(rows) - 1, "error": "", "digest": None,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def write_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    """The same rows as the CSV, as Nettskjema's Excel report would hold them."""
    import csv

    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("Sheet1")
    numeric = {HEADER.index("$submission_id"), HEADER.index("timer_uke"), HEADER.index("timer_dok")}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for r, row in enumerate(csv.reader(handle, delimiter=";")):
            for c, value in enumerate(row):
                if r and c in numeric and value:
                    sheet.write_number(r, c, float(value.replace(",", ".")))
                elif value:
                    sheet.write_string(r, c, value)
    book.close()


def write_bomb(source: Path, bomb: Path, inflated: int = 1 << 30, level: int | None = None) -> None:
    """A copy of a small workbook whose shared strings inflate to ``inflated`` bytes (deflate ``level``:
    zlib's default, or 1 for a quicker, less compressed bomb)."""
    block = b"<si><t>" + b"A" * 4000 + b"</t></si>"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out,
    ):
        for info in original.infolist():
            if info.filename != "xl/sharedStrings.xml":
                out.writestr(info, original.read(info))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // len(block)):
                member.write(block)


def child(*args: str, code: str = CHILD, repo: Path = REPO) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--reuse", action="store_true", help="reuse the files a kept --workdir already holds")
    parser.add_argument("--smoke", action="store_true", help="200 rows; the timing targets are not checked")
    parser.add_argument("--repeat", type=int, default=1, help="time each child N times, interleaved; report the least")
    parser.add_argument("--before", type=Path, help="another checkout whose xlsx ingest is timed beside this one")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows = 200
    work = args.workdir or Path(tempfile.mkdtemp(prefix="rbi-xlsx-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path, bomb = work / "export.csv", work / "export.xlsx", work / "bomb.xlsx"
    csv_mapping, xlsx_mapping = work / "mapping_csv.yml", work / "mapping_xlsx.yml"
    started = time.perf_counter()
    if not (args.reuse and xlsx_path.exists() and bomb.exists()):
        generate(csv_path, args.rows)
        write_xlsx(csv_path, xlsx_path)
        carrier = xlsx_path if args.rows <= 1000 else _tiny(work)
        # smoke: a bomb just over the guard's 256 MiB limit, deflated quickly (seconds, not half a minute)
        write_bomb(carrier, bomb, *((300 << 20, 1) if args.smoke else ()))
    text = mapping_yaml()
    csv_mapping.write_text(text, encoding="utf-8")
    xlsx_mapping.write_text(text.replace("format: nettskjema_csv", "format: nettskjema_xlsx"), encoding="utf-8")
    print(
        f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s: "
        f"CSV {csv_path.stat().st_size / 1e6:.1f} MB, XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB, "
        f"bomb {bomb.stat().st_size / 1e6:.1f} MB ({'300 MiB' if args.smoke else '1 GiB'} inflated)"
    )
    timed = {
        "csv (baseline)": lambda: child(str(csv_path), str(csv_mapping)),
        "calamine alone": lambda: child(str(xlsx_path), code=CHILD_CALAMINE),
        "xlsx": lambda: child(str(xlsx_path), str(xlsx_mapping)),
        "bomb": lambda: child(str(bomb), str(xlsx_mapping)),
    }
    if args.before:
        timed["xlsx (before)"] = lambda: child(str(xlsx_path), str(xlsx_mapping), repo=args.before.resolve())
    measured: dict[str, list[dict]] = {name: [] for name in timed}
    for _ in range(max(args.repeat, 1)):  # interleaved, so that a change of load falls on every kind
        for name, run in timed.items():
            measured[name].append(run())
    least = {name: min(found, key=lambda r: r["cpu_seconds"]) for name, found in measured.items()}
    csv_run, calamine_run, xlsx_run, bomb_run = (least[n] for n in ("csv (baseline)", "calamine alone", "xlsx", "bomb"))
    ratio = xlsx_run["seconds"] / max(calamine_run["seconds"], 1e-3)  # a tiny smoke read can take ~0 s
    runs = tuple(least.items())
    for name, run in runs:
        print(
            f"{name:15s} {run['seconds']:6.2f} s ({run['cpu_seconds']:6.2f} s CPU), "
            f"peak RSS {run['maxrss_kb'] / 1024:5.0f} MiB, "
            f"accepted={run['accepted']} rows={run['rows']:,} {run['error'][:120]}"
        )
    cpu_ratio = xlsx_run["cpu_seconds"] / max(calamine_run["cpu_seconds"], 1e-3)
    print(f"ratio xlsx / calamine alone: {ratio:.2f}x (xlsx / csv: {xlsx_run['seconds'] / csv_run['seconds']:.1f}x)")
    # on a loaded machine the wall times follow the load; the CPU time of these single-threaded reads does not
    print(f"ratio xlsx / calamine alone in CPU time: {cpu_ratio:.2f}x")
    if args.before:
        before = least["xlsx (before)"]["cpu_seconds"] / max(calamine_run["cpu_seconds"], 1e-3)
        print(f"ratio xlsx (before) / calamine alone in CPU time: {before:.2f}x")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {max(args.repeat, 1)} run(s) of each")
    timing = {
        f"xlsx <= {TARGET_RATIO:g}x calamine alone": ratio <= TARGET_RATIO,
        "xlsx peak memory <= 1 GiB": xlsx_run["maxrss_kb"] * 1024 <= TARGET_PEAK_BYTES,
        f"bomb refused within {BOMB_SECONDS:g} s": bomb_run["seconds"] <= BOMB_SECONDS,
        "bomb peak memory <= 1 GiB": bomb_run["maxrss_kb"] * 1024 <= TARGET_PEAK_BYTES,
    }
    results = {
        "same canonical records from both": csv_run["digest"] is not None and csv_run["digest"] == xlsx_run["digest"],
        "every row read": csv_run["rows"] == xlsx_run["rows"] == calamine_run["rows"] == args.rows,
        "bomb refused": not bomb_run["accepted"],
    }
    if args.before:
        results["the same canonical records before and now"] = least["xlsx (before)"]["digest"] == xlsx_run["digest"]
    checks = results if args.smoke else timing | results
    for name, ok in (timing | results).items():
        verdict = ("ok  " if ok else "FAIL") if name in checks else "(smoke: not checked)"
        print(f"  {verdict} {name}")
    if not args.keep and args.workdir is None:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    return 0 if all(checks.values()) else 1


def _tiny(work: Path) -> Path:
    """A 100-row workbook to carry the bomb (so the bomb's size is the shared strings' alone)."""
    small_csv, small_xlsx = work / "tiny.csv", work / "tiny.xlsx"
    generate(small_csv, 100)
    write_xlsx(small_csv, small_xlsx)
    return small_xlsx


if __name__ == "__main__":
    sys.exit(main())
