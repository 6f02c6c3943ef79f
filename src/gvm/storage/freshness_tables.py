"""Tables of incremental freshness (migration 0009, which also creates the triggers that
fill the queue), on the metadata of gvm.storage.tables (import them from there: that
module imports this one last)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Float, Index, Integer, String, Table

from gvm.storage.tables import BANDS, UTCDateTime, _person_fk, metadata, one_of

# The people whose stored score is stale: queued in the same transaction as any write of
# their offences, intelligence or custody (or their arrival), removed once re-scored.
score_queue = Table(
    "score_queue", metadata,
    Column("person_id", String, _person_fk(), primary_key=True),
    Column("enqueued_at", Float, nullable=False),  # unix seconds, set by the trigger
    Column("changes", Integer, nullable=False),  # writes since queued
    Index("ix_score_queue_enqueued_at", "enqueued_at"),
)

# Each person's current score: the freshest of their score runs' (by as_of, then by when
# computed; a run writes it where fresher, gvm.storage.scores), replaced whenever the
# freshness worker re-scores them after their records change. The search and the cohort
# read their bands from it; gvm.storage.scores.latest_score compares it with the runs.
current_scores = Table(
    "current_scores", metadata,
    Column("person_id", String, _person_fk(), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("policy_name", String, nullable=False),
    Column("policy_version", String, nullable=False),
    Column("policy_hash", String(64), nullable=False),
    Column("scored_at", UTCDateTime, nullable=False),
    Column("harm_units", BigInteger, nullable=False),  # score x 1e8, exact
    Column("victim_units", BigInteger, nullable=False),
    Column("harm_band", String, nullable=False),
    Column("victim_band", String, nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("in_custody", Boolean, nullable=False),
    one_of("harm_band", BANDS),
    one_of("victim_band", BANDS),
)
