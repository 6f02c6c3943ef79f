"""Engine factory: SQLite (a file, WAL) for one user or a demo, PostgreSQL (psycopg 3)
for a deployment. The same tables and SQL run on both.

SQLite: every connection gets WAL, foreign keys on, synchronous=NORMAL, a busy
timeout and a larger page cache. pysqlite's own transaction handling is switched off and
gvm emits BEGIN itself, IMMEDIATE by default, so a writer takes the write lock when its
transaction starts: two writers queue (busy timeout) instead of both reading the audit
chain head and forking it.
A read-only unit of work asks for a DEFERRED begin with the execution option
`SQLITE_BEGIN` so readers never wait for writers. A writer on the event loop asks with
`SQLITE_NO_WAIT` not to wait at all: its BEGIN raises `LockHeld` at once if another
process holds the write lock, where the busy timeout would stall every request the loop
serves.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from gvm.storage.busy import LockHeld, busy

SQLITE_BEGIN = "gvm_sqlite_begin"  # execution option: "IMMEDIATE" (default) or "DEFERRED"
SQLITE_NO_WAIT = "gvm_sqlite_no_wait"  # execution option: True, BEGIN without the busy timeout
# Connection info key: the connection's total_changes when its transaction began, so a
# reader can tell whether the transaction has changed anything (gvm.storage.arrow_frames).
SQLITE_CHANGES_AT_BEGIN = "gvm_sqlite_changes_at_begin"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 65_536
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


def is_sqlite(engine_or_url: Engine | URL | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An Engine for `url` (sqlite:///path or postgresql+psycopg://...).

    Extra keyword arguments go to `sqlalchemy.create_engine` (e.g. connect_args).
    A bare `postgresql://` URL is taken to mean psycopg 3.
    """
    url = make_url(url)
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    if backend != "sqlite":
        raise ValueError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    connect_args = dict(kwargs.pop("connect_args", {}))
    # Threads share the pool; each connection is used by one thread at a time.
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    _configure_sqlite(engine)
    return engine


UNICODE_LOWER = "gvm_lower"


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # gvm emits BEGIN itself (below); pysqlite must not open transactions on its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not left in free pages (R-RETENTION: an erased
            # person leaves no copy); some builds of SQLite do it by default, not all.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
            # 64 MiB page cache (default 2 MiB): bulk upserts into 100k-row tables thrash
            # the default and run three times slower.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB:d}")
        finally:
            cursor.close()
        # SQLite's own lower() and LIKE fold ASCII letters only: the name search folds
        # other letters with this (queries.py), as PostgreSQL's lower() does.
        dbapi_connection.create_function(UNICODE_LOWER, 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        mode = str(options.get(SQLITE_BEGIN, "IMMEDIATE")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"{SQLITE_BEGIN}: expected one of {sorted(_BEGIN_MODES)}")
        # Straight on the driver's connection: through exec_driver_sql, SQLAlchemy's
        # execution machinery cost more than the BEGIN itself, on every transaction.
        driver = conn.connection.dbapi_connection
        if options.get(SQLITE_NO_WAIT):
            _begin_without_waiting(driver, mode)
        else:
            driver.execute(f"BEGIN {mode}")
        conn.info[SQLITE_CHANGES_AT_BEGIN] = driver.total_changes


def _begin_without_waiting(driver: sqlite3.Connection, mode: str) -> None:
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute(f"BEGIN {mode}")
    except sqlite3.OperationalError as exc:
        if busy(exc):
            raise LockHeld("database is locked by another writer") from exc
        raise
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
