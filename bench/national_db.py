"""The national synthetic register (perf_common.bundle) loaded into the real gvm schema
(the project's migrations) on SQLite and PostgreSQL, for benchmarks that read from the
database. Not timed: bulk loads through ADBC (`adbc_ingest`: prepared inserts on
SQLite, binary COPY on PostgreSQL), every column of every row, summaries included.

Both are kept for the next run: the SQLite file under bench/.cache/, the PostgreSQL
schema `bench_db_<people>` (marked complete by its comment); `fresh=True` reloads.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import perf_common as pc
import polars as pl
import pyarrow as pa
import sqlalchemy as sa

from gvm.storage import Database, make_engine

LOADED_AT = datetime(2026, 9, 30, tzinfo=UTC)
DATES = {"date", "date_of_birth", "start_date", "end_date"}
# Parents before children (foreign keys).
ORDER = ("gangs", "people", "offences", "intelligence", "custody")
MARK = "gvm benchmark data, complete"


def national_rows(people: int | None) -> dict[str, pl.DataFrame]:
    """Every column of the bundle's tables, as text (empty fields null); the first
    `people` people by person_id and their records if given (all gangs)."""
    folder = pc.bundle("national")

    def scan(name: str) -> pl.LazyFrame:
        return pl.scan_csv(folder / f"{name}.csv", infer_schema=False)

    who = scan("people").sort("person_id")
    if people is not None:
        who = who.head(people)
    chosen = who.collect()
    out = {"gangs": scan("gangs").collect(), "people": chosen}
    for name in ("offences", "intelligence", "custody"):
        rows = scan(name)
        if people is not None:
            rows = rows.join(chosen.lazy().select("person_id"), on="person_id", how="semi")
        out[name] = rows.collect()
    return out


def _for_backend(name: str, frame: pl.DataFrame, backend: str) -> pa.Table:
    """Dates as ISO text on SQLite (as SQLAlchemy stores them), real dates on
    PostgreSQL; people get their first_seen / last_updated."""
    if backend == "postgresql":
        frame = frame.with_columns(pl.col(c).str.to_date("%Y-%m-%d")
                                   for c in frame.columns if c in DATES)
    if name == "people":
        stamp: object = (LOADED_AT if backend == "postgresql"
                         else LOADED_AT.replace(tzinfo=None).isoformat(" ", "microseconds"))
        frame = frame.with_columns(first_seen=pl.lit(stamp), last_updated=pl.lit(stamp))
    return frame.to_arrow()


def sqlite_database(people: int | None, fresh: bool = False) -> Path:
    """The SQLite file holding the register (loaded on first use)."""
    label = "all" if people is None else str(people)
    path = pc.CACHE / f"national-seed{pc.SEED}-{label}.gvm.db"
    done = path.with_suffix(".complete")
    if done.exists() and path.exists() and not fresh:
        return path
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), done):
        stale.unlink(missing_ok=True)
    load_sqlite(path, people)
    done.write_text("ok")
    return path


def load_sqlite(path: Path, people: int | None) -> None:
    """Create the schema in the new SQLite file `path` and load the register into it."""
    from adbc_driver_sqlite import dbapi

    with Database(f"sqlite:///{path}") as db:
        db.upgrade()
    rows = national_rows(people)
    print(f"loading SQLite {path.name} ...", flush=True)
    start = time.perf_counter()
    with dbapi.connect(str(path)) as conn:
        cursor = conn.cursor()
        for name in ORDER:
            cursor.adbc_ingest(name, _for_backend(name, rows[name], "sqlite"), mode="append")
        conn.commit()
        cursor.close()
    print(f"  loaded in {time.perf_counter() - start:.0f} s", flush=True)


def postgresql_schema(url: str, people: int | None, fresh: bool = False) -> str:
    """The PostgreSQL schema holding the register (loaded on first use)."""
    schema = f"bench_db_{'all' if people is None else people}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            mark = conn.execute(sa.text(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                "WHERE nspname = :s"), {"s": schema}).scalar()
            if mark == MARK and not fresh:
                return schema
    finally:
        admin.dispose()
    load_postgresql(url, schema, people)
    return schema


def load_postgresql(url: str, schema: str, people: int | None) -> None:
    """(Re)create `schema`, the gvm schema in it, and load the register into it."""
    from adbc_driver_postgresql import dbapi

    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        with Database(url, connect_args={"options": f"-csearch_path={schema}"}) as db:
            db.upgrade()
        rows = national_rows(people)
        print(f"loading PostgreSQL schema {schema} ...", flush=True)
        start = time.perf_counter()
        uri = sa.make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        with dbapi.connect(uri) as conn:
            cursor = conn.cursor()
            # The data is consistent by construction: skip the per-row foreign key
            # triggers, which would cost more than the COPY (and the freshness queue's:
            # a benchmark scores the loaded register itself).
            cursor.execute("SET session_replication_role = replica")
            for name in ORDER:
                cursor.adbc_ingest(name, _for_backend(name, rows[name], "postgresql"),
                                   mode="append", db_schema_name=schema)
            conn.commit()
            cursor.close()
        with admin.connect() as conn:  # hint bits and statistics, so reads are steady
            conn.execute(sa.text(f"SET search_path TO {schema}"))
            for name in ORDER:
                conn.execute(sa.text(f"VACUUM (ANALYZE) {name}"))
            conn.execute(sa.text(f"COMMENT ON SCHEMA {schema} IS '{MARK}'"))
        print(f"  loaded in {time.perf_counter() - start:.0f} s", flush=True)
    finally:
        admin.dispose()
