"""Another writer holding the database longer than a request waits for it, and a
database that cannot be reached at all.

On SQLite one writer at a time holds the database: a `gvm import` or `gvm score` in
another process holds it for minutes, during which a profile view cannot commit the
audit entry it must commit before it shows anything (R-LOG). After the busy timeout
such a request fails with nothing shown and nothing changed, and can simply be tried
again: the service answers 503 with Retry-After rather than a 500 (gvm.api.errors).
PostgreSQL's equivalents: a lock not obtained in time, a serialization failure, a
deadlock. A PostgreSQL server that is down, restarting or lost the connection is a 503
too, not a 500: the request can be tried again once it is back.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, OperationalError


class WriterBusy(TimeoutError):
    """This process's own wait for the write lock or the audit log's commit ran out."""


class LockHeld(WriterBusy):
    """A writer that asked not to wait (engine.SQLITE_NO_WAIT) found the write lock held:
    nothing was written, and the same write can be tried again later."""


# The exception classes `busy` may say yes to, for registering a handler: SQLAlchemy's,
# and SQLite's own (gvm begins its transactions on the driver, outside SQLAlchemy).
BUSY_ERRORS: tuple[type[BaseException], ...] = (DBAPIError, WriterBusy, sqlite3.Error)
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6  # primary result codes
_PG_BUSY = frozenset({"55P03", "40001", "40P01"})  # lock_not_available, serialization, deadlock
# admin_shutdown, crash_shutdown, cannot_connect_now (and class 08, connection exceptions)
_PG_GONE = frozenset({"57P01", "57P02", "57P03"})


def busy(exc: BaseException) -> bool:
    """Did `exc` come from the database being held by another writer too long?"""
    if isinstance(exc, WriterBusy):
        return True
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        return (getattr(orig, "sqlite_errorcode", 0) & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return isinstance(exc, DBAPIError) and getattr(orig, "sqlstate", None) in _PG_BUSY


def unreachable(exc: BaseException) -> bool:
    """Could the database not be reached (a PostgreSQL server down or restarting, a
    connection lost)? SQLite's errors are the file's, never this."""
    if not isinstance(exc, DBAPIError) or isinstance(exc.orig, sqlite3.Error):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is None:  # the driver's own failure: no server answered
        return isinstance(exc, OperationalError)
    return sqlstate.startswith("08") or sqlstate in _PG_GONE
