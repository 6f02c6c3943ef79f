"""Full re-score of the national synthetic register from memory, against DuckDB SQL
and pandas doing the same rules on the same data, and the cost curve (issue #7).

    python bench/bench_scoring.py [--repeat 7] [--curve 10000,100000,1000000] [--threads 2]

The first run generates the `national` scale (1,000,000 people, ~21.5 million offence
and intelligence rows, ~90 s) and caches it as Parquet under bench/.cache/; later runs
start in seconds. Every run prints its figures and writes them, with the machine (cores,
memory, CPU, versions) and the CPU share used meanwhile by other processes (`other`),
to bench/results/scoring-<time>.json. It exits non-zero if the engine, DuckDB and
pandas do not give identical results (exact integer units, eligibility, custody).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import perf_common as pc
import polars as pl
import scoring_baselines as base

from gvm.domain.batch import score_batch
from gvm.domain.rescore import score_tables
from gvm.domain.scoring_tables import ScoringTables, prepare_tables
from gvm.reference import default_policy, offence_catalogue

POLICY = default_policy()
CATALOGUE = offence_catalogue()
TABLES = ("suspects", "victims", "weapon", "violence", "at_risk", "membership", "custody")


def encoded_mb(tables: ScoringTables) -> float:
    """Memory the encoded tables hold (arrays, starts and the person ids)."""
    total = tables.person_ids.estimated_size()
    for name in TABLES:
        table = getattr(tables, name)
        total += table.starts.nbytes + table.empty.nbytes
        total += sum(column.nbytes for column in table.columns.values())
    return total / 2**20


def floor(tables: ScoringTables) -> float:
    """One pass over every column the engine reads (the least any scorer must do)."""
    for name in TABLES:
        for column in getattr(tables, name).columns.values():
            np.max(column)
    return 0.0


def measure(label: str, fn: Any, repeat: int) -> tuple[dict[str, Any], Any]:
    with pc.Load() as load, pc.PeakMemory() as memory:
        times, cpu, out = pc.timed(fn, repeat)
    figures = {"median_s": pc.median(times), "min_s": min(times), "runs_s": times,
               "cpu_median_s": pc.median(cpu),
               "extra_memory_mb": memory.extra_mb, "peak_rss_mb": memory.peak_mb,
               "other_cpu": load.other}
    print(f"  {label:<40} median {figures['median_s']:7.3f} s  min {min(times):7.3f} s  "
          f"cpu {figures['cpu_median_s']:7.3f} s  "
          f"+{memory.extra_mb:6.0f} MB (peak {memory.peak_mb:5.0f} MB)  "
          f"other {load.other:4.0%}", flush=True)
    return figures, out


def subset(tables: dict[str, pl.DataFrame], n: int) -> dict[str, pl.DataFrame]:
    """The first n people (by person_id) and their records."""
    people = tables["people"].sort("person_id").head(n)
    return {"people": people, **{
        name: tables[name].join(people, on="person_id", how="semi")
        for name in ("offences", "intelligence", "custody")}}


def curve(tables: dict[str, pl.DataFrame], sizes: list[int], repeat: int) -> list[dict]:
    print("cost curve: full re-score from prepared tables", flush=True)
    points = []
    for n in sizes:
        part = subset(tables, n) if n < tables["people"].height else tables
        rows = sum(part[t].height for t in ("offences", "intelligence", "custody"))
        prepared, out = measure(f"prepare {n:,} people ({rows:,} rows)",
                                lambda part=part: prepare_tables(*part.values()), 1)
        scored, _ = measure(f"score {n:,} people",
                            lambda out=out: score_tables(out, pc.AS_OF, POLICY, CATALOGUE),
                            repeat)
        points.append({"people": n, "rows": rows, "prepare": prepared, "score": scored,
                       "encoded_tables_mb": encoded_mb(out)})
        del out
    return points


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--baseline-repeat", type=int, default=3)
    ap.add_argument("--curve", default="10000,100000,1000000")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    args = ap.parse_args()
    result: dict[str, Any] = {"as_of": pc.AS_OF, "policy": POLICY.label,
                              "machine": pc.machine(("polars", "numpy", "duckdb", "pandas",
                                                     "pyarrow"))}

    print("national scale, as of", pc.AS_OF, flush=True)
    loaded, tables = measure("load Parquet into memory", pc.load_tables, 1)
    counts = {name: frame.height for name, frame in tables.items()}
    result["rows"] = counts
    print("  " + ", ".join(f"{n:,} {name}" for name, n in counts.items()), flush=True)

    figures: dict[str, Any] = {"load_parquet": loaded}
    figures["prepare_tables"], prepared = measure(
        "prepare_tables (once per data)", lambda: prepare_tables(*tables.values()), 1)
    figures["encoded_tables_mb"] = encoded_mb(prepared)
    print(f"  encoded tables hold {figures['encoded_tables_mb']:,.0f} MB", flush=True)
    figures["floor"], _ = measure("floor: one pass over the columns read",
                                  lambda: floor(prepared), args.repeat)
    figures["score_tables"], scores = measure(
        "score_tables (re-score, prepared)",
        lambda: score_tables(prepared, pc.AS_OF, POLICY, CATALOGUE), args.repeat)
    figures["score_batch"], _ = measure(
        "score_batch (prepare + score, one-shot)",
        lambda: score_batch(*tables.values(), pc.AS_OF, POLICY, CATALOGUE),
        args.baseline_repeat)

    rules = base.Rules.of(pc.AS_OF, POLICY, CATALOGUE)
    con = base.duckdb_connection(tables, args.threads)
    figures["duckdb"], by_duckdb = measure(
        f"DuckDB SQL ({args.threads} threads, own tables)",
        lambda: base.score_duckdb(con, rules), args.baseline_repeat)
    con.close()
    in_pandas = {name: frame.to_pandas() for name, frame in tables.items()}
    figures["pandas"], by_pandas = measure(
        "pandas", lambda: base.score_pandas(in_pandas, rules), args.baseline_repeat)
    in_pandas.clear()

    ours = scores.select(base.COMPARED)
    same_duckdb = ours.equals(by_duckdb.select(base.COMPARED).cast(ours.schema))
    same_pandas = ours.equals(pl.from_pandas(by_pandas).select(base.COMPARED)
                              .cast(ours.schema))
    engine = figures["score_tables"]["median_s"]
    ratios = {"duckdb_over_engine": figures["duckdb"]["median_s"] / engine,
              "pandas_over_engine": figures["pandas"]["median_s"] / engine,
              "engine_over_floor": engine / figures["floor"]["median_s"]}
    result.update(figures=figures, ratios=ratios, identical={
        "duckdb": same_duckdb, "pandas": same_pandas})
    print(f"identical results: DuckDB {same_duckdb}, pandas {same_pandas}")
    print(f"ratios: DuckDB / engine {ratios['duckdb_over_engine']:.1f}x, "
          f"pandas / engine {ratios['pandas_over_engine']:.1f}x, "
          f"engine / floor {ratios['engine_over_floor']:.1f}x")

    sizes = [int(s) for s in args.curve.split(",") if s]
    result["curve"] = curve(tables, sizes, args.repeat)
    print("results written to", pc.write_result("scoring", result))
    return 0 if same_duckdb and same_pandas else 1


if __name__ == "__main__":
    sys.exit(main())
