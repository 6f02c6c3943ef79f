"""The scoring frames (gvm.domain.frames layouts) read through ADBC, the drivers that
hand back Arrow columns (SQLite's C library, PostgreSQL's binary COPY) instead of one
Python tuple per row: the same frames as gvm.storage.columnar.scoring_frames, 2-3
times faster on a whole register (docs/PERFORMANCE.md, "From the database").

ADBC connections are other connections: they see committed data, not the caller's
transaction. `scoring_frames` therefore reads through them only when they can see
exactly what the caller's transaction sees, and returns None otherwise (the caller then reads
through its own connection with gvm.storage.columnar):

- PostgreSQL: the caller's transaction exports its snapshot (`pg_export_snapshot`) and
  every ADBC transaction imports it, so all read the same committed state. Refused once
  the caller has written (an assigned transaction id): its own changes would be missed.
  A reduction of the whole register's frames (a re-score) runs in a process of its own
  for a big register (PG_PROCESS_MIN_BLOCKS), so that the frames never enter this one's
  memory; one borough's are a thirtieth of that, less than starting the process costs.
- SQLite: in a reading process of its own (gvm.storage.frames_process), for registers
  of SQLITE_MIN_ROWS intelligence items or more. The ADBC driver carries its own copy of
  SQLite (3.53 beside Python's 3.40), and two copies of SQLite in one process do not
  share their bookkeeping of POSIX locks: closing the driver's file would release every
  lock the process holds on the database, the other copy's included (seen here, when
  the driver ran in the server's process: a re-score's commit failed with "locking
  protocol"). In a process of its own the driver's copy is the only one opening the
  file. What it sees: a writing unit of work began IMMEDIATE and holds the write lock,
  so nothing can commit while it runs and the latest committed state is what it reads;
  refused if it has changed a row (total_changes moved since its BEGIN). A read-only
  unit of work (DEFERRED) keeps its own reader: its snapshot is fixed by its first read,
  SQLite cannot hand it to another connection, and its later reads must agree with
  this one. An in-memory or URI-named database cannot be opened twice: refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table, and_, func, literal_column, select, text
from sqlalchemy.dialects import postgresql

from gvm.domain import frames
from gvm.storage.columnar import scoring_query
from gvm.storage.engine import SQLITE_BEGIN, SQLITE_BUSY_TIMEOUT_MS, SQLITE_CHANGES_AT_BEGIN
from gvm.storage.tables import custody, intelligence, offences, people

Frames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]
_TABLES = ((people, frames.PEOPLE), (offences, frames.OFFENCES),
           (intelligence, frames.INTELLIGENCE), (custody, frames.CUSTODY))
# PostgreSQL's own placeholders ($1), which the ADBC driver binds.
_PG_DIALECT = postgresql.dialect(paramstyle="numeric_dollar")
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
_NULL = "__is_null"
SQLITE_BATCH_OPTION = "adbc.sqlite.query.batch_rows"
SQLITE_BATCH_ROWS = 65_536
# The two big tables are read as row ranges (SQLite rowids, PostgreSQL block ranges), one
# per connection and thread, when they are at least this big: the drivers and Polars
# release the GIL, so the connections read on every core.
MAX_WORKERS = 4
SPLIT_MIN_ROWS = 200_000  # SQLite: rowids spanned
SPLIT_MIN_BLOCKS = 2_000  # PostgreSQL: 8 KiB pages, about 16 MB
# SQLite: below this many intelligence items (rowids) the cursor reader is quicker than
# starting a reading process (about a second).
SQLITE_MIN_ROWS = 1_000_000
# PostgreSQL: from this many 8 KiB pages of intelligence (about 1.1 million items: 54 a
# page in the national register, as SQLITE_MIN_ROWS) a reduction reads and reduces in a
# process of its own (frames_process.py).
PG_PROCESS_MIN_BLOCKS = 20_000


def workers() -> int:
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


@dataclass(frozen=True, slots=True)
class _Backend:
    """How to open and start a second connection, compile the reader's queries, split
    a table into row ranges and turn a fetched Arrow table into the layout."""

    connect: Callable[[], Any]
    start: Callable[[Any], None]
    query: Callable[[Table, dict[str, Any]], Any]
    dialect: Any
    ranges: Callable[[Table, int], list[Any]]
    convert: Callable[[Any, Table, dict[str, Any]], pl.DataFrame]
    # How a reading process opens the same connections (frames_process.main).
    process: dict[str, Any]


def scoring_frames(conn: Connection, borough: str | None = None, *,
                   connections: int | None = None, sqlite: bool | None = None
                   ) -> Frames | None:
    """(people, offences, intelligence, custody) as columnar.scoring_frames gives them,
    read over ADBC (on up to `connections` at once, default one per core, at most
    MAX_WORKERS); None when that would not see what `conn`'s transaction sees.

    SQLite (see the module's docstring): in a process of its own (frames_process.py),
    for a register big enough to repay starting it (SQLITE_MIN_ROWS intelligence items,
    unless `sqlite` says yes or no)."""
    return _read(conn, borough, None, connections, sqlite)


def reduced(conn: Connection, reduce: Callable[..., pl.DataFrame], borough: str | None = None,
            *, connections: int | None = None, sqlite: bool | None = None
            ) -> pl.DataFrame | None:
    """`reduce(people, offences, intelligence, custody)` of the frames scoring_frames
    would read, or None when it would return None. Where the frames are read in a process
    of their own (SQLite; PostgreSQL past PG_PROCESS_MIN_BLOCKS) that process applies it
    (`reduce` must pickle: a module's function, or a partial of one), so only its result
    comes back."""
    return _read(conn, borough, reduce, connections, sqlite)


def _read(conn: Connection, borough: str | None, reduce: Callable[..., pl.DataFrame] | None,
          connections: int | None, sqlite: bool | None) -> Any:
    from gvm.storage import frames_process

    n_workers = connections or workers()
    if conn.dialect.name == "sqlite":
        if sqlite is False or (sqlite is None and not _big(conn)):
            return None
        second = _sqlite(conn, borough)
        if second is None:
            return None
        parts = plan(second, n_workers)
        if reduce is None:
            return frames_process.read_in_process(second.process, parts, n_workers)
        return frames_process.reduce_in_process(second.process, parts, n_workers, reduce)
    second = backend(conn, borough)
    if second is None:
        return None
    parts = plan(second, n_workers)
    if reduce is not None and borough is None and _pg_big(conn):  # a borough's is small
        result = frames_process.reduce_in_process(second.process, parts, n_workers, reduce)
        if result is not None:
            return result  # else read here: the snapshot is still the caller's
    frames = read_parts(second, parts, n_workers)
    return frames if frames is None or reduce is None else reduce(*frames)


def backend(conn: Connection, borough: str | None = None) -> _Backend | None:
    """How to read `conn`'s view over second connections; None if they cannot see it.
    SQLite's second connections are opened in another process (frames_process.py)."""
    if conn.dialect.name == "postgresql":
        return _postgresql(conn, borough)
    if conn.dialect.name == "sqlite":
        return _sqlite(conn, borough)
    return None


# One query of a plan: (table's index in _TABLES, SQL, parameters).
Part = tuple[int, str, list[Any]]


def plan(backend: _Backend, n_workers: int) -> list[Part]:
    """Every table's query (the big tables' split in row ranges), compiled."""
    parts: list[Part] = []
    for index, (table, layout) in enumerate(_TABLES):
        for where in backend.ranges(table, n_workers):
            query = backend.query(table, layout)
            compiled = (query if where is None else query.where(where)).compile(
                dialect=backend.dialect)
            params = [compiled.params[n] for n in compiled.positiontup or ()]
            parts.append((index, compiled.string, params))
    return parts


def read_parts(backend: _Backend, parts: list[Part], n_workers: int) -> Frames | None:
    """The planned queries over up to `n_workers` connections, one lane of parts each;
    None if a connection could not be opened."""
    # Small tables only: one connection, in this thread, is quicker than opening more.
    lanes = min(n_workers, len(parts)) if len(parts) > len(_TABLES) else 1
    lane_parts: list[list[int]] = [[] for _ in range(lanes)]
    for i in range(len(parts)):  # the ranges of a table land on different lanes
        lane_parts[i % lanes].append(i)
    done: dict[int, pl.DataFrame] = {}

    def run(lane: list[int]) -> bool:
        try:
            adbc = backend.connect()
        except Exception:  # never report it: the error may quote the URI and password
            return False
        try:
            cursor = adbc.cursor()
            try:
                backend.start(cursor)
                for i in lane:
                    index, sql, params = parts[i]
                    table, layout = _TABLES[index]
                    cursor.execute(sql, tuple(params) or None)
                    done[i] = _fetch(cursor, backend, table, layout)
            finally:
                cursor.close()
        finally:
            adbc.close()
        return True

    if lanes == 1:
        opened = [run(lane_parts[0])]
    else:
        with ThreadPoolExecutor(lanes) as pool:
            opened = list(pool.map(run, lane_parts))
    if not all(opened):
        return None
    return tuple(  # type: ignore[return-value]
        pl.concat([done[i] for i, part in enumerate(parts) if part[0] == index],
                  rechunk=False)
        for index in range(len(_TABLES)))


def _fetch(cursor: Any, backend: _Backend, table: Table, layout: dict[str, Any]
           ) -> pl.DataFrame:
    """Converted batch by batch, so that only one batch at a time is held twice (as
    Arrow and as Polars), not the whole result."""
    import pyarrow as pa

    reader = cursor.fetch_record_batch()
    chunks = [backend.convert(batch, table, layout) for batch in reader]
    if not chunks:
        return backend.convert(pa.Table.from_batches([], reader.schema), table, layout)
    return pl.concat(chunks, rechunk=False)


def _postgresql(conn: Connection, borough: str | None) -> _Backend | None:
    if (conn.dialect.server_version_info or (0,)) < (13,):
        return None  # no pg_current_xact_id_if_assigned
    wrote, snapshot, search_path = conn.exec_driver_sql(
        "SELECT pg_current_xact_id_if_assigned() IS NOT NULL, pg_export_snapshot(), "
        "current_setting('search_path')").one()
    if wrote or not _SNAPSHOT_ID.fullmatch(snapshot):
        return None
    uri = conn.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def ranges(table: Table, n: int) -> list[Any]:
        # Block ranges (TID range scans, PostgreSQL 14+). The last range is open: rows
        # the snapshot sees lie in blocks that existed when it was taken.
        if n == 1 or table not in (offences, intelligence) or (
                conn.dialect.server_version_info or (0,)) < (14,):
            return [None]
        blocks = _blocks(conn, table)
        if blocks < max(SPLIT_MIN_BLOCKS, n):
            return [None]
        ctid = f"{table.name}.ctid"
        bounds = [None, *(blocks * i // n for i in range(1, n)), None]
        return [text(" AND ".join(
            ([f"{ctid} >= '({a},0)'::tid"] if a is not None else [])
            + ([f"{ctid} < '({b},0)'::tid"] if b is not None else [])))
            for a, b in pairwise(bounds)]

    return replace(postgresql_backend(uri, snapshot, search_path), dialect=_PG_DIALECT,
                   ranges=ranges, query=lambda t, layout: scoring_query(t, layout, borough))


def postgresql_backend(uri: str, snapshot: str, search_path: str) -> _Backend:
    """What running a plan needs on PostgreSQL: connections that see `snapshot`."""
    if not _SNAPSHOT_ID.fullmatch(snapshot):  # it is spliced into a statement
        raise ValueError("not a snapshot id")

    def connect() -> Any:
        from adbc_driver_postgresql import dbapi

        return dbapi.connect(uri, autocommit=True)

    def start(cursor: Any) -> None:
        # The connection is in autocommit: this transaction is ours, REPEATABLE READ to
        # take the caller's snapshot (which must be its first statement).
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        cursor.execute("SELECT set_config('search_path', $1, true)", (search_path,))
        cursor.fetchall()

    return _Backend(connect=connect, start=start, query=_unplanned, dialect=None,
                    ranges=_unplanned, convert=_convert_pg,
                    process={"backend": "postgresql", "uri": uri, "snapshot": snapshot,
                             "search_path": search_path})


def _unplanned(*_: Any) -> Any:
    raise RuntimeError("a reading process runs a plan made by its caller")


def _pg_big(conn: Connection) -> bool:
    """Is the register big enough for a reading process to pay for its start?"""
    return _blocks(conn, intelligence) >= PG_PROCESS_MIN_BLOCKS


def _blocks(conn: Connection, table: Table) -> int:
    return conn.execute(text(
        "SELECT pg_relation_size(CAST(:t AS regclass)) / current_setting('block_size')::int"),
        {"t": table.name}).scalar_one()


def _convert_pg(arrow: Any, table: Table, layout: dict[str, Any]) -> pl.DataFrame:
    # Real date columns arrive as Arrow date32, text as strings: only the names to check.
    return _exact(pl.from_arrow(arrow), layout)  # type: ignore[arg-type]


def _big(conn: Connection) -> bool:
    """Is the register big enough for a reading process to pay for its start?"""
    high = conn.execute(select(func.max(literal_column("intelligence.rowid")))
                        .select_from(intelligence)).scalar()
    return (high or 0) >= SQLITE_MIN_ROWS


def _uri(conn: Connection) -> str:
    return Path(conn.engine.url.database or "").resolve().as_uri() + "?mode=ro"


def _sqlite(conn: Connection, borough: str | None) -> _Backend | None:
    database = conn.engine.url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    mode = str(conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")).upper()
    if mode not in ("IMMEDIATE", "EXCLUSIVE"):
        return None  # a reader: see the module docstring
    if not conn.in_transaction():
        conn.exec_driver_sql("SELECT 1")  # begins IMMEDIATE: the write lock, held from now
    if conn.connection.dbapi_connection.total_changes != conn.info.get(  # type: ignore[union-attr]
            SQLITE_CHANGES_AT_BEGIN):
        return None

    def ranges(table: Table, n: int) -> list[Any]:
        if n == 1 or table not in (offences, intelligence):
            return [None]
        rowid = literal_column(f"{table.name}.rowid")
        low, high = conn.execute(select(func.min(rowid), func.max(rowid))
                                 .select_from(table)).one()
        if low is None or high - low < max(SPLIT_MIN_ROWS, n):
            return [None]
        bounds = [None, *(low + (high - low) * i // n for i in range(1, n)), None]
        return [and_(*([rowid >= a] if a is not None else []),
                     *([rowid < b] if b is not None else []))
                for a, b in pairwise(bounds)]

    return replace(sqlite_backend(_uri(conn)), dialect=conn.dialect, ranges=ranges,
                   query=lambda t, layout: sqlite_query(t, layout, borough))


def sqlite_backend(uri: str) -> _Backend:
    """What the reading process needs to run a plan on SQLite: connect, start, convert
    (the queries arrive compiled)."""
    def connect() -> Any:
        from adbc_driver_sqlite import dbapi

        return dbapi.connect(uri)

    def start(cursor: Any) -> None:
        # Read-only connections starting at once can find the WAL's read marks busy
        # for a moment: wait, as gvm's own connections do.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
        cursor.fetchall()
        # Larger batches than the driver's 1,024 rows: measured 15-20% less CPU.
        cursor.adbc_statement.set_options(**{SQLITE_BATCH_OPTION: str(SQLITE_BATCH_ROWS)})

    return _Backend(connect=connect, start=start, query=_unplanned, dialect=None,
                    ranges=_unplanned, convert=_convert_sqlite,
                    process={"backend": "sqlite", "uri": uri})


def sqlite_query(table: Table, layout: dict[str, Any], borough: str | None) -> Any:
    """scoring_query with each nullable column as ifnull(column, '') and a NULL flag."""
    nullable = [name for name in layout if table.c[name].nullable]
    return scoring_query(table, layout, borough).with_only_columns(
        *(func.ifnull(table.c[name], "").label(name) if name in nullable
          else table.c[name] for name in layout),
        *(table.c[name].is_(None).label(name + _NULL) for name in nullable),
        maintain_column_froms=True)


def _convert_sqlite(arrow: Any, table: Table, layout: dict[str, Any]) -> pl.DataFrame:
    """The driver types each column by the values of its first batch, so a nullable
    column whose first thousand rows are NULL would be typed integer and then fail on
    text: sqlite_query reads such columns as ifnull(column, '') beside a NULL flag."""
    raw = pl.from_arrow(arrow)
    assert isinstance(raw, pl.DataFrame)
    nullable = [name for name in layout if table.c[name].nullable]
    # Dates are ISO text in SQLite (as columnar.read_select reads them); an empty
    # result has integer columns, which cast to empty text.
    frame = raw.select(
        pl.when(pl.col(name + _NULL) == 0).then(pl.col(name).cast(pl.String))
        .alias(name) if name in nullable else pl.col(name).cast(pl.String)
        for name in layout)
    return _exact(frame.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d")
        for name, dtype in layout.items() if dtype == pl.Date), layout)


def _exact(frame: pl.DataFrame, layout: dict[str, Any]) -> pl.DataFrame:
    """`frame` with exactly the layout's columns and types (a cast that fails raises)."""
    if frame.columns != list(layout):
        raise ValueError(f"expected columns {list(layout)}, read {frame.columns}")
    return frame.cast(layout)  # type: ignore[arg-type]
