"""The queue of stale scores and the current scores (migration 0009), read and written
inside the caller's transaction.

The triggers of migration 0009 fill `score_queue`; the freshness worker
(gvm.services.freshness) claims a batch, reads the batch's records in one set query per
table, scores them, replaces their rows of `current_scores` and deletes their entries,
all in one transaction. Claiming: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two workers
take disjoint batches and a worker that dies releases its batch with its connection; on
SQLite the writing transaction (BEGIN IMMEDIATE) holds the only write lock, so workers
take turns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import (
    Connection,
    String,
    and_,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql

from gvm.domain import frames
from gvm.domain.policy import Policy
from gvm.storage.bulk import insert_many
from gvm.storage.columnar import read_select
from gvm.storage.tables import current_scores, custody, intelligence, offences, score_queue

CURRENT_COLUMNS = ("person_id", "harm_units", "victim_units", "harm_band", "victim_band",
                   "eligible", "in_custody")


def any_stale(conn: Connection) -> bool:
    return conn.execute(select(score_queue.c.person_id).limit(1)).first() is not None


def stale_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(score_queue)).scalar_one())


def stale_people(conn: Connection) -> list[str]:
    """Every queued person id, oldest first."""
    q = score_queue.c
    return list(conn.execute(select(q.person_id).order_by(q.enqueued_at, q.person_id))
                .scalars())


def claim_stale(conn: Connection, limit: int) -> list[str]:
    """Up to `limit` queued person ids, oldest first, held by this transaction."""
    q = score_queue.c
    stmt = select(q.person_id).order_by(q.enqueued_at, q.person_id).limit(limit)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(conn.execute(stmt).scalars())


def _among(column: Any, ids: Sequence[str], dialect: str) -> Any:
    """`column` is one of `ids`, as one parameter: a text array on PostgreSQL, a JSON
    array read by json_each on SQLite. An IN list of literals costs more to build and
    compile in SQLAlchemy than the query costs to run (measured: 25 ms per batch)."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=postgresql.ARRAY(String)))
    listed = select(literal_column("value")).select_from(
        func.json_each(bindparam("ids", json.dumps(list(ids)), type_=String)))
    return column.in_(listed.scalar_subquery())


def _rows_of(conn: Connection, table: Any, layout: dict[str, Any],
             person_ids: Sequence[str], where: Any = None) -> pl.DataFrame:
    stmt = select(*(table.c[c] for c in layout)).where(
        _among(table.c.person_id, person_ids, conn.dialect.name))
    return read_select(conn, stmt if where is None else stmt.where(where), layout)


def scoring_frames_of(conn: Connection, person_ids: Sequence[str], *,
                      offences_after: date | None = None,
                      intelligence_after: Mapping[str, date] | None = None,
                      ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(people, offences, intelligence, custody) of these people, in the layouts of
    gvm.domain.frames: one query per table, not one per person.
    Given the window starts (gvm.domain.batch.window_starts), only the offences dated
    after `offences_after` and the intelligence dated after its category's date are
    read: the rows that can count."""
    ids = sorted(set(person_ids))
    people_frame = pl.DataFrame({"person_id": ids}, schema=frames.PEOPLE)
    o, i = offences.c, intelligence.c
    recent_offences = None if offences_after is None else o.date > offences_after
    recent_intelligence = None if intelligence_after is None else or_(
        *(and_(i.category == category, i.date > after)
          for category, after in sorted(intelligence_after.items())))
    return (people_frame,
            _rows_of(conn, offences, frames.OFFENCES, ids, recent_offences),
            _rows_of(conn, intelligence, frames.INTELLIGENCE, ids, recent_intelligence),
            _rows_of(conn, custody, frames.CUSTODY, ids))


def save_current_scores(conn: Connection, as_of: date, policy: Policy,
                        scores_df: pl.DataFrame, now: datetime | None = None) -> int:
    """Replace these people's current scores (frames.SCORES rows); how many written."""
    now = now or datetime.now(UTC)
    frame = scores_df.select(CURRENT_COLUMNS)
    ids = frame["person_id"].to_list()
    conn.execute(delete(current_scores).where(
        _among(current_scores.c.person_id, ids, conn.dialect.name)))
    stamp = {"as_of": as_of, "policy_name": policy.name, "policy_version": policy.version,
             "policy_hash": policy.content_hash, "scored_at": now}
    return insert_many(conn, current_scores, (
        {**row, **stamp} for row in frame.iter_rows(named=True)))


def remove_stale(conn: Connection, person_ids: Sequence[str]) -> None:
    conn.execute(delete(score_queue).where(
        _among(score_queue.c.person_id, person_ids, conn.dialect.name)))

