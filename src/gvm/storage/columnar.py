"""Read the scoring engine's input as Polars frames with exactly the layouts of
gvm.domain.frames, straight from the driver's cursor (no ORM, no per-row type
processing), in batches so memory stays near the frame's own size.

Measured at 100k offences: this is faster than `pl.read_database` on both backends
(SQLite 0.2 s against 0.7 s, PostgreSQL 0.4 s against 0.55 s)."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table, and_, select

from gvm.domain import frames
from gvm.domain.model import IntelCategory, Role
from gvm.storage.tables import (
    custody,
    gang_relations,
    gangs,
    intelligence,
    offences,
    people,
    register_decisions,
)

FETCH_ROWS = 50_000


def scoring_query(table: Table, layout: dict[str, Any], borough: str | None) -> Any:
    """The `layout` columns of `table`, of one borough's people if given."""
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
    return read_select(conn, scoring_query(table, layout, borough), layout)


def read_select(conn: Connection, stmt: Any, layout: dict[str, Any]) -> pl.DataFrame:
    """The rows of a Core `select` whose columns are `layout`, in order, as a frame."""
    # render_postcompile: an IN list's values become parameters of their own.
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    # SQLite hands dates back as ISO text (and takes them as ISO text): read as strings,
    # parse in Polars.
    text_dates = conn.dialect.name == "sqlite"

    def bound(value: Any) -> Any:
        return value.isoformat() if text_dates and isinstance(value, date) else value

    values = compiled.params  # built anew on each access: once, not once per parameter
    if compiled.positiontup is not None:  # qmark (SQLite): parameters by position
        params: Any = tuple(bound(values[name]) for name in compiled.positiontup)
    else:
        params = {k: bound(v) for k, v in values.items()}
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


EQUALITY_PEOPLE = {"person_id": pl.String, "borough_code": pl.String, "ethnicity": pl.String,
                   "sex": pl.String, "date_of_birth": pl.Date}
SUSPECT_OFFENCES = {"person_id": pl.String, "date": pl.Date, "ho_offence_code": pl.String}


def equality_frames(conn: Connection, after: date, until: date
                    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What equality monitoring reads (R-EQUALITY), no names:
    - people: EQUALITY_PEOPLE of everyone held;
    - register decisions: person_id, decision, decided_at (UTC) of every decision;
    - suspect offences: SUSPECT_OFFENCES of every offence recorded with a suspect,
      dated after `after` up to and including `until`."""
    who = read_select(conn, select(*(people.c[n] for n in EQUALITY_PEOPLE))
                      .order_by(people.c.person_id), EQUALITY_PEOPLE)
    d = register_decisions.c
    rows = conn.execute(select(d.person_id, d.decision, d.decided_at)
                        .order_by(d.decided_at, d.decision_id)).all()
    decisions = pl.DataFrame(
        [tuple(r) for r in rows], orient="row",
        schema={"person_id": pl.String, "decision": pl.String,
                "decided_at": pl.Datetime("us", "UTC")})
    o = offences.c
    suspects = read_select(
        conn, select(*(o[n] for n in SUSPECT_OFFENCES))
        .where(and_(o.role == Role.SUSPECT.value, o.date > after, o.date <= until)),
        SUSPECT_OFFENCES)
    return who, decisions, suspects


GANGS = {"gang_id": pl.String, "name": pl.String, "borough_code": pl.String}
GANG_RELATIONS = {"gang_a": pl.String, "gang_b": pl.String, "relation": pl.String,
                  "date": pl.Date}
MEMBERSHIPS = {"person_id": pl.String, "gang_id": pl.String, "date": pl.Date}


def gang_frames(conn: Connection) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What the gang conflict picture reads: GANGS, GANG_RELATIONS (without their
    source) and MEMBERSHIPS (person_id, gang_id and date of every gang_membership
    intelligence item: ids only, no summary)."""
    g, r, i = gangs.c, gang_relations.c, intelligence.c
    return (
        read_select(conn, select(g.gang_id, g.name, g.borough_code).order_by(g.gang_id),
                    GANGS),
        read_select(conn, select(r.gang_a, r.gang_b, r.relation, r.date), GANG_RELATIONS),
        read_select(conn, select(i.person_id, i.gang_id, i.date).where(
            i.category == IntelCategory.GANG_MEMBERSHIP.value), MEMBERSHIPS),
    )
