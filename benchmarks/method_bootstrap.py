"""Benchmark of method 1.2: weights (pooled) -> components -> stratified bootstrap -> intervals
(percentile and Korn-Graubard) and precision rules -> index replicates -> rank percentiles, on N
generated respondents, against a plain NumPy/pandas baseline of the same arithmetic, in the same run.

    .venv/bin/python benchmarks/method_bootstrap.py --respondents 100000 [--replicates 1000]
    .venv/bin/python benchmarks/method_bootstrap.py --smoke      # 2,000 respondents, B = 20: run by `make test`

What is timed (wall time, and CPU time = user + system, all threads: the machine is shared)
  pipeline   the real dbt models (`dbt run` of int_population_sector_year ... int_index_sector_year,
             after an untimed `dbt seed`) on a temporary DuckDB warehouse whose staging tables hold
             the generated respondents, population and obligations: wall and CPU time of the dbt
             process (includes ~4-5 s of dbt start-up, independent of N), its peak RSS, and the
             execution time of each model from dbt's run_results.json (their sum is the method's time)
  core       the NumPy bootstrap of the Python model int_component_replicates in this process
             (bootstrap_cells on the canonical frame int_respondent_weights): wall and CPU time, and
             the tracemalloc peak of a second, untimed call
  baseline   a straightforward pandas/NumPy implementation of the same method (weights by groupby,
             point estimates, bootstrap with one fancy-index gather per replicate and stratum, index
             replicates, ranks, percentiles): wall and CPU time; its point estimates are printed
             beside the pipeline's (they agree to the last digit: an independent check of the SQL)

Nothing here is a test: figures go to benchmarks/README.md.
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
SECTORS = ("SYKEHUS", "SYKEHJEM", "HJEMMETJ", "BARNEHAGE", "GRUNNSKOLE", "VGS", "NAV", "BARNEVERN", "POLITI")
SHARES = np.array([0.22, 0.14, 0.12, 0.11, 0.13, 0.07, 0.08, 0.06, 0.07])
YEAR = 2025
MODELS = [
    "int_population_sector_year",
    "int_respondent_weights",
    "int_survey_components",
    "int_register_components",
    "int_component_replicates",
    "int_component_intervals",
    "int_component_uncertainty",
    "int_components_scored",
    "int_revision_atoms",
    "int_components_revised",
    "int_component_replicates_revised",
    "int_weight_perturbations",
    "int_index_draws",
    "int_index_scenarios",
    "int_index_sector_year",
]
WEIGHTS = np.array([0.30, 0.20, 0.15, 0.15, 0.20])
GOALPOSTS = np.array([[0, 50], [0, 100], [0, 100], [0, 100], [0, 200]], dtype=float)


def load_model(name: str) -> ModuleType:
    path = DBT_DIR / "models" / "intermediate" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- generator ------------------------------------------------------------------------------------
def generate(n: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """N canonical survey records (staging.stg_surveys__respondents) of one survey, 9 sectors,
    with a population table by sex (so the weights post-stratify) and one obligation per sector."""
    rng = np.random.default_rng(seed)
    sector = rng.choice(len(SECTORS), size=n, p=SHARES / SHARES.sum())
    sex = rng.choice(np.array(["F", "M", None], dtype=object), size=n, p=[0.6, 0.35, 0.05])
    total = rng.integers(20, 50, size=n).astype(float)
    doc = np.floor(total * rng.beta(2 + sector % 3, 6, size=n))
    total[rng.random(n) < 0.02] = np.nan

    def item(p_dk: float) -> np.ndarray:
        answer = rng.integers(1, 6, size=n).astype(float)
        answer[rng.random(n) < p_dk] = 8
        answer[rng.random(n) < 0.02] = np.nan
        return answer

    respondents = pd.DataFrame(
        {
            "survey_id": "BENCH-2025",
            "respondent_id": np.char.add("r", np.arange(n).astype(str)).astype(object),
            "year": np.int32(YEAR),
            "sector_code": np.array(SECTORS, dtype=object)[sector],
            "sex": sex,
            "hours_total": total,
            "hours_doc": np.where(np.isnan(total), np.nan, doc),
            "unnecessary": item(0.03),
            "duplicate": item(0.03),
            "autonomy_1": item(0.02),
            "autonomy_2": item(0.02),
            "autonomy_3": item(0.02),
            "design_weight": np.nan,
            "data_status": "demonstration",
            "source_id": "BENCH-2025",
        }
    )
    population = pd.DataFrame(
        [
            (YEAR, s, sx, float(employees), float(employees) * 0.8, "demonstration", "bench_population")
            for i, s in enumerate(SECTORS)
            for sx, employees in ((None, 100000 * SHARES[i]), ("F", 61000 * SHARES[i]), ("M", 39000 * SHARES[i]))
        ],
        columns=["year", "sector_code", "sex", "employees", "fte", "data_status", "source_id"],
    )
    obligations = pd.DataFrame(
        [
            (
                f"O-{s}",
                YEAR,
                s,
                "t",
                "l",
                "r",
                30.0 + 5 * i,
                12.0,
                1000.0 * SHARES[i] * 40,
                None,
                "demonstration",
                "obl",
            )
            for i, s in enumerate(SECTORS)
        ],
        columns=[
            "obligation_id",
            "year",
            "sector_code",
            "title",
            "legal_basis",
            "recipient",
            "minutes_per_report",
            "reports_per_year_per_unit",
            "units",
            "source_url",
            "data_status",
            "source_id",
        ],
    )
    return {"respondents": respondents, "population": population, "obligations": obligations}


# --- the pipeline: dbt ----------------------------------------------------------------------------
def run_pipeline(data: dict[str, pd.DataFrame], replicates: int, workdir: Path) -> dict:
    warehouse = workdir / "bench.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging")
        for table, frame in (
            ("stg_surveys__respondents", data["respondents"]),
            ("stg_registers__population", data["population"]),
            ("stg_registers__obligations", data["obligations"]),
        ):
            con.register("incoming", frame)
            casts = ""
            if table == "stg_surveys__respondents":
                casts = (
                    " replace (cast(unnecessary as integer) as unnecessary, cast(duplicate as integer) as duplicate,"
                    " cast(autonomy_1 as integer) as autonomy_1, cast(autonomy_2 as integer) as autonomy_2,"
                    " cast(autonomy_3 as integer) as autonomy_3)"
                )
            con.execute(f"create table staging.{table} as select *{casts} from incoming")
            con.unregister("incoming")
        # no earlier release (spec section 5b): an empty revision store
        con.execute(
            "create table staging.stg_revisions__cells (year integer, sector_code varchar, component_id varchar, "
            "raw_value double, raw_ci_low double, raw_ci_high double, se double, n bigint, n_eff double, cv double, "
            "dk_share double, normalised double, flags varchar, source_ids varchar, release_id varchar, "
            "footprint_complete boolean)"
        )
        con.execute(
            "create table staging.stg_revisions__footprints (year integer, sector_code varchar, component_id varchar, "
            "survey_id varchar, respondent_id varchar, element_digest varchar, versions integer[])"
        )
        con.execute(
            "create table staging.stg_surveys__footprints (year integer, sector_code varchar, component_id varchar, "
            "survey_id varchar, respondent_id varchar, element_digest varchar)"
        )
        con.execute(
            "create table staging.stg_revisions__replicates (year integer, sector_code varchar, "
            "component_id varchar, replicate integer, raw_value double)"
        )
    target = workdir / "target"
    env = {
        **os.environ,
        "RBI_WAREHOUSE_PATH": str(warehouse),
        "RBI_BOOTSTRAP_REPLICATES": str(replicates),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    options = ["--profiles-dir", ".", "--target-path", str(target), "--log-path", str(target / "logs")]
    # the method seeds first (not timed), then the models of the method (timed, without data tests)
    for command, timed_step in (
        ([str(DBT), "seed", *options], False),
        ([str(DBT), "run", *options, "--select", *MODELS], True),
    ):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=DBT_DIR, env=env, capture_output=True, text=True, check=False)
        if timed_step:
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command[:2])} failed:\n{result.stdout[-4000:]}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results = json.loads((target / "run_results.json").read_text())
    models = {
        r["unique_id"].split(".")[-1]: r["execution_time"]
        for r in results["results"]
        if r["unique_id"].startswith("model.")
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        index = con.execute(
            "select sector_code, index, index_ci_low, index_ci_high, rank, rank_p05, rank_p95 "
            "from intermediate.int_index_sector_year order by rank"
        ).fetchall()
        # the canonical weighted frame the Python model reads, for timing the core in this process
        frame = con.execute(
            "select survey_id, respondent_id, year, sector_code, weight, "
            "cast(hours_total as double) as hours_total, cast(hours_doc as double) as hours_doc, "
            "cast(unnecessary as double) as unnecessary, cast(duplicate as double) as duplicate, "
            "cast(autonomy_1 as double) as autonomy_1, cast(autonomy_2 as double) as autonomy_2, "
            "cast(autonomy_3 as double) as autonomy_3 from intermediate.int_respondent_weights"
        ).df()
    return {"wall": wall, "cpu": cpu, "peak_rss_mib": peak_kib / 1024, "models": models, "index": index, "frame": frame}


# --- baseline: plain pandas / NumPy ---------------------------------------------------------------
def baseline(data: dict[str, pd.DataFrame], replicates: int, seed: int) -> list[tuple]:
    """The same method written the obvious way (weights, point estimates, bootstrap by gathering
    the drawn rows of each replicate, index replicates, ranks, percentiles)."""
    frame = data["respondents"].copy()
    population = data["population"]
    # weights: N(s, sex) / n(s, sex); NULL sex gets (N_F + N_M) / (n_F + n_M)
    n_sex = frame.groupby(["sector_code", "sex"]).size()
    pop = population.set_index(["sector_code", "sex"])["employees"]
    known = frame["sex"].notna()
    frame["weight"] = np.nan
    keys = list(zip(frame.loc[known, "sector_code"], frame.loc[known, "sex"], strict=True))
    frame.loc[known, "weight"] = [pop[k] / n_sex[k] for k in keys]
    for s in SECTORS:
        mask = (frame["sector_code"] == s) & ~known
        frame.loc[mask, "weight"] = (pop[(s, "F")] + pop[(s, "M")]) / (n_sex[(s, "F")] + n_sex[(s, "M")])
    fte = population[population["sex"].isna()].set_index("sector_code")["fte"]
    obligations = data["obligations"]
    c5 = (
        obligations.assign(
            h=obligations.minutes_per_report * obligations.reports_per_year_per_unit * obligations.units / 60
        )
        .groupby("sector_code")["h"]
        .sum()
        / fte
    )
    rng = np.random.default_rng(seed)
    point_scores, replicate_scores = {}, {}
    for s in SECTORS:
        g = frame[frame["sector_code"] == s]
        w = g["weight"].to_numpy()
        cols = []
        v1 = g["hours_total"].notna() & g["hours_doc"].notna()
        cols += [np.where(v1, w * g["hours_doc"].fillna(0), 0), np.where(v1, w * g["hours_total"].fillna(0), 0)]
        for c in ("unnecessary", "duplicate"):
            v = g[c].between(1, 5)
            cols += [np.where(v & (g[c] >= 4), w, 0), np.where(v, w, 0)]
        items = g[["autonomy_1", "autonomy_2", "autonomy_3"]].where(lambda x: (x >= 1) & (x <= 5))
        v4 = items.notna().sum(axis=1) >= 2
        p = 100 * (items.mean(axis=1) - 1) / 4
        cols += [np.where(v4, w * p.fillna(0), 0), np.where(v4, w, 0)]
        terms = np.column_stack(cols).astype(float)
        n = len(terms)
        sums = np.empty((replicates, 8))
        draws, factor = max(n - 1, 1), (n / (n - 1) if n > 1 else 1.0)  # Rao-Wu (method 1.2): n - 1 draws
        for b in range(replicates):
            sums[b] = terms[rng.integers(0, n, draws)].sum(axis=0) * factor
        point = terms.sum(axis=0)
        for label, t in (("point", point[None, :]), ("reps", sums)):
            ratio = t[:, 0::2] / t[:, 1::2]
            values = np.column_stack([100 * ratio[:, :3], 100 - ratio[:, 3], np.full(len(t), c5[s])])
            scores = 100 * np.clip((values - GOALPOSTS[:, 0]) / (GOALPOSTS[:, 1] - GOALPOSTS[:, 0]), 0, 1)
            (point_scores if label == "point" else replicate_scores)[s] = scores
    point_index = pd.Series({s: float(point_scores[s][0] @ WEIGHTS / WEIGHTS.sum()) for s in SECTORS})
    rep_index = pd.DataFrame({s: replicate_scores[s] @ WEIGHTS / WEIGHTS.sum() for s in SECTORS})
    rep_rank = rep_index.rank(axis=1, method="min", ascending=False)
    point_rank = point_index.rank(method="min", ascending=False)
    out = []
    for s in SECTORS:
        lo, hi = np.quantile(rep_index[s], [0.025, 0.975])
        r05, r95 = np.quantile(rep_rank[s], [0.05, 0.95], method="inverted_cdf")
        out.append((s, point_index[s], lo, hi, int(point_rank[s]), int(r05), int(r95)))
    return sorted(out, key=lambda r: r[4])


def timed(function, *args) -> tuple[object, float, float]:
    """(value, wall seconds, CPU seconds of this process: user + system of all its threads)."""
    cpu, start = time.process_time(), time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - start, time.process_time() - cpu


def traced_peak_mib(function, *args) -> float:
    """Peak of NumPy/Python allocations during a second call (tracemalloc slows the call down, so
    it is not timed)."""
    tracemalloc.start()
    function(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--skip-baseline", action="store_true", help="time only the pipeline and the core")
    parser.add_argument("--smoke", action="store_true", help="2,000 respondents, B = 20: seconds (run by `make test`)")
    args = parser.parse_args()
    if args.smoke:
        args.respondents, args.replicates = 2_000, 20

    print(f"respondents {args.respondents:,}, B = {args.replicates}, {os.cpu_count()} CPUs")
    print("load average at start  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    start = time.perf_counter()
    data = generate(args.respondents)
    print(f"generate                 {time.perf_counter() - start:7.2f} s")

    with tempfile.TemporaryDirectory(prefix="rbi-bench-") as tmp:
        pipeline = run_pipeline(data, args.replicates, Path(tmp))
    method_models = sum(pipeline["models"].values())
    print(
        f"pipeline (dbt run)       {pipeline['wall']:7.2f} s wall, {pipeline['cpu']:7.2f} s CPU, "
        f"peak RSS {pipeline['peak_rss_mib']:7.0f} MiB"
    )
    print(f"  models (sum)           {method_models:7.2f} s")
    for name, seconds in pipeline["models"].items():
        print(f"    {name:<28} {seconds:6.2f} s")

    replicates_model = load_model("int_component_replicates")
    frame = pipeline.pop("frame")
    _, core_wall, core_cpu = timed(replicates_model.bootstrap_cells, frame, args.replicates, args.seed)
    core_peak = traced_peak_mib(replicates_model.bootstrap_cells, frame, args.replicates, args.seed)
    print(
        f"core (bootstrap_cells)   {core_wall:7.2f} s wall, {core_cpu:7.2f} s CPU, "
        f"tracemalloc peak {core_peak:7.0f} MiB (2nd call)"
    )

    print("load average at end    {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if not args.skip_baseline:
        base, base_wall, base_cpu = timed(baseline, data, args.replicates, args.seed)
        print(f"baseline (plain NumPy)   {base_wall:7.2f} s wall, {base_cpu:7.2f} s CPU")
        print(f"ratio baseline / pipeline wall   {base_wall / pipeline['wall']:5.1f}x")
        print(f"ratio baseline / pipeline models {base_wall / method_models:5.1f}x")
        print(f"ratio baseline / core            {base_wall / core_wall:5.1f}x")
        print(f"ratio baseline / pipeline CPU    {base_cpu / pipeline['cpu']:5.1f}x")
        print("point index (pipeline vs baseline):")
        pipe = {row[0]: row for row in pipeline["index"]}
        for row in base:
            p = pipe[row[0]]
            print(
                f"  {row[0]:<11} {p[1]:7.3f} [{p[2]:6.2f}, {p[3]:6.2f}] rank {p[4]} ({p[5]}-{p[6]})"
                f"   baseline {row[1]:7.3f} [{row[2]:6.2f}, {row[3]:6.2f}] rank {row[4]} ({row[5]}-{row[6]})"
            )


if __name__ == "__main__":
    main()
