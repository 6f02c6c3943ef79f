"""Bulk upsert: Core INSERT ... ON CONFLICT DO UPDATE, sent in chunks, on SQLite and
PostgreSQL alike (each through its own dialect insert).

Both paths compile one Core statement per table and skip SQLAlchemy's per-row parameter
handling, which costs more than the database does at 100k rows:
- SQLite: the compiled statement runs as driver SQL with executemany over plain
  tuples (one prepared statement, reused for every row).
- PostgreSQL: one statement per chunk reads the chunk as column arrays,
  `INSERT ... SELECT * FROM unnest(:a, :b, ...) ON CONFLICT ...`, instead of a
  round trip per row; `RETURNING (xmax = 0)` tells inserted rows from updated ones.
An update happens only when a compared column differs, so re-sending unchanged rows
writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, bindparam, cast, func, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite

CHUNK_ROWS = 5_000


def chunked(rows: Iterable[Any], size: int = CHUNK_ROWS) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass(frozen=True, slots=True)
class UpsertCount:
    received: int
    new: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.received - self.new - self.updated

    def as_dict(self) -> dict[str, int]:
        return {"received": self.received, "new": self.new, "updated": self.updated,
                "unchanged": self.unchanged}


def insert_many(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Plain bulk INSERT of new rows (a conflict is an error); how many were sent."""
    rows = list(rows)
    if not rows:
        return 0
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        return _run_postgresql(conn, _unnest_insert(table, columns), columns, rows)[0]
    _run_sqlite(conn, sqlite.insert(table), table, columns, rows)
    return len(rows)


def upsert(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    compare: Sequence[str] | None = None,
    also_set: Sequence[str] = (),
) -> UpsertCount:
    """Insert `rows` (mappings with the same columns); where the natural key `keys`
    exists, update the row only when a `compare` column differs, writing the `also_set`
    columns too (a last-updated stamp). `compare` defaults to every other column; empty
    means DO NOTHING. Rows repeating a key count once, the last one winning.
    """
    unique = {tuple(r[k] for k in keys): r for r in rows}
    if not unique:
        return UpsertCount(0, 0, 0)
    columns = list(next(iter(unique.values())))
    if compare is None:
        compare = [c for c in columns if c not in keys and c not in also_set]
    if conn.dialect.name == "postgresql":
        stmt = _on_conflict(_unnest_insert(table, columns), table, keys, compare, also_set)
        stmt = stmt.returning(literal_column("(xmax = 0)").label("inserted"))
        _, written, new = _run_postgresql(conn, stmt, columns, unique.values())
        return UpsertCount(received=len(unique), new=new, updated=written - new)
    count = select(func.count()).select_from(table)
    before = conn.execute(count).scalar_one()
    stmt = _on_conflict(sqlite.insert(table), table, keys, compare, also_set)
    written = _run_sqlite(conn, stmt, table, columns, unique.values())
    new = conn.execute(count).scalar_one() - before
    return UpsertCount(received=len(unique), new=new, updated=written - new)


def _on_conflict(ins: Any, table: Table, keys: Sequence[str], compare: Sequence[str],
                 also_set: Sequence[str]) -> Any:
    if not compare:
        return ins.on_conflict_do_nothing(index_elements=list(keys))
    return ins.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: ins.excluded[c] for c in (*compare, *also_set)},
        where=or_(*(table.c[c].is_distinct_from(ins.excluded[c]) for c in compare)),
    )


def _run_sqlite(conn: Connection, stmt: Any, table: Table, columns: list[str],
                rows: Iterable[Mapping[str, Any]]) -> int:
    """executemany of the compiled statement over tuples; rows inserted or updated."""
    compiled = stmt.compile(dialect=conn.dialect, column_keys=columns)
    order = [columns.index(name) for name in compiled.positiontup]
    procs = [table.c[c].type.bind_processor(conn.dialect) for c in columns]
    written = 0
    for chunk in chunked(rows):
        values = [[r[c] if p is None else p(r[c]) for c, p in zip(columns, procs, strict=True)]
                  for r in chunk]
        result = conn.exec_driver_sql(compiled.string, [tuple(v[i] for i in order)
                                                        for v in values],
                                      execution_options={"preserve_rowcount": True})
        written += max(result.rowcount, 0)
    return written


def _unnest_insert(table: Table, columns: list[str]) -> Any:
    """INSERT INTO table (columns) SELECT * FROM unnest(:c1::type[], :c2::type[], ...)."""
    arrays = [cast(bindparam(c), postgresql.ARRAY(table.c[c].type)) for c in columns]
    source = func.unnest(*arrays).table_valued(*columns).render_derived()
    return postgresql.insert(table).from_select(columns, select(*source.c))


def _run_postgresql(conn: Connection, stmt: Any, columns: list[str],
                    rows: Iterable[Mapping[str, Any]]) -> tuple[int, int, int]:
    """One execution per chunk; (rows sent, rows returned, rows returned as inserted)."""
    sent = returned = inserted = 0
    for chunk in chunked(rows):  # the ARRAY casts apply each column type's bind processing
        result = conn.execute(stmt, {c: [r[c] for r in chunk] for c in columns})
        sent += len(chunk)
        if result.returns_rows:
            flags = result.scalars().all()
            returned += len(flags)
            inserted += sum(1 for f in flags if f)
    return sent, returned, inserted
