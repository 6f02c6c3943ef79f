"""The national register for the service benchmark at scale: the cached national bundle
(perf_common.bundle: 1,000,000 people, 5.7 million offences, 15.8 million intelligence
items) loaded into gvm's own schema and scored once, for `bench_service.py --scale
national`.

This is the benchmark's setup, not a measured path: the rows go straight in (SQLite:
executemany of plain tuples in one transaction; PostgreSQL: COPY), without the import's
validation, which bench_import.py measures. The schema, its indexes and triggers (the
name search's trigram index included) are the migrations' own, so the served register
is what an import would have made. Scoring is gvm's own `rescore`.

SQLite: built once into bench/.cache/service-national-<revision>.db and copied for each
run (the load writes audit entries). PostgreSQL: built once into the schema
gvm_bench_national_<revision>, kept between runs (`--rebuild` drops it).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services.scoring import rescore
from gvm.storage.migrate import head_revision
from gvm.storage.tables import custody, gangs, intelligence, offences, people

BATCH_ROWS = 200_000
AS_OF = date(2026, 9, 30)
LOADED_AT = datetime(2026, 9, 30, tzinfo=UTC)

# (table, file, columns of the file in the table's order, nullable ones: "" means NULL)
FILES = (
    (gangs, "gangs.csv", ("gang_id", "name", "borough_code"), ()),
    (people, "people.csv", ("person_id", "surname", "forenames", "date_of_birth", "sex",
                            "ethnicity", "borough_code"), ("ethnicity",)),
    (offences, "offences.csv", ("event_id", "person_id", "role", "date", "ho_offence_code",
                                "outcome"), ("outcome",)),
    (intelligence, "intelligence.csv", ("intel_id", "person_id", "gang_id", "date",
                                        "category", "source_id", "source_type",
                                        "source_grade", "intel_grade", "handling_code",
                                        "summary"), ("gang_id",)),
    (custody, "custody.csv", ("person_id", "start_date", "end_date"), ("end_date",)),
)


def _batches(path: Path, columns: tuple[str, ...], nullable: tuple[str, ...],
             stamp: Any) -> Iterator[pl.DataFrame]:
    frame = pl.scan_csv(path, infer_schema=False).select(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        if c in nullable else pl.col(c) for c in columns)
    if stamp is not None:  # people's first_seen and last_updated
        frame = frame.with_columns(first_seen=pl.lit(stamp), last_updated=pl.lit(stamp))
    yield from frame.collect_batches(chunk_size=BATCH_ROWS)


def _secondary_indexes(conn: sa.Connection) -> list[tuple[str, str]]:
    """(name, DDL) of the migrations' own indexes on the loaded tables: dropped for the
    load and made again after it, which is several times faster than keeping them up
    to date row by row (random inserts into the person_id indexes)."""
    names = [t.name for t, *_ in FILES]
    if conn.dialect.name == "sqlite":
        rows = conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(repr(n) for n in names)})")).all()
    else:
        rows = conn.execute(sa.text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = "
            "current_schema() AND i.tablename = ANY(:names) AND NOT EXISTS (SELECT 1 FROM "
            "pg_constraint c WHERE c.conname = i.indexname)"), {"names": names}).all()
    return [(r[0], r[1]) for r in rows]


def _load_sqlite(conn: sa.Connection, folder: Path) -> None:
    raw = conn.connection.dbapi_connection
    raw.execute("PRAGMA cache_size=-1000000")  # 1 GB for the load
    for table, name, columns, nullable in FILES:
        stamp = table is people
        names = list(columns) + (["first_seen", "last_updated"] if stamp else [])
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        # SQLite keeps gvm's UTC datetimes as naive text (tables.UTCDateTime)
        when = LOADED_AT.replace(tzinfo=None).isoformat(" ", "microseconds") if stamp else None
        for frame in _batches(folder / name, columns, nullable, when):
            raw.executemany(sql, frame.iter_rows())


def _load_postgresql(conn: sa.Connection, folder: Path) -> None:
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        for table, name, columns, nullable in FILES:
            stamp = table is people
            names = list(columns) + (["first_seen", "last_updated"] if stamp else [])
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for frame in _batches(folder / name, columns, nullable,
                                      LOADED_AT if stamp else None):
                    for row in frame.iter_rows():
                        copy.write_row(row)


def build(url: str, folder: Path) -> dict[str, Any]:
    """Load the bundle at `folder` into the (empty) database at `url`, score it, and say
    how long each step took."""
    timings: dict[str, Any] = {}
    t = time.perf_counter()
    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
    try:
        with register.database.engine.begin() as conn:
            indexes = _secondary_indexes(conn)
            for name, _ in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
            if conn.dialect.name == "sqlite":
                _load_sqlite(conn, folder)
            else:
                _load_postgresql(conn, folder)
            for _, ddl in indexes:
                conn.exec_driver_sql(ddl)
        timings["load_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        if register.database.engine.dialect.name == "postgresql":
            with register.database.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        rescore(register.unit_of_work, AS_OF, register.policy, register.catalogue,
                actor="bench", actor_role="operator")
        # The load queued everyone for the freshness worker; the run just scored them all
        # as of the same date, so nothing queued is stale (and a served register would
        # otherwise spend the benchmark re-scoring a million people).
        with register.database.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM score_queue")
        timings["score_s"] = round(time.perf_counter() - t, 1)
    finally:
        register.close()
    return timings


def sqlite_register(cache: Path, folder: Path, target: Path) -> Path:
    """A copy at `target` of the cached national SQLite register (built on first use)."""
    built = cache / f"service-national-{head_revision()}.db"
    if not built.exists():
        partial = built.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        print(f"building the national register into {built} (once) ...", flush=True)
        print(f"  {build(f'sqlite:///{partial}', folder)}", flush=True)
        with closing(sqlite3.connect(partial, isolation_level=None)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy is then one file
        partial.rename(built)
    shutil.copyfile(built, target)
    return target


def postgresql_schema(admin_url: str, *, rebuild: bool, folder: Path) -> str:
    """The schema holding the national register on PostgreSQL (built on first use)."""
    schema = f"gvm_bench_national_{head_revision()}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema}).first() is not None
            done = exists and conn.execute(sa.text(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = :s "
                "AND table_name = 'bench_complete'"), {"s": schema}).first() is not None
            if exists and (rebuild or not done):
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                exists = False
            if not exists:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        if not done or rebuild:
            url = f"{admin_url}?options=-csearch_path%3D{schema}"
            print(f"building the national register into schema {schema} (once) ...",
                  flush=True)
            print(f"  {build(url, folder)}", flush=True)
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE TABLE "{schema}".bench_complete (at text)'))
    finally:
        admin.dispose()
    return schema
