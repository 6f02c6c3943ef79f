"""`Database`: one register database (SQLite file or PostgreSQL, by URL), its schema
and its units of work.

    db = Database("sqlite:///gvm.db")
    db.upgrade()
    with db.unit_of_work() as uow:
        ...
        uow.commit()
    db.dispose()

Writers in one process take turns on a lock of the Database (SQLite only) before they
BEGIN IMMEDIATE, so they hand the database over to each other at once instead of through
SQLite's busy handler, which sleeps and polls (1, 2, 5, 10... ms) and, under load, turns a
few milliseconds of queue into a second of tail latency. Other processes (the CLI, a
second server) still queue on SQLite's own lock through the busy timeout.

Consultations (a read, then its audit entry) go through `AuditWriter` (audit_writer.py),
which commits the entries of concurrent requests in one transaction (group commit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util import greenlet_spawn

from gvm.domain.audit import AuditEvent
from gvm.storage import audit as audit_log
from gvm.storage import audit_writer
from gvm.storage.audit_writer import AuditWriter
from gvm.storage.busy import LockHeld, WriterBusy
from gvm.storage.engine import SQLITE_BUSY_TIMEOUT_MS, SQLITE_NO_WAIT, is_sqlite, make_engine
from gvm.storage.kept_connections import KeptConnections
from gvm.storage.migrate import upgrade
from gvm.storage.unit_of_work import UnitOfWork

# SQLite connections are cheap to keep but not to open (each sets its pragmas): keep one
# for every thread of anyio's default threadpool (40), so none is opened under load.
SQLITE_POOL_SIZE = 40
T = TypeVar("T")
SQLITE_POOL_OVERFLOW = 10
# Connections kept open for the consultations (SQLite, kept_connections.py): the event
# loop reads one unit of work at a time; the rest are for threads (CLI, plain routes).
READERS_KEPT = 8


class Database:
    """One database: SQLite file or PostgreSQL, by URL. Close with `dispose()` (or use it
    as a context manager)."""

    def __init__(self, url: str | URL, **engine_options: Any) -> None:
        sqlite = is_sqlite(url)
        database = make_url(url).database or ""
        file_backed = sqlite and database not in ("", ":memory:") and "poolclass" not in (
            engine_options) and not database.startswith("file:")
        if file_backed:  # cheap connections: one for each thread of the server's threadpool
            engine_options.setdefault("pool_size", SQLITE_POOL_SIZE)
            engine_options.setdefault("max_overflow", SQLITE_POOL_OVERFLOW)
        self.engine: Engine = make_engine(url, **engine_options)
        self._engine_options = engine_options
        self._write_lock = threading.RLock() if sqlite else None
        # SQLite: connections kept for the consultations' reads and audit commits.
        self._kept = KeptConnections(self.engine, READERS_KEPT) if sqlite else None
        # PostgreSQL: the audit writer's commits have a connection of their own
        # (_append_committed says why).
        self._audit_engine: Engine | None = None
        self._audit_engine_lock = threading.Lock()
        self.audit_writer = AuditWriter(self._append_committed, self._write_lock)

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def embedded(self) -> bool:
        """SQLite: the database is a file read in this process, never over a network."""
        return self._write_lock is not None

    async def run(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`work(*args, **kwargs)` (blocking database work, a use case) from async code,
        where it costs least.

        SQLite (`embedded`): right here on the event loop, in a greenlet. Its reads take a
        WAL snapshot and never wait, while a hop to a thread and back costs as much CPU as
        the work and hands the GIL between threads (docs/PERFORMANCE.md). A consultation's
        audit entry is waited for on the loop (audit_writer.py), so the requests of one
        turn of the loop share one commit. The price: work that waits for SQLite's write
        lock (behind a re-scoring, say) holds up the loop meanwhile, as it would hold up
        the other requests' audit entries anyway.
        PostgreSQL: in the threadpool, so that the loop serves other requests while this
        work waits on the network.
        """
        if self.embedded:
            return await greenlet_spawn(work, *args, **kwargs)
        return await anyio.to_thread.run_sync(partial(work, *args, **kwargs))

    def upgrade(self) -> None:
        """Create or migrate the schema to head and seed reference data; idempotent."""
        upgrade(self.engine)

    def unit_of_work(self, *, read_only: bool = False, wait: bool = True
                     ) -> AbstractContextManager[UnitOfWork]:
        """A unit of work. A `read_only` one can neither write nor audit; on SQLite it
        begins DEFERRED, so it neither waits for nor holds up a writer. A writing one
        on SQLite holds the Database's write lock from start to end (see above); not
        `wait` (SQLite), it raises WriterBusy (a TimeoutError) at once if another writer,
        of this process or another, holds the lock: for a write that may be left for
        later, run where waiting would stall the event loop (a session's last-seen time).
        PostgreSQL's writers do not hold each other up there, and `wait` changes nothing."""
        if read_only and self._kept is not None:  # every request's path: one level less
            return self._reading()
        return self._unit_of_work(self.engine, read_only, wait)

    @contextmanager
    def _unit_of_work(self, engine: Engine, read_only: bool, wait: bool = True
                      ) -> Iterator[UnitOfWork]:
        """A unit of work on a pooled connection: PostgreSQL's, and SQLite's writers
        (SQLite's readers keep their connections: `_reading`)."""
        with self._write_locked(not read_only, wait=wait), engine.connect() as connection:
            if read_only:  # PostgreSQL only: SQLite's readers are `_reading`'s
                connection.execution_options(postgresql_readonly=True)
            elif not wait and self.embedded:
                connection.execution_options(**{SQLITE_NO_WAIT: True})
                connection.begin()  # LockHeld now rather than at the first statement
            try:
                yield UnitOfWork(connection, read_only=read_only,
                                 audit_writer=self.audit_writer)
            finally:
                if connection.in_transaction():
                    connection.rollback()

    @contextmanager
    def _write_locked(self, writing: bool = True, *, wait: bool = True) -> Iterator[None]:
        """SQLite, `writing`: holds the Database's write lock (see above)."""
        if not writing or self._write_lock is None:
            yield
            return
        if not wait:
            if not self._write_lock.acquire(blocking=False):
                raise LockHeld("database is locked by another writer of this process")
        elif not self._write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise WriterBusy("database is locked: another writer held it too long")
        try:
            yield
        finally:
            self._write_lock.release()

    @contextmanager
    def _reading(self) -> Iterator[UnitOfWork]:
        """SQLite: a read-only unit of work on a kept connection (kept_connections.py)."""
        assert self._kept is not None
        with self._kept.reading() as (connection, give_back):
            yield UnitOfWork(connection, read_only=True, audit_writer=self.audit_writer,
                             give_back=give_back)

    def _append_committed(self, events: Sequence[AuditEvent], wait: bool = True
                          ) -> list[int]:
        """The audit writer's transaction. SQLite: on a kept connection, whose cache the
        next consultation's reads then find warm (kept_connections.py); not `wait`, it
        raises LockHeld at once if another writer holds the lock. PostgreSQL: on a
        one-connection engine of its own (requests wait for it while holding a pooled
        connection, so drawing from the same pool could leave none); not `wait`, it
        waits for the chain's lock at most CONSULTATION_WAIT_SECONDS (then 55P03, busy:
        a 503), where PostgreSQL has no limit of its own."""
        if self._kept is not None:
            with self._write_locked(wait=wait), self._kept.writing(wait=wait) as connection:
                uow = UnitOfWork(connection)
                seqs = uow.append_audit_many(events)
                uow.commit()
                return seqs
        with self._audit_engine_lock:
            if self._audit_engine is None:
                options = {**self._engine_options, "pool_size": 1, "max_overflow": 0}
                self._audit_engine = make_engine(self.engine.url, **options)
        with self._unit_of_work(self._audit_engine, read_only=False) as uow:
            if not wait:  # the chain's lock, held by another process's writer, not forever
                bound = int(audit_writer.CONSULTATION_WAIT_SECONDS * 1000)
                uow.connection.exec_driver_sql(f"SET LOCAL lock_timeout = {bound:d}")
            seqs = uow.append_audit_many(events)
            uow.commit()
        return seqs

    def verify_audit(self) -> audit_log.VerifyResult:
        with self.unit_of_work(read_only=True) as uow:
            return uow.verify_audit()

    def dispose(self) -> None:
        self.audit_writer.close()
        if self._kept is not None:
            self._kept.close()
        with self._audit_engine_lock:
            if self._audit_engine is not None:
                self._audit_engine.dispose()
                self._audit_engine = None
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()
