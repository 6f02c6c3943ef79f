"""The name search's ways on SQLite, in the same run: the vocabulary of names (migration
0010, what gvm does for a one-word name), the people trigram index of 0008 and the scan,
over searches drawn like the service benchmark's (the first three letters of a random
person's surname, so common names come up as often as they are common).

    python bench/bench_search.py [--scale london|national] [--searches 500]

london builds the synthetic London into a fresh SQLite file (bench_service.build_register);
national copies the register bench_service.py --scale national keeps. Times the search
statement exactly as gvm.storage.queries builds and prepares it (a page of 50 with each
hit's current bands), each way, in one read-only unit of work; checks that every way
returns the same page; prints mean, p50, p95 and max per search. The trigram index hands
every candidate over to be sorted, so with a common name it is measured only up to
queries.MAX_CANDIDATES candidates (gvm scans above that, as the scan column shows). JSON in
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

from gvm.storage import Database, queries

WAYS = {"vocabulary": queries.VOCABULARY_TRIGRAMS, "people trigrams": queries.PEOPLE_TRIGRAMS,
        "scan": queries.SCAN}


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {"mean_ms": round(sum(ms) / len(ms), 3), "p50_ms": round(ms[len(ms) // 2], 3),
            "p95_ms": round(ms[int(len(ms) * 0.95)], 3), "max_ms": round(ms[-1], 3)}


def search(conn: Any, finder: str, prefix: str) -> tuple[float, list[Any]]:
    params = {"limit": 50, "person_id": None, "date_of_birth": None,
              "name": queries._pattern(prefix), "alias": None,
              "trigrams": queries._trigram_query(prefix)}
    statement = queries._search_statement((None, False, False, (True, True), None, True,
                                           finder))
    t = time.perf_counter()
    rows = statement.rows(conn, params)
    return time.perf_counter() - t, rows


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
        with closing(sqlite3.connect(path)) as raw:
            surnames = [r[0] for r in raw.execute("SELECT surname FROM people")]
        rng = random.Random(1)
        sample = [rng.choice(surnames)[:3] for _ in range(args.searches)]
        way: dict[str, list[float]] = {name: [] for name in WAYS}
        database = Database(f"sqlite:///{path}")
        try:
            with database.unit_of_work(read_only=True) as uow:
                for prefix in sample:
                    if queries._trigram_query(prefix) is None:
                        continue  # too short or not ASCII for a trigram: not compared
                    found = {}
                    for name, finder in WAYS.items():
                        count = None
                        if finder == queries.PEOPLE_TRIGRAMS:
                            count = uow.connection.exec_driver_sql(
                                "SELECT count(*) FROM (SELECT 1 FROM people_names WHERE "
                                "people_names MATCH ? LIMIT ?)",
                                (queries._trigram_query(prefix), queries.MAX_CANDIDATES + 1)
                            ).scalar()
                            if count > queries.MAX_CANDIDATES:
                                continue
                        seconds, found[name] = search(uow.connection, finder, prefix)
                        way[name].append(seconds)
                    if len({tuple(map(tuple, rows)) for rows in found.values()}) != 1:
                        print(f"different pages for {prefix!r}")
                        return 1
        finally:
            database.dispose()
    result = {"scale": args.scale, "people": len(surnames), "searches": len(sample),
              "compared": len(way["scan"]), "max_candidates": queries.MAX_CANDIDATES,
              **{name: summary(v) for name, v in way.items() if v},
              "machine": perf_common.machine(("polars",))}
    print(f"{len(surnames):,} people, {len(sample)} searches, {result['compared']} compared "
          f"(every way the same page); people trigrams only up to "
          f"{queries.MAX_CANDIDATES} candidates ({len(way['people trigrams'])} searches)")
    for name in WAYS:
        if name in result:
            print(f"{name:<16}" + "  ".join(f"{k} {v}" for k, v in result[name].items()))
    print(f"written: {perf_common.write_result(f'search-{args.scale}', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
