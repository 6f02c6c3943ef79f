"""Quarterly cohort reviews (R-REVIEW): cohort_reviews and their review_items (one
decision per person, erased with the person); removal requests (R-SUBJECT): ids only, no
foreign key to people, so a request survives the erasure it may lead to.

Written out by hand like 0001-0003; allowed values are frozen here as literals.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REVIEW_DECISIONS = ("retain", "remove", "refer_for_support", "correct_data")
REMOVAL_OUTCOMES = ("removed", "retained", "not_held")


def _one_of(column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cohort_reviews",
        sa.Column("review_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("borough_code", sa.String, sa.ForeignKey("boroughs.code"), nullable=False),
        sa.Column("opened_by", sa.String, nullable=False),
        sa.Column("opened_at", _utc(), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("closed_by", sa.String, nullable=True),
    )
    op.create_index("ix_cohort_reviews_borough_code", "cohort_reviews",
                    ["borough_code", "closed_at"])

    op.create_table(
        "review_items",
        sa.Column("review_id", sa.Integer,
                  sa.ForeignKey("cohort_reviews.review_id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("person_id", sa.String,
                  sa.ForeignKey("people.person_id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision", sa.String, nullable=True),
        sa.Column("rationale", sa.Text, nullable=True),
        sa.Column("decided_by", sa.String, nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("harm_units", sa.BigInteger, nullable=False),
        sa.Column("victim_units", sa.BigInteger, nullable=False),
        sa.Column("eligible", sa.Boolean, nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("review_id", "person_id"),
        _one_of("decision", *REVIEW_DECISIONS),
    )
    op.create_index("ix_review_items_person_id", "review_items", ["person_id"])

    op.create_table(
        "removal_requests",
        sa.Column("request_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String, nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("logged_by", sa.String, nullable=False),
        sa.Column("outcome", sa.String, nullable=True),
        sa.Column("answered_at", _utc(), nullable=True),
        sa.Column("answered_by", sa.String, nullable=True),
        _one_of("outcome", *REMOVAL_OUTCOMES),
    )
    op.create_index("ix_removal_requests_person_id", "removal_requests", ["person_id"])


def downgrade() -> None:
    for table in ("removal_requests", "review_items", "cohort_reviews"):
        op.drop_table(table)
