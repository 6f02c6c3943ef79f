"""`Prepared`: a SQLAlchemy Core statement compiled once per dialect and run straight on
the DB-API connection, for the statements every request runs (the token check, a
profile's reads, the audit chain head and insert).

Why: executing a statement through SQLAlchemy costs about 60 µs of Python around it
(execution context, events, result metadata and row objects) where SQLite itself takes
5 to 30 µs for these primary-key and index lookups, and a profile view runs eight of them
(docs/PERFORMANCE.md). The statement is still written in Core, over the tables of
tables.py, and compiled by SQLAlchemy for the connection's dialect; its values go through
the same type processors (bind and result) SQLAlchemy would apply, so the rows hold the
same Python values (dates, aware UTC datetimes) on SQLite and PostgreSQL.

It runs inside the Connection's transaction: `rows` begins it first if it has not begun
(on SQLite the `begin` listener of engine.py emits BEGIN DEFERRED or IMMEDIATE), so
prepared reads and ordinary ones share one snapshot, and commit and rollback stay the
Connection's.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

Processor = Callable[[Any], Any] | None


def _iso_date(value: str) -> date:
    return date.fromisoformat(value)


def _iso_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _result_processor(column_type: Any, dialect: Dialect) -> Processor:
    """What SQLAlchemy would apply to a value of `column_type` read back, except that on
    SQLite dates and timestamps (stored as ISO text) are parsed by `fromisoformat`, ten
    times cheaper than SQLAlchemy's regular expression, with the same result (a
    TypeDecorator's own step, e.g. UTCDateTime's, is still applied after it)."""
    impl = column_type.dialect_impl(dialect)
    if dialect.name == "sqlite":
        base = impl.impl_instance if isinstance(impl, TypeDecorator) else impl
        parse = (_iso_datetime if isinstance(base, DateTime) else
                 _iso_date if isinstance(base, Date) else None)
        if parse is not None:
            if not isinstance(impl, TypeDecorator):
                return parse
            decorate = impl.process_result_value
            return lambda value: decorate(parse(value), dialect)
    return impl.result_processor(dialect, None)


class _Compiled:
    __slots__ = ("binds", "direct", "positional", "results", "row", "sql")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        order = compiled.positiontup if self.positional else list(compiled.binds)
        # (name in the SQL, key in the caller's values, value if none given, processor)
        self.binds: list[tuple[str, str, Any, Processor]] = []
        for name in order or ():
            bind = compiled.binds[name]
            self.binds.append((name, bind.key, bind.effective_value,
                               bind.type.dialect_impl(dialect).bind_processor(dialect)))
        columns = list(getattr(statement, "selected_columns", ()))
        results = [_result_processor(c.type, dialect) for c in columns]
        # (column index, processor) of the columns that need one: most need none
        self.results: list[tuple[int, Callable[[Any], Any]]] = [
            (i, p) for i, p in enumerate(results) if p is not None]
        self.row = namedtuple("Row", [c.key for c in columns]) if columns else None  # type: ignore[misc]
        # sqlite3 runs a statement straight from the connection (no cursor object to make)
        self.direct = dialect.name == "sqlite"

    def arguments(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = []
        for _, key, default, process in self.binds:
            value = params.get(key, default)
            values.append(value if process is None or value is None else process(value))
        if self.positional:
            return values
        return {b[0]: value for b, value in zip(self.binds, values, strict=True)}


class Prepared:
    """One statement (a `select`, or an `insert` with bind parameters), compiled on first
    use for each dialect it meets."""

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, conn: Connection) -> _Compiled:
        dialect = conn.dialect
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return found

    @staticmethod
    def _dbapi(conn: Connection) -> Any:
        if not conn.in_transaction():
            conn.begin()
        return conn.connection.dbapi_connection

    def raw_rows(self, conn: Connection, params: Mapping[str, Any] | None = None
                 ) -> list[tuple[Any, ...]]:
        """Every row as a plain tuple of the driver's values (no type processing): for
        callers that convert the values themselves."""
        compiled = self._compiled(conn)
        dbapi = self._dbapi(conn)
        arguments = compiled.arguments(params or {})
        if compiled.direct:
            return dbapi.execute(compiled.sql, arguments).fetchall()  # type: ignore[no-any-return]
        cursor = dbapi.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
            return cursor.fetchall()  # type: ignore[no-any-return]
        finally:
            cursor.close()

    def rows(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row, as named tuples (`row.person_id`), values typed as SQLAlchemy would."""
        make = self._compiled(conn).row._make
        return [make(r) for r in self.values(conn, params)]

    def values(self, conn: Connection, params: Mapping[str, Any] | None = None
               ) -> list[Sequence[Any]]:
        """Every row as a plain sequence of values typed as SQLAlchemy would (in the
        selected columns' order): for the hottest reads, which unpack them at once."""
        found = self.raw_rows(conn, params)
        processors = self._by_dialect[conn.dialect.name].results
        if not processors:
            return found
        out = []
        for r in found:
            values = list(r)
            for i, process in processors:
                if values[i] is not None:
                    values[i] = process(values[i])
            out.append(values)
        return out

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        found = self.rows(conn, params)
        return found[0] if found else None

    def execute_many(self, conn: Connection, params: Iterable[Mapping[str, Any]]) -> None:
        """Run a writing statement once for each set of values."""
        compiled = self._compiled(conn)
        cursor = self._dbapi(conn).cursor()
        try:
            cursor.executemany(compiled.sql, [compiled.arguments(p) for p in params])
        finally:
            cursor.close()
