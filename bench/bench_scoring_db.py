"""Full re-score of the national synthetic register from the database: where the time
goes between reading and scoring, on SQLite and PostgreSQL, with the cursor reader
(gvm.storage.columnar) against the Arrow-native ADBC reader (gvm.storage.arrow_frames).

    python bench/bench_scoring_db.py [--people 100000] [--backends sqlite,postgresql]
                                     [--repeat 2] [--service] [--fresh]

`--people 1000000` is the whole national register: about 4 minutes per backend on a
quiet 2-core machine, so the default is its first 100,000 people (about 1 minute in
all). The first run of a size loads the register (every column of every row) into a
SQLite file under bench/.cache/ and a PostgreSQL schema `bench_db_<people>`
(national_db.py; not timed: about 1 minute per 100,000 people); later runs reuse them.
Then, for each backend, in a writing unit of work as `gvm score` reads (rolled back,
nothing stored):

1. floor: `SELECT count(*)` of the four tables, and the ADBC driver alone fetching
   the reader's own queries into Arrow on one connection (no conversion, no split);
2. what the re-score does (`arrow_frames.reduced` with score_batch: read and scored in
   a reading process, on SQLite and on a big PostgreSQL register, only the scores sent
   back; its CPU and peak RSS printed); its scores must equal score_batch of the frames
   read in 3, else the run exits non-zero;
3. the cursor reader and the ADBC reader (`scoring_frames`), `--repeat` times each;
   the frames of both must be identical (schema, dtypes, values; rows compared in
   key order), else the run exits non-zero;
4. scoring from those frames: prepare_tables (encode) + score_tables, and the one-off
   score_batch that `gvm score` runs;
5. with `--service`: gvm.services.scoring.rescore itself (read, score, store the run
   and its audit entry), once, in a transaction of its own that is kept.

Prints every step with wall and CPU time, extra and peak memory and `other` (the CPU
share other processes used meanwhile), then where the time goes (read / encode /
score), and writes bench/results/scoring-db-<time>.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from contextlib import contextmanager
from functools import partial
from typing import Any

import national_db
import perf_common as pc
import polars as pl
from bench_scoring import measure

from gvm.domain.batch import score_batch
from gvm.domain.rescore import score_tables
from gvm.domain.scoring_tables import prepare_tables
from gvm.reference import default_policy, offence_catalogue
from gvm.services.scoring import rescore
from gvm.storage import Database, arrow_frames, columnar
from gvm.storage.columnar import scoring_query
from gvm.storage.tables import custody, intelligence, offences, people

NATIONAL_PEOPLE = 1_000_000
POLICY = default_policy()
CATALOGUE = offence_catalogue()
PG_URL = os.environ.get("GVM_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NAMES = ("people", "offences", "intelligence", "custody")
TABLES = dict(zip(NAMES, (people, offences, intelligence, custody), strict=True))
KEYS = {"people": ["person_id"], "offences": ["event_id", "person_id"],
        "intelligence": ["intel_id"], "custody": ["person_id", "start_date"]}


def open_database(backend: str, n: int | None, fresh: bool) -> Database:
    n = None if n is not None and n >= NATIONAL_PEOPLE else n  # all of them: one cache
    if backend == "sqlite":
        return Database(f"sqlite:///{national_db.sqlite_database(n, fresh)}")
    schema = national_db.postgresql_schema(PG_URL, n, fresh)
    return Database(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


@contextmanager
def writing_connection(db: Database) -> Any:
    """The connection of a writing unit of work, as the re-score has it; rolled back."""
    with db.unit_of_work() as uow:
        yield uow.connection


def count_rows(db: Database) -> dict[str, int]:
    with writing_connection(db) as conn:
        return {name: conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
                for name in NAMES}


def driver_only(db: Database) -> int:
    """The ADBC driver fetching the reader's queries (SQLite: with its NULL flags) into
    Arrow, nothing converted: the floor of the ADBC reader."""
    from adbc_driver_postgresql import dbapi as pg
    from adbc_driver_sqlite import dbapi as lite

    from gvm.domain import frames

    layouts = dict(zip(NAMES, (frames.PEOPLE, frames.OFFENCES, frames.INTELLIGENCE,
                               frames.CUSTODY), strict=True))
    url = db.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    rows = 0
    if sqlite:
        conn = lite.connect(str(url.database))
    else:
        conn = pg.connect(url.set(drivername="postgresql").render_as_string(
            hide_password=False))
    with conn, writing_connection(db) as sa_conn:
        search_path = (None if sqlite else
                       sa_conn.exec_driver_sql("SHOW search_path").scalar_one())
        cursor = conn.cursor()
        if sqlite:
            cursor.adbc_statement.set_options(**{
                arrow_frames.SQLITE_BATCH_OPTION: str(arrow_frames.SQLITE_BATCH_ROWS)})
        if search_path:
            cursor.execute(f"SET search_path TO {search_path}")
        for name in NAMES:
            table, layout = TABLES[name], layouts[name]
            stmt = (arrow_frames.sqlite_query(table, layout, None) if sqlite
                    else scoring_query(table, layout, None))  # the reader's own queries
            compiled = stmt.compile(dialect=sa_conn.dialect)
            params = tuple(compiled.params[p] for p in compiled.positiontup or ())
            cursor.execute(compiled.string, params or None)
            rows += cursor.fetch_arrow_table().num_rows
        cursor.close()
    return rows


def identical(a: tuple[pl.DataFrame, ...], b: tuple[pl.DataFrame, ...]) -> dict[str, bool]:
    """Per table: same schema and, in key order, the same values."""
    return {name: x.schema == y.schema and x.sort(KEYS[name]).equals(y.sort(KEYS[name]))
            for name, x, y in zip(NAMES, a, b, strict=True)}


def scoring(frames: tuple[pl.DataFrame, ...]) -> dict[str, Any]:
    """Encode + score_tables, and the one-off score_batch, from the frames read."""
    out: dict[str, Any] = {}
    out["prepare_tables"], prepared = measure(
        "encode: prepare_tables", lambda: prepare_tables(*frames), 1)
    out["score_tables"], _ = measure(
        "score: score_tables",
        lambda: score_tables(prepared, pc.AS_OF, POLICY, CATALOGUE), 3)
    out["score_batch"], scores = measure(
        "score_batch (one-off, gvm score)",
        lambda: score_batch(*frames, pc.AS_OF, POLICY, CATALOGUE), 1)
    return out, scores


def scored_where_read(db: Database, repeat: int) -> tuple[dict[str, Any], Any]:
    """What the re-score does: arrow_frames.reduced with score_batch, which runs in the
    reading process (SQLite; PostgreSQL past PG_PROCESS_MIN_BLOCKS), so only the scores
    come back. Measured before any other
    reading process runs, so that the children's peak RSS is this one's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    reduce = partial(score_batch, as_of=pc.AS_OF, policy=POLICY, catalogue=CATALOGUE)

    def run() -> Any:
        with writing_connection(db) as conn:
            return arrow_frames.reduced(conn, reduce, sqlite=True)

    figures, scores = measure("read + score_batch where read (rescore)", run, repeat)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["reading_process_cpu_s"] = (after.ru_utime + after.ru_stime - before.ru_utime
                                        - before.ru_stime) / repeat
    figures["reading_process_peak_rss_mb"] = after.ru_maxrss / 1024
    if figures["reading_process_cpu_s"] > 0:
        print(f"  {'  the reading process':<40} cpu {figures['reading_process_cpu_s']:7.3f} s"
              f"  peak RSS {figures['reading_process_peak_rss_mb']:,.0f} MB", flush=True)
    return figures, scores


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n{backend}", flush=True)
    db = open_database(backend, args.people, args.fresh)
    out: dict[str, Any] = {}
    try:
        out["rows"] = count_rows(db)
        print("  " + ", ".join(f"{n:,} {name}" for name, n in out["rows"].items()),
              flush=True)
        out["count_star"], _ = measure("floor: SELECT count(*) x4",
                                       lambda: count_rows(db), args.repeat)
        out["adbc_driver_only"], _ = measure("floor: ADBC driver to Arrow, x4",
                                             lambda: driver_only(db), args.repeat)

        out["scored_where_read"], where_read = scored_where_read(db, args.repeat)
        if where_read is None:
            raise SystemExit(f"{backend}: the ADBC reader refused a writing unit of work")

        def read(reader: Any) -> Any:
            with writing_connection(db) as conn:
                return reader(conn)

        out["cursor_reader"], slow = measure(
            "cursor reader (columnar.scoring_frames)",
            lambda: read(columnar.scoring_frames), args.repeat)
        out["adbc_reader"], fast = measure(
            f"ADBC reader ({arrow_frames.workers()} connections)",
            # sqlite=True: whatever the register's size (the package reads SQLite over
            # ADBC, in a process of its own, from SQLITE_MIN_ROWS intelligence items).
            lambda: read(lambda conn: arrow_frames.scoring_frames(conn, sqlite=True)),
            args.repeat)
        if fast is None:
            raise SystemExit(f"{backend}: the ADBC reader refused a writing unit of work")
        out["identical"] = identical(fast, slow)
        del slow
        print(f"  identical frames: {out['identical']}", flush=True)
        scored, scores = scoring(fast)
        out.update(scored)
        out["identical_scores"] = where_read.sort("person_id").equals(scores.sort("person_id"))
        print(f"  scores where read = score_batch of the frames: {out['identical_scores']}",
              flush=True)
        if not out["identical_scores"]:
            raise SystemExit(f"{backend}: the scores differ")
        del where_read, scores
        fast = None  # the frames go before the service step reads its own
        if args.service:
            out["service_rescore"], _ = measure(
                "services.scoring.rescore (read+score+store)",
                lambda: rescore(db.unit_of_work, pc.AS_OF, POLICY, CATALOGUE,
                                actor="benchmark", actor_role="analyst"), 1)
    finally:
        db.dispose()
    summarise(out)
    return out


def summarise(out: dict[str, Any]) -> None:
    m = {k: v["median_s"] for k, v in out.items() if isinstance(v, dict) and "median_s" in v}
    for reader in ("cursor_reader", "adbc_reader"):
        total = m[reader] + m["score_batch"]
        print(f"  where the time goes, {reader} + score_batch: read {m[reader]:.2f} s "
              f"({m[reader] / total:.0%}), score {m['score_batch']:.2f} s "
              f"({m['score_batch'] / total:.0%}), total {total:.2f} s", flush=True)
    print(f"  the re-score's path, read and scored where read: {m['scored_where_read']:.2f} s, "
          f"against ADBC reader + score_batch here {m['adbc_reader'] + m['score_batch']:.2f} s",
          flush=True)
    print(f"  encoded path: read {m['adbc_reader']:.2f} s, encode "
          f"{m['prepare_tables']:.2f} s, score {m['score_tables']:.3f} s; the ADBC reader is "
          f"{m['cursor_reader'] / m['adbc_reader']:.1f}x faster than the cursor reader, "
          f"{m['adbc_reader'] / m['adbc_driver_only']:.1f}x its driver alone", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000,
                    help="the first N people by person_id (1000000: all of them)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--service", action="store_true",
                    help="also time services.scoring.rescore, which stores a run")
    ap.add_argument("--fresh", action="store_true", help="reload the databases")
    args = ap.parse_args()
    result: dict[str, Any] = {
        "as_of": pc.AS_OF, "policy": POLICY.label, "people": args.people,
        "adbc_connections": arrow_frames.workers(),
        "machine": pc.machine(("polars", "numpy", "pyarrow", "adbc-driver-sqlite",
                               "adbc-driver-postgresql", "psycopg", "sqlalchemy"))}
    ok = True
    for backend in args.backends.split(","):
        result[backend] = run_backend(backend, args)
        ok = ok and all(result[backend]["identical"].values())
    print("\nresults written to", pc.write_result("scoring-db", result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
