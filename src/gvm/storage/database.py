"""`Database`: one register database (SQLite file or PostgreSQL, by URL), its schema
and its units of work.

    db = Database("sqlite:///gvm.db")
    db.upgrade()
    with db.unit_of_work() as uow:
        ...
        uow.commit()
    db.dispose()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from gvm.storage import audit as audit_log
from gvm.storage.engine import SQLITE_BEGIN, make_engine
from gvm.storage.migrate import upgrade
from gvm.storage.unit_of_work import UnitOfWork


class Database:
    """One database: SQLite file or PostgreSQL, by URL. Close with `dispose()` (or use it
    as a context manager)."""

    def __init__(self, url: str | URL, **engine_options: Any) -> None:
        self.engine: Engine = make_engine(url, **engine_options)

    @property
    def url(self) -> URL:
        return self.engine.url

    def upgrade(self) -> None:
        """Create or migrate the schema to head and seed reference data; idempotent."""
        upgrade(self.engine)

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[UnitOfWork]:
        """A unit of work. A `read_only` one can neither write nor audit; on SQLite it
        begins DEFERRED, so it neither waits for nor holds up a writer."""
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if read_only and sqlite:
                connection.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
                connection.connection.dbapi_connection.execute("PRAGMA query_only=ON")
            elif read_only:
                connection.execution_options(postgresql_readonly=True)
            try:
                yield UnitOfWork(connection)
            finally:
                try:
                    if connection.in_transaction():
                        connection.rollback()
                finally:
                    if read_only and sqlite:  # the connection goes back to the pool
                        connection.connection.dbapi_connection.execute("PRAGMA query_only=OFF")

    def verify_audit(self) -> audit_log.VerifyResult:
        with self.unit_of_work(read_only=True) as uow:
            return uow.verify_audit()

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()
