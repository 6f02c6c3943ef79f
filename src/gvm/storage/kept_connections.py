"""`KeptConnections`: SQLite connections kept open for the consultations, which read and
then commit their audit entries (gvm.storage.audit_writer), most of them on the event
loop (Database.run).

Why keep them, rather than draw from the engine's pool each time:
- set-up: a connection from the pool had to be switched to query_only and back, and
  was rolled back again on its return; each unit of work paid some 40 µs for it;
- the page cache: SQLite drops a connection's cached pages whenever another connection
  has committed since its last transaction, and under load every turn of the event loop
  commits a batch of audit entries. A profile's reads then started cold every time, at
  about 60 µs more (docs/PERFORMANCE.md). A connection's own commits leave its cache
  whole, so the audit entries are committed on a kept connection too: the one at the top
  of the stack, which the next reads take first.

A connection is used by one unit of work at a time. Reading, it is query_only and begins
DEFERRED (a WAL snapshot that neither waits for nor holds up a writer); writing an audit
batch, it is turned writable for that one transaction, which begins IMMEDIATE (the write
lock, and with it the chain head, taken up front). At most `keep` are kept; beyond that
they are opened as needed and closed after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection, Engine

from gvm.storage.engine import SQLITE_BEGIN, SQLITE_NO_WAIT


class KeptConnections:
    def __init__(self, engine: Engine, keep: int) -> None:
        self._engine = engine
        self._keep = keep
        self._free: list[Connection] = []  # a stack: the last one returned is warmest

    @property
    def free(self) -> int:
        return len(self._free)

    def reading(self) -> AbstractContextManager[tuple[Connection, Callable[[], None]]]:
        """A kept connection for one read-only unit of work, and a function that gives
        it back early: a consultation gives it back once it has read (before it waits
        for its audit entry's commit), so that while sixteen requests wait, the next
        reads and the commit they wait for run on the one warm connection."""
        return self._taken()

    @contextmanager
    def writing(self, *, wait: bool = True) -> Iterator[Connection]:
        """A kept connection for one writing transaction (the caller holds the
        Database's write lock), then read-only again. Not `wait`: its BEGIN raises
        LockHeld at once if another process holds the write lock (engine.SQLITE_NO_WAIT)."""
        with self._taken() as (connection, _):
            driver = connection.connection.dbapi_connection
            connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE",
                                            SQLITE_NO_WAIT: not wait})
            driver.execute("PRAGMA query_only=OFF")
            try:
                yield connection
            finally:
                if connection.in_transaction():
                    connection.rollback()
                connection.execution_options(**{SQLITE_BEGIN: "DEFERRED",
                                                SQLITE_NO_WAIT: False})
                driver.execute("PRAGMA query_only=ON")

    @contextmanager
    def _taken(self) -> Iterator[tuple[Connection, Callable[[], None]]]:
        try:
            connection = self._free.pop()
        except IndexError:
            connection = self._engine.connect()
            connection.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            connection.connection.dbapi_connection.execute("PRAGMA query_only=ON")
        returned = False

        def give_back() -> None:
            # Whatever ended the unit (a use case's NotFound as much as a return), the
            # connection is kept if its transaction ends cleanly.
            nonlocal returned
            if returned:
                return
            returned = True
            kept = False
            try:
                if connection.in_transaction():
                    connection.rollback()
                kept = not connection.invalidated and len(self._free) < self._keep
            finally:
                if kept:
                    self._free.append(connection)
                else:
                    _close(connection)

        try:
            yield connection, give_back
        finally:
            give_back()

    def close(self) -> None:
        while self._free:
            _close(self._free.pop())


def _close(connection: Connection) -> None:
    """Back to the engine's pool as it came: writable, no transaction."""
    try:
        if connection.in_transaction():
            connection.rollback()
        if not connection.invalidated:
            connection.connection.dbapi_connection.execute("PRAGMA query_only=OFF")
    finally:
        connection.close()
