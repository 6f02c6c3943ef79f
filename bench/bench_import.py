"""Import throughput at national scale: `import_bundle` (full validation, one
transaction) into a fresh SQLite file and a fresh PostgreSQL schema, against a raw
baseline measured in the same run on the same rows and the same schema.

    python bench/bench_import.py [--people 10000,50000] [--backend both]

`--people N,M,...` imports the first N people of the national bundle (person_id order)
with their records (all gangs and gang relations), one size after the other; 1000000 is
the whole national bundle (about 23M rows: several minutes per backend). Subsets are cut
once with Polars and cached in bench/.cache/. Per size and backend it prints rows per
second per table and overall, the peak resident memory of the import (sampled every
millisecond, this process and its children: the import reads in a process of its own),
its CPU time and its reading process's, and the raw baseline: SQLite `executemany` of
the same rows, parsed into tuples beforehand (200,000 at a time, untimed), into the same
schema in one transaction; PostgreSQL `COPY` of the same tuples into the same tables;
only the writes are timed. The ratio is import rows/s over raw rows/s. Results go to
bench/results/import-<time>.json.

PostgreSQL: GVM_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
scratch schemas are created and dropped.
"""

from __future__ import annotations

import argparse
import csv
import gc
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl
from perf_common import (
    CACHE,
    Load,
    PeakMemory,
    bundle,
    machine,
    scratch_database,
    write_result,
)

from gvm.services.importing import import_bundle
from gvm.storage import Database

# Write order (foreign keys: people and gangs first), with each table's columns as stored.
TABLES = ("people", "gangs", "aliases", "offences", "intelligence", "custody",
          "gang_relations")
_BY_PERSON = ("people", "aliases", "offences", "intelligence", "custody")


def subset(n_people: int) -> Path:
    """The first `n_people` of the national bundle with their records (cached)."""
    full = bundle("national")
    if n_people >= 1_000_000:
        return full
    folder = CACHE / f"national-seed1-csv-{n_people}"
    done = folder / ".complete"
    if done.exists():
        return folder
    print(f"cutting the first {n_people:,} people into {folder} (once) ...", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    limit = f"P{n_people + 1:07d}"
    for name in TABLES:
        source = full / f"{name}.csv"
        frame = pl.scan_csv(source, infer_schema=False)
        if name in _BY_PERSON:
            frame = frame.filter(pl.col("person_id") < limit)
        frame.sink_csv(folder / f"{name}.csv")
    done.write_text("ok")
    return folder


RAW_BATCH = 200_000  # rows parsed (untimed) before each timed write of the raw load


def raw_batches(folder: Path, name: str, now: datetime) -> Iterator[list[tuple[Any, ...]]]:
    """One table as tuples in stored column order, typed as the importer stores them,
    RAW_BATCH rows at a time (the raw baseline's input: parsing is not part of what it
    times, and a national table never sits in memory whole)."""
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        while batch := list(islice(reader, RAW_BATCH)):
            yield [_stored(name, dict(zip(header, r, strict=True)), now) for r in batch]


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _stored(name: str, r: dict[str, str], now: datetime) -> tuple[Any, ...]:
    if name == "people":
        return (r["person_id"], r["surname"], r["forenames"], _day(r["date_of_birth"]),
                r["sex"], r["ethnicity"] or None, r["borough_code"], now, now)
    if name == "gangs":
        return (r["gang_id"], r["name"], r["borough_code"])
    if name == "aliases":
        return (r["person_id"], r["surname"], r["forenames"])
    if name == "offences":
        return (r["event_id"], r["person_id"], r["role"], _day(r["date"]),
                r["ho_offence_code"], r["outcome"] or None)
    if name == "intelligence":
        return (r["intel_id"], r["person_id"], r["gang_id"] or None, _day(r["date"]),
                r["category"], r["source_id"], r["source_type"], r["source_grade"],
                r["intel_grade"], r["handling_code"], r["summary"])
    if name == "custody":
        return (r["person_id"], _day(r["start_date"]), _day(r["end_date"]))
    a, b = sorted((r["gang_a"], r["gang_b"]))
    return (a, b, r["relation"], _day(r["date"]), r["source"])


_COLUMNS = {
    "people": ("person_id", "surname", "forenames", "date_of_birth", "sex", "ethnicity",
               "borough_code", "first_seen", "last_updated"),
    "gangs": ("gang_id", "name", "borough_code"),
    "aliases": ("person_id", "surname", "forenames"),
    "offences": ("event_id", "person_id", "role", "date", "ho_offence_code", "outcome"),
    "intelligence": ("intel_id", "person_id", "gang_id", "date", "category", "source_id",
                     "source_type", "source_grade", "intel_grade", "handling_code",
                     "summary"),
    "custody": ("person_id", "start_date", "end_date"),
    "gang_relations": ("gang_a", "gang_b", "relation", "date", "source"),
}


def raw_sqlite(db: Database, folder: Path) -> dict[str, float]:
    """executemany of plain INSERTs over the tuples, one transaction; seconds per table
    (the executemany calls only). Dates and times are bound as the SQLite dialect
    stores them (ISO text)."""
    now = datetime.now(UTC)
    seconds: dict[str, float] = {}
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")  # the engine leaves transactions to the caller
        for name in TABLES:
            cols = _COLUMNS[name]
            sql = (f"INSERT INTO {name} ({', '.join(cols)}) "
                   f"VALUES ({', '.join('?' * len(cols))})")
            seconds[name] = 0.0
            for batch in raw_batches(folder, name, now):
                data = [tuple(_sqlite_value(v) for v in r) for r in batch]
                del batch
                start = time.perf_counter()
                cur.executemany(sql, data)
                seconds[name] += time.perf_counter() - start
                del data
        start = time.perf_counter()
        raw.commit()
        seconds["commit"] = time.perf_counter() - start
    return seconds


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


def raw_postgresql(db: Database, folder: Path) -> dict[str, float]:
    """COPY of the tuples into the tables, one transaction; seconds per table (the
    rows written and the COPY's end only)."""
    now = datetime.now(UTC)
    seconds: dict[str, float] = {}
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for name in TABLES:
                seconds[name] = 0.0
                sql = f"COPY {name} ({', '.join(_COLUMNS[name])}) FROM STDIN"
                with cur.copy(sql) as cp:
                    for batch in raw_batches(folder, name, now):
                        start = time.perf_counter()
                        for r in batch:
                            cp.write_row(r)
                        seconds[name] += time.perf_counter() - start
                    start = time.perf_counter()
                seconds[name] += time.perf_counter() - start  # the COPY's end
        start = time.perf_counter()
        raw.commit()
        seconds["commit"] = time.perf_counter() - start
    return seconds


class TableClock:
    """Seconds per table from import_bundle's progress calls: a table's time runs from
    the end of the previous table's last chunk to the end of its own (reading,
    validating and writing it; for PostgreSQL's staging path the final upsert of a
    table falls in the next table's time)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, table: str, n: int) -> None:
        now = time.perf_counter()
        self.seconds[table] = self.seconds.get(table, 0.0) + now - self._last
        self._last = now


def run_import(db: Database, folder: Path) -> dict[str, Any]:
    gc.collect()
    with Load() as load, PeakMemory() as mem:
        start, cpu = time.perf_counter(), time.process_time()
        clock = TableClock()
        report = import_bundle(db.unit_of_work, folder, actor="bench", actor_role="admin",
                               progress=clock)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": wall, "cpu_seconds": cpu, "other": load.other,
            "reader_cpu_seconds": load.children_cpu,
            "peak_rss_mb": mem.peak_mb, "extra_rss_mb": mem.extra_mb,
            "per_table_seconds": clock.seconds, "counts": report.counts,
            "stored": report.stored}


def run_raw(backend: str, folder: Path) -> dict[str, Any]:
    """The raw load; its time is that of the writes alone (parsing between them is not
    counted), `other` is over the whole run."""
    with scratch_database(backend) as db:
        db.upgrade()  # not timed
        with Load() as load, PeakMemory() as mem:
            per_table = (raw_sqlite if backend == "sqlite" else raw_postgresql)(db, folder)
    return {"seconds": sum(per_table.values()), "per_table_seconds": per_table,
            "other": load.other, "peak_rss_mb": mem.peak_mb}


def _report(label: str, n_rows: int, result: dict[str, Any]) -> None:
    print(f"    {label:<8} {n_rows:>11,} rows {result['seconds']:8.1f} s "
          f"{n_rows / result['seconds']:>10,.0f} rows/s  other {result['other']:.0%}",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", default="10000,50000",
                    help="comma-separated subset sizes (1000000: the whole national bundle)")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    sizes = [int(x) for x in args.people.split(",")]
    chosen = [b for b in ("sqlite", "postgresql") if args.backend in (b, "both")]
    runs: list[dict[str, Any]] = []
    for n in sizes:
        folder = subset(n)
        print(f"{n:,} people ({folder.name})", flush=True)
        for backend in chosen:
            with scratch_database(backend) as db:
                db.upgrade()
                result = run_import(db, folder)
            n_rows = sum(result["counts"].values())
            print(f"  {backend}", flush=True)
            _report("import", n_rows, result)
            print(f"    peak RSS {result['peak_rss_mb']:,.0f} MB "
                  f"(+{result['extra_rss_mb']:,.0f} MB during the import; with the reading "
                  f"process), CPU {result['cpu_seconds']:.1f} s + reader "
                  f"{result['reader_cpu_seconds']:.1f} s", flush=True)
            raw = run_raw(backend, folder)
            gc.collect()
            _report("raw", n_rows, raw)
            ratio = raw["seconds"] / result["seconds"]
            print(f"    import / raw rows/s: {ratio:.0%}", flush=True)
            print(f"      {'table':<15} {'rows':>11} {'import rows/s':>14} {'raw rows/s':>11}")
            for name in TABLES:
                count = result["counts"].get(name, 0)
                mine = result["per_table_seconds"].get(name, 0.0)
                print(f"      {name:<15} {count:>11,} {count / max(mine, 1e-9):>14,.0f} "
                      f"{count / max(raw['per_table_seconds'][name], 1e-9):>11,.0f}")
            runs.append({"people": n, "backend": backend, "rows": n_rows, "import": result,
                         "raw": raw, "ratio": ratio})
    path = write_result("import", {"machine": machine(("polars", "sqlalchemy", "psycopg")),
                                   "runs": runs})
    print(f"written {path}")


if __name__ == "__main__":
    main()
