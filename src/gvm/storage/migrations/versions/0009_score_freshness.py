"""Incremental freshness of scores: a durable queue of the people whose stored score is
stale, filled by triggers in the same transaction as any write of their records, and the
current score of each person the freshness worker has re-scored since.

Triggers rather than calls in each write path: every path that writes an offence, an
intelligence item or a custody period (import, the API, the pages, a correction, a
process that is not gvm's) enqueues, in its own transaction, and only for rows actually
written (an upsert that changes nothing fires nothing). SQLite: one row trigger per
table and event. PostgreSQL: statement triggers over the transition tables, one queue
statement per written statement, however many rows it wrote. No delete triggers: the
only deletion of records is erasure, which deletes the person, and the queue entry goes
with them (foreign key, cascade).

`changes` counts the writes since the entry was queued: an upsert that meets an entry
already queued takes its row lock (PostgreSQL), so a worker that claimed the entry with
FOR UPDATE SKIP LOCKED either finishes before that write's transaction may commit, or
never sees the entry in its batch.

Written out by hand like 0001-0008.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BANDS = ("Red", "Amber", "Green", "Zero")
WATCHED = ("people", "offences", "intelligence", "custody")  # people: a new person only
SQLITE_NOW = "(julianday('now') - 2440587.5) * 86400.0"  # unix seconds, to the ms


def _one_of(column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _person_fk() -> sa.ForeignKey:
    return sa.ForeignKey("people.person_id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "score_queue",
        sa.Column("person_id", sa.String, _person_fk(), primary_key=True),
        sa.Column("enqueued_at", sa.Float, nullable=False),
        sa.Column("changes", sa.Integer, nullable=False),
    )
    op.create_index("ix_score_queue_enqueued_at", "score_queue", ["enqueued_at"])
    op.create_table(
        "current_scores",
        sa.Column("person_id", sa.String, _person_fk(), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("policy_name", sa.String, nullable=False),
        sa.Column("policy_version", sa.String, nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("harm_units", sa.BigInteger, nullable=False),
        sa.Column("victim_units", sa.BigInteger, nullable=False),
        sa.Column("harm_band", sa.String, nullable=False),
        sa.Column("victim_band", sa.String, nullable=False),
        sa.Column("eligible", sa.Boolean, nullable=False),
        sa.Column("in_custody", sa.Boolean, nullable=False),
        _one_of("harm_band", *BANDS),
        _one_of("victim_band", *BANDS),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    upsert = " ON CONFLICT (person_id) DO UPDATE SET changes = changes + 1;"
    new = ("INSERT INTO score_queue (person_id, enqueued_at, changes) "  # noqa: S608 - constants only
           f"VALUES (NEW.person_id, {SQLITE_NOW}, 1)" + upsert)
    # An update may move a record to another person (intelligence is keyed by its id):
    # both go stale.
    old = ("INSERT INTO score_queue (person_id, enqueued_at, changes) "
           f"SELECT OLD.person_id, {SQLITE_NOW}, 1 WHERE OLD.person_id <> NEW.person_id"
           + upsert)
    for table in WATCHED:
        op.execute(f"CREATE TRIGGER {table}_enqueue_insert AFTER INSERT ON {table} "
                   f"BEGIN {new} END")
        if table != "people":
            op.execute(f"CREATE TRIGGER {table}_enqueue_update AFTER UPDATE ON {table} "
                       f"BEGIN {new} {old} END")


_PG_ENQUEUE = """
CREATE FUNCTION score_queue_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO score_queue (person_id, enqueued_at, changes)
    SELECT person_id, extract(epoch FROM clock_timestamp()), count(*)
    FROM (SELECT person_id FROM changed UNION ALL SELECT person_id FROM before_change) c
    GROUP BY person_id ORDER BY person_id
    ON CONFLICT (person_id) DO UPDATE SET changes = score_queue.changes + excluded.changes;
  ELSE
    INSERT INTO score_queue (person_id, enqueued_at, changes)
    SELECT person_id, extract(epoch FROM clock_timestamp()), count(*)
    FROM changed GROUP BY person_id ORDER BY person_id
    ON CONFLICT (person_id) DO UPDATE SET changes = score_queue.changes + excluded.changes;
  END IF;
  RETURN NULL;
END $$
"""


def _postgresql_triggers() -> None:
    op.execute(_PG_ENQUEUE)
    for table in WATCHED:
        op.execute(f"CREATE TRIGGER {table}_enqueue_insert AFTER INSERT ON {table} "
                   "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
                   "EXECUTE FUNCTION score_queue_enqueue()")
        if table != "people":
            op.execute(f"CREATE TRIGGER {table}_enqueue_update AFTER UPDATE ON {table} "
                       "REFERENCING OLD TABLE AS before_change NEW TABLE AS changed "
                       "FOR EACH STATEMENT EXECUTE FUNCTION score_queue_enqueue()")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        for event in ("insert", "update"):
            if table == "people" and event == "update":
                continue
            op.execute(f"DROP TRIGGER IF EXISTS {table}_enqueue_{event}"
                       + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS score_queue_enqueue()")
    op.drop_table("current_scores")
    op.drop_table("score_queue")
