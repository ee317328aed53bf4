"""Benchmark: ingest a 1,000,000-row survey export end to end, against a bare DuckDB read.

    .venv/bin/python benchmarks/survey_ingest.py [--rows 1000000] [--workdir DIR] [--keep]
    .venv/bin/python benchmarks/survey_ingest.py --smoke     # 500 rows, seconds: run by `make test`

1. Generates an export in Nettskjema's CSV conventions with value *labels* (``;``, every field
   quoted, UTF-8, a free-text and an e-mail column that the mapping does not use), and its
   mapping file (labels -> codes). Not timed.
2. Times, each in a fresh child process (so that peak memory is the child's own maximum RSS):
   - ``ingest``: the pipeline's path -- ``check_export`` (read the mapped columns, map every
     distinct answer, check every row, apply the row policy) then write the canonical records to
     ``raw.survey_responses`` in a new DuckDB file, exactly as ``Warehouse.write_raw`` does;
   - ``duckdb_read_csv``: ``create table t as select * from read_csv(..., all_varchar=true)``
     of the same file in a new DuckDB file (the baseline).
3. Prints both and checks the targets: ingest <= 10 s, peak memory <= 1 GiB, ingest <= 5x baseline.

Exit status 0 when every target is met, 1 otherwise. ``--smoke`` (tiny size, run by
tests/test_benchmarks.py so that the script cannot rot) checks the results but not the timing targets.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0
TARGET_PEAK_BYTES = 1 << 30
TARGET_RATIO = 5.0

SECTORS = ["Sykehus", "Sykehjem", "Hjemmetjenesten", "Barnehage", "Grunnskole", "Videregående skole", "NAV"]
SECTORS += ["Barnevern", "Politiet"]
SECTOR_CODES = ["SYKEHUS", "SYKEHJEM", "HJEMMETJ", "BARNEHAGE", "GRUNNSKOLE", "VGS", "NAV", "BARNEVERN", "POLITI"]
AGREE = ["Helt uenig", "Litt uenig", "Verken enig eller uenig", "Litt enig", "Helt enig", "Vet ikke", ""]
OFTEN = ["Aldri", "Sjelden", "Av og til", "Ofte", "Svært ofte", "Vet ikke", ""]
SEX = ["Kvinne", "Mann", "Vil ikke svare", ""]
HEADER = ["$submission_id", "$created", "arbeidssted", "kjonn", "timer_uke", "timer_dok", "unyttig", "dobbelt"]
HEADER += ["autonomi.skjonn", "autonomi.prioritere", "autonomi.metoder", "kommentar", "epost", "$answer_time_ms"]


def mapping_yaml() -> str:
    def table(labels: list[str]) -> str:
        codes = [1, 2, 3, 4, 5, 8]
        return "{" + ", ".join(f'"{label}": {code}' for label, code in zip(labels, codes, strict=False)) + "}"

    sectors = "{" + ", ".join(f'"{s}": {c}' for s, c in zip(SECTORS, SECTOR_CODES, strict=True)) + "}"
    return f"""\
survey_id: BENCH-1M
year: 2026
format: nettskjema_csv
data_status: demonstration
respondent_id: {{column: "$submission_id"}}
fields:
  sector_code: {{column: arbeidssted, values: {sectors}}}
  sex: {{column: kjonn, values: {{"Kvinne": F, "Mann": M, "Vil ikke svare": null}}}}
  hours_total: {{column: timer_uke, type: number}}
  hours_doc: {{column: timer_dok, type: number}}
  unnecessary: {{column: unyttig, values: {table(AGREE)}}}
  duplicate: {{column: dobbelt, values: {table(OFTEN)}}}
  autonomy_1: {{column: autonomi.skjonn, values: {table(AGREE)}}}
  autonomy_2: {{column: autonomi.prioritere, values: {table(AGREE)}}}
  autonomy_3: {{column: autonomi.metoder, values: {table(AGREE)}}}
"""


def created(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Submission times as Nettskjema writes them, to the second: practically one per row."""
    seconds = np.sort(rng.integers(0, 30 * 86400, rows))
    start = np.datetime64("2026-03-02T06:00:00")
    stamps = np.datetime_as_string(start + seconds.astype("timedelta64[s]"), unit="s")
    return np.char.add(stamps, "+01:00").astype(object)


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """The export: value labels, ';', every field quoted, hours with a decimal comma."""
    rng = np.random.default_rng(seed)

    def pick(options: list[str], p: list[float] | None = None) -> np.ndarray:
        return np.array(options, dtype=object)[rng.choice(len(options), rows, p=p)]

    total = np.round(rng.uniform(15, 60, rows) * 2) / 2
    doc = np.round(total * rng.uniform(0.05, 0.4, rows) * 2) / 2
    likert_p = [0.1, 0.2, 0.3, 0.2, 0.15, 0.03, 0.02]
    columns = [
        (31_000_000 + np.arange(rows)).astype(str).astype(object),
        created(rng, rows),
        pick(SECTORS),
        pick(SEX, [0.6, 0.35, 0.03, 0.02]),
        np.char.replace(total.astype(str), ".", ",").astype(object),
        np.char.replace(doc.astype(str), ".", ",").astype(object),
        *(pick(AGREE if i != 1 else OFTEN, likert_p) for i in range(5)),
        pick(["", "", "", "For mye dobbeltføring; alt må tastes inn på nytt.", 'Skjemaene tar "evig" tid']),
        pick(["", "", "respondent@example.invalid"]),
        rng.integers(60_000, 900_000, rows).astype(str).astype(object),
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(";".join(f'"{h}"' for h in HEADER) + "\n")
        chunk = 100_000
        for start in range(0, rows, chunk):
            parts = [c[start : start + chunk] for c in columns]
            lines = (";".join('"' + v.replace('"', '""') + '"' for v in row) for row in zip(*parts, strict=True))
            handle.write("\n".join(lines) + "\n")


CHILD_INGEST = """
import sys, time, json, resource, duckdb
from pathlib import Path
t0 = time.perf_counter()
from sources.surveys.ingest import check_export
t_import = time.perf_counter()
checked = check_export(Path(sys.argv[1]), Path(sys.argv[2]))
t_mapped = time.perf_counter()
assert checked.report.accepted, checked.report.to_text()
frame = checked.records
with duckdb.connect(sys.argv[3]) as con:
    con.execute("create schema if not exists raw")
    con.register("incoming", frame)
    con.execute('create or replace table raw."survey_responses" as select * from incoming')
    n = con.execute('select count(*) from raw."survey_responses"').fetchone()[0]
t_end = time.perf_counter()
print(json.dumps({"seconds": t_end - t_import, "map_seconds": t_mapped - t_import, "write_seconds": t_end - t_mapped,
                  "import_seconds": t_import - t0, "rows": n, "rows_rejected": checked.report.rows_rejected,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

CHILD_DUCKDB = """
import sys, time, json, resource, duckdb
t0 = time.perf_counter()
with duckdb.connect(sys.argv[1]) as con:
    con.execute("create table t as select * from read_csv(?, delim=';', quote='\\"', header=true, all_varchar=true)",
                [sys.argv[2]])
    n = con.execute("select count(*) from t").fetchone()[0]
t1 = time.perf_counter()
print(json.dumps({"seconds": t1 - t0, "rows": n, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def child(code: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--smoke", action="store_true", help="500 rows; the timing targets are not checked")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows = 500
    work = args.workdir or Path(tempfile.mkdtemp(prefix="rbi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    export, mapping = work / "export.csv", work / "mapping.yml"
    t = time.perf_counter()
    generate(export, args.rows)
    mapping.write_text(mapping_yaml(), encoding="utf-8")
    size = export.stat().st_size / 1e6
    print(f"generated {args.rows:,} rows, {size:.0f} MB in {time.perf_counter() - t:.1f} s: {export}")
    for name in ("baseline.duckdb", "ingest.duckdb"):  # a kept workdir: start from new files
        (work / name).unlink(missing_ok=True)
    baseline = child(CHILD_DUCKDB, str(work / "baseline.duckdb"), str(export))
    ingest = child(CHILD_INGEST, str(export), str(mapping), str(work / "ingest.duckdb"))
    ratio = ingest["seconds"] / baseline["seconds"]
    peak = ingest["maxrss_kb"] * 1024
    print(
        f"duckdb read_csv (baseline): {baseline['seconds']:.2f} s, "
        f"peak RSS {baseline['maxrss_kb'] / 1024:.0f} MiB, {baseline['rows']:,} rows"
    )
    print(
        f"ingest end to end:          {ingest['seconds']:.2f} s (read+map+check {ingest['map_seconds']:.2f} s, "
        f"write {ingest['write_seconds']:.2f} s), peak RSS {peak / 2**20:.0f} MiB, {ingest['rows']:,} rows "
        f"(+{ingest['import_seconds']:.2f} s to import the modules)"
    )
    print(f"ratio ingest / baseline:    {ratio:.1f}x")
    timing = {
        f"time <= {TARGET_SECONDS:g} s": ingest["seconds"] <= TARGET_SECONDS,
        "peak memory <= 1 GiB": peak <= TARGET_PEAK_BYTES,
        f"ratio <= {TARGET_RATIO:g}x": ratio <= TARGET_RATIO,
    }
    results = {"all rows ingested": ingest["rows"] == args.rows == baseline["rows"]}
    checks = results if args.smoke else timing | results
    for name, ok in (timing | results).items():
        verdict = ("ok  " if ok else "FAIL") if name in checks else "(smoke: not checked)"
        print(f"  {verdict} {name}")
    if not args.keep and args.workdir is None:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
