"""The national register for the service benchmark at scale: the cached national bundle
(perf_common.bundle: 1,000,000 people, 5.7 million offences, 15.8 million intelligence
items) loaded into gvm's own schema (national_db.py: the benchmark's setup, not a
measured path) and scored once with gvm's own `rescore`, for `bench_service.py --scale
national`.

SQLite: built once into bench/.cache/service-national-<revision>.db and copied for each
run (the load writes audit entries). PostgreSQL: built once into the schema
gvm_bench_national_<revision>, kept between runs (`--rebuild` builds it again).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import national_db
import sqlalchemy as sa

from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services.scoring import rescore
from gvm.storage.migrate import head_revision

AS_OF = date(2026, 9, 30)
SCORED = f"{national_db.MARK}, scored"


def score(url: str) -> float:
    """Score the loaded register at `url` as of AS_OF; seconds taken."""
    t = time.perf_counter()
    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
    try:
        rescore(register.unit_of_work, AS_OF, register.policy, register.catalogue,
                actor="bench", actor_role="operator")
        # The load queued everyone for the freshness worker (on SQLite; PostgreSQL's load
        # skips triggers); the run just scored them all as of the same date, so nothing
        # queued is stale, and a served register would otherwise spend the benchmark
        # re-scoring a million people.
        with register.database.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM score_queue")
    finally:
        register.close()
    return time.perf_counter() - t


def sqlite_register(cache: Path, target: Path) -> Path:
    """A copy at `target` of the cached national SQLite register (built on first use)."""
    built = cache / f"service-national-{head_revision()}.db"
    if not built.exists():
        partial = built.with_suffix(".partial")
        for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            stale.unlink(missing_ok=True)
        print(f"building the national register into {built} (once) ...", flush=True)
        national_db.load_sqlite(partial, None)
        print(f"  scored in {score(f'sqlite:///{partial}'):.0f} s", flush=True)
        with closing(sqlite3.connect(partial, isolation_level=None)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy is then one file
        partial.rename(built)
    shutil.copyfile(built, target)
    return target


def postgresql_schema(admin_url: str, *, rebuild: bool) -> str:
    """The schema holding the national register on PostgreSQL (built on first use)."""
    schema = f"gvm_bench_national_{head_revision()}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            mark: Any = conn.execute(sa.text(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                "WHERE nspname = :s"), {"s": schema}).scalar()
        if mark != SCORED or rebuild:
            print(f"building the national register into schema {schema} (once) ...",
                  flush=True)
            national_db.load_postgresql(admin_url, schema, None)
            seconds = score(f"{admin_url}?options=-csearch_path%3D{schema}")
            print(f"  scored in {seconds:.0f} s", flush=True)
            with admin.connect() as conn:
                conn.execute(sa.text(f"COMMENT ON SCHEMA {schema} IS '{SCORED}'"))
    finally:
        admin.dispose()
    return schema
