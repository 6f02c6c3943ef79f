"""Read the scoring engine's input as Polars frames with exactly the layouts of
gvm.domain.frames, straight from the driver's cursor (no ORM, no per-row type
processing), in batches so memory stays near the frame's own size.

Measured at 100k offences: this is faster than `pl.read_database` on both backends
(SQLite 0.2 s against 0.7 s, PostgreSQL 0.4 s against 0.55 s)."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, Table, select

from gvm.domain import frames
from gvm.storage.tables import custody, intelligence, offences, people

FETCH_ROWS = 50_000


def _query(table: Table, layout: dict[str, Any], borough: str | None) -> Any:
    stmt = select(*(table.c[name] for name in layout))
    if borough is not None:
        if table is people:
            stmt = stmt.where(people.c.borough_code == borough)
        else:
            stmt = stmt.join(people, people.c.person_id == table.c.person_id).where(
                people.c.borough_code == borough)
    # Only people come sorted: the engine does not depend on row order, and sorting
    # 100k offences costs as much as reading them.
    return stmt.order_by(people.c.person_id) if table is people else stmt


def read_frame(conn: Connection, table: Table, layout: dict[str, Any],
               borough: str | None = None) -> pl.DataFrame:
    """The `layout` columns of `table` (of one borough's people if given) as a frame."""
    compiled = _query(table, layout, borough).compile(dialect=conn.dialect)
    if compiled.positiontup is not None:  # qmark (SQLite): parameters by position
        params: Any = tuple(compiled.params[name] for name in compiled.positiontup)
    else:
        params = compiled.params
    # SQLite hands dates back as ISO text: read as strings, parse in Polars.
    text_dates = conn.dialect.name == "sqlite"
    raw_schema = {name: (pl.String if text_dates and dtype == pl.Date else dtype)
                  for name, dtype in layout.items()}
    parts = []
    cursor = conn.connection.dbapi_connection.cursor()  # same connection and transaction
    try:
        cursor.execute(compiled.string, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            parts.append(pl.DataFrame(rows, schema=raw_schema, orient="row"))
    finally:
        cursor.close()
    frame = pl.concat(parts) if parts else frames.empty(raw_schema)
    if text_dates:
        frame = frame.with_columns(
            pl.col(name).str.to_date("%Y-%m-%d")
            for name, dtype in layout.items() if dtype == pl.Date
        )
    return frame


def scoring_frames(conn: Connection, borough: str | None = None
                   ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(people, offences, intelligence, custody) as frames.PEOPLE, OFFENCES,
    INTELLIGENCE and CUSTODY; all people, or those of one borough (by GSS code)."""
    return (
        read_frame(conn, people, frames.PEOPLE, borough),
        read_frame(conn, offences, frames.OFFENCES, borough),
        read_frame(conn, intelligence, frames.INTELLIGENCE, borough),
        read_frame(conn, custody, frames.CUSTODY, borough),
    )


def people_boroughs(conn: Connection, borough: str | None = None) -> pl.DataFrame:
    """person_id and borough_code of everyone held (or of one borough)."""
    return read_frame(conn, people, {"person_id": pl.String, "borough_code": pl.String},
                      borough)
