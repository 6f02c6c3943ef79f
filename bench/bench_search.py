"""The name search's two ways on SQLite, in the same run: the trigram index of migration
0008 against the scan it replaced, over searches drawn like the service benchmark's
(the first three letters of a random person's surname, so common names come up as often
as they are common).

    python bench/bench_search.py [--scale london|national] [--searches 500]

london builds the synthetic London into a fresh SQLite file (bench_service.build_register);
national copies the register bench_service.py --scale national keeps. Times the search
statement exactly as gvm.storage.queries builds it, run straight on sqlite3, both ways:
with the index (the candidate count, then the search through the index) and the scan (the
same statement without the index), checks they return the same people, and prints the
mean, p50, p95 and max per search and how many candidates the index had. JSON in
bench/results/search-<scale>-<time>.json.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_register
import perf_common
from bench_service import CACHE, build_register
from sqlalchemy.dialects import sqlite

from gvm.storage import queries


def statement(indexed: bool) -> str:
    shape = (None, False, False, (True, True), None, True, indexed)
    return str(queries._search_statement(shape).statement.compile(dialect=sqlite.dialect()))


COUNT = ("SELECT count(*) FROM (SELECT 1 FROM people_names WHERE people_names MATCH ? "
         "LIMIT ?)")


def timed(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> tuple[float, list]:
    t = time.perf_counter()
    rows = conn.execute(sql, params).fetchall()
    return time.perf_counter() - t, rows


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {"mean_ms": round(sum(ms) / len(ms), 3), "p50_ms": round(ms[len(ms) // 2], 3),
            "p95_ms": round(ms[int(len(ms) * 0.95)], 3), "max_ms": round(ms[-1], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["london", "national"], default="london")
    parser.add_argument("--searches", type=int, default=500)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="search-") as tmp:
        path = Path(tmp) / "register.db"
        if args.scale == "london":
            build_register(f"sqlite:///{path}")
        else:
            national_register.sqlite_register(CACHE, path)
        with closing(sqlite3.connect(path)) as conn:
            surnames = [r[0] for r in conn.execute("SELECT surname FROM people")]
            rng = random.Random(1)
            sample = [rng.choice(surnames)[:3] for _ in range(args.searches)]
            scan_sql, index_sql = statement(False), statement(True)
            cap = queries.MAX_CANDIDATES + 1
            way: dict[str, list[float]] = {"index": [], "scan": [], "gvm": []}
            candidates = []
            for prefix in sample:
                trigrams = queries._trigram_query(prefix)
                pattern = queries._pattern(prefix)
                if trigrams is None:  # too short or not ASCII: gvm scans
                    scan_s, _ = timed(conn, scan_sql, (pattern, pattern, 50, 0))
                    way["gvm"].append(scan_s)
                    continue
                count_s, count = timed(conn, COUNT, (trigrams, cap))
                index_s, by_index = timed(conn, index_sql, (trigrams, pattern, pattern, 50, 0))
                scan_s, by_scan = timed(conn, scan_sql, (pattern, pattern, 50, 0))
                if by_index != by_scan:
                    print(f"different results for search #{len(candidates)}")
                    return 1
                candidates.append(count[0][0])
                way["index"].append(count_s + index_s)
                way["scan"].append(scan_s)
                # what gvm does: the count, then the index or (over the cap) the scan
                way["gvm"].append(count_s + (index_s if count[0][0] < cap else scan_s))
    result = {"scale": args.scale, "people": len(surnames), "searches": len(sample),
              "not_looked_up": len(sample) - len(candidates),
              "max_candidates": queries.MAX_CANDIDATES,
              "over_the_cap": sum(c >= cap for c in candidates),
              **{name: summary(v) for name, v in way.items()},
              "machine": perf_common.machine(("polars",))}
    print(f"{len(surnames):,} people, {len(sample)} searches; "
          f"{result['not_looked_up']} too short or not ASCII for the index (scanned), "
          f"{result['over_the_cap']} with more than {queries.MAX_CANDIDATES} candidates")
    for name in way:
        print(f"{name:<6}" + "  ".join(f"{k} {v}" for k, v in result[name].items()))
    print(f"written: {perf_common.write_result(f'search-{args.scale}', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
