"""Chunked upsert of one table, fed column-wise, inside the caller's transaction: how an
import writes a national bundle as it reads it (see gvm.interchange.BundleStream).

Same statement and the same counts as `bulk.upsert` (insert; where the key exists,
update only when a compared column differs), but the rows arrive in chunks and are
never turned into mappings:
- SQLite: each chunk runs as one executemany of the compiled INSERT .. ON CONFLICT over
  plain tuples, on the driver's cursor; new rows are told from updated ones by counting
  the table before the first chunk and after the last.
- PostgreSQL: each chunk is COPied into a temporary staging table; at the end one
  INSERT .. SELECT .. ON CONFLICT DO UPDATE .. WHERE (distinct) moves them all and
  counts inserted rows with `xmax = 0`. The staging table goes with the transaction.
  A table that is empty (the first import) is locked against other writers and COPied
  into directly: every row is new.
The rows of one load must not repeat a key (a validated bundle never does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Date, Table, column, func, literal, literal_column, select
from sqlalchemy import table as table_clause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from gvm.storage.bulk import UpsertCount, _on_conflict

Column = Sequence[Any]


class TableLoad:
    """Upsert of `table` by its natural key `keys`, fed with `add`, ended by `finish`."""

    def __init__(self, conn: Connection, table: Table, columns: Sequence[str], *,
                 keys: Sequence[str], compare: Sequence[str] | None = None,
                 also_set: Sequence[str] = ()) -> None:
        self.conn = conn
        self.table = table
        self.columns = list(columns)
        self.keys = list(keys)
        self.compare = ([c for c in columns if c not in keys and c not in also_set]
                        if compare is None else list(compare))
        self.also_set = list(also_set)
        self.postgresql = conn.dialect.name == "postgresql"
        self._converters = [_converter(table.c[c].type, conn) for c in self.columns]
        self.received = 0
        self._written = 0
        self._started = False
        self._direct = False  # PostgreSQL: COPY into the (empty) table itself

    def add(self, columns: Sequence[Column]) -> None:
        """One chunk, as one sequence of values per column (in `columns` order)."""
        n = len(columns[0]) if columns else 0
        if not n:
            return
        if not self._started:
            self._start()
            self._started = True
        values = [col if conv is None else list(map(conv, col))
                  for col, conv in zip(columns, self._converters, strict=True)]
        if self.postgresql:
            self._copy(values)
        else:
            # Straight to the driver, the rows made one at a time as it steps through
            # them: no list of a chunk's tuples is built.
            cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                with _as_sqlalchemy_errors(self.conn, self._sql):
                    cursor.executemany(self._sql, zip(*(values[i] for i in self._order),
                                                      strict=True))
                self._written += max(cursor.rowcount, 0)
            finally:
                cursor.close()
        self.received += n

    def finish(self) -> UpsertCount:
        """Counts of the whole load: rows received, new, updated."""
        if not self._started:
            return UpsertCount(0, 0, 0)
        if self._direct:
            written = new = self.received
        elif self.postgresql:
            written, new = self._merge()
        else:
            written = self._written
            new = self.conn.execute(self._count).scalar_one() - self._before
        return UpsertCount(received=self.received, new=new, updated=written - new)

    # SQLite
    def _start(self) -> None:
        if self.postgresql:
            self._stage()
            return
        self._count = select(func.count()).select_from(self.table)
        self._before = self.conn.execute(self._count).scalar_one()
        stmt = _on_conflict(sqlite.insert(self.table), self.table, self.keys, self.compare,
                            self.also_set)
        compiled = stmt.compile(dialect=self.conn.dialect, column_keys=self.columns)
        self._sql = compiled.string
        self._order = [self.columns.index(name) for name in compiled.positiontup or ()]

    # PostgreSQL
    def _has_rows(self) -> bool:
        return self.conn.execute(select(literal(1)).select_from(self.table).limit(1)
                                 ).first() is not None

    def _stage(self) -> None:
        quote = self.conn.dialect.identifier_preparer.quote
        self._stage_name = f"gvm_load_{self.table.name}"
        cols = ", ".join(quote(c) for c in self.columns)
        if not self._has_rows():
            # The first load of a table: nothing to conflict with, so COPY straight in,
            # with other writers of the table held off until the transaction ends.
            self.conn.exec_driver_sql(
                f"LOCK TABLE {quote(self.table.name)} IN SHARE ROW EXCLUSIVE MODE")
            if not self._has_rows():
                self._direct = True
                self._copy_sql = f"COPY {quote(self.table.name)} ({cols}) FROM STDIN"
                return
        # Only the columns, none of the constraints: checks happen on the way in. The
        # identifiers are the schema's own table and column names, quoted.
        self.conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {quote(self._stage_name)} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {cols} FROM {quote(self.table.name)} WITH NO DATA")
        self._copy_sql = f"COPY pg_temp.{quote(self._stage_name)} ({cols}) FROM STDIN"

    def _copy(self, values: list[Column]) -> None:
        driver = self.conn.connection.dbapi_connection
        with (_as_sqlalchemy_errors(self.conn, self._copy_sql),
              driver.cursor() as cursor,  # type: ignore[union-attr]
              cursor.copy(self._copy_sql) as copy):
            write = copy.write_row
            for row in zip(*values, strict=True):
                write(row)

    def _merge(self) -> tuple[int, int]:
        stage = table_clause(self._stage_name,
                             *(column(c, self.table.c[c].type) for c in self.columns),
                             schema="pg_temp")
        ins = postgresql.insert(self.table).from_select(
            self.columns, select(*(stage.c[c] for c in self.columns)))
        stmt = _on_conflict(ins, self.table, self.keys, self.compare, self.also_set)
        written_rows = stmt.returning(
            literal_column("(xmax = 0)").label("inserted")).cte("written")
        written, new = self.conn.execute(select(
            func.count(), func.count().filter(written_rows.c.inserted))).one()
        quote = self.conn.dialect.identifier_preparer.quote
        self.conn.exec_driver_sql(f"DROP TABLE pg_temp.{quote(self._stage_name)}")
        return int(written), int(new)


@contextmanager
def _as_sqlalchemy_errors(conn: Connection, statement: str) -> Iterator[None]:
    """A driver error raised as SQLAlchemy raises it (IntegrityError, ...): the
    statements here run on the driver's cursor, past SQLAlchemy's own handling."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as e:
        raise DBAPIError.instance(statement, None, e, dbapi_error) from e


def _converter(column_type: Any, conn: Connection) -> Callable[[Any], Any] | None:
    """The column type's bind processing, memoised (a bundle repeats a few thousand
    dates and one timestamp). On SQLite a date goes in as its ISO text, which is what
    the driver's default date adapter would make of it (and what a `ColumnChunk` holds)."""
    process = column_type.bind_processor(conn.dialect)
    if process is None and conn.dialect.name == "sqlite" and isinstance(column_type, Date):
        process = _iso_date
    return None if process is None else lru_cache(maxsize=1 << 14)(process)


def _iso_date(value: date | str | None) -> str | None:
    """A date as ISO text; text (a date already so written) as it is."""
    return value if value is None or type(value) is str else value.isoformat()
