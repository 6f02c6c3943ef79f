"""Four-weekly borough meetings (R-MEETING, R-CONFIDENTIAL): meetings, their attendees
with each one's signed confidentiality agreement, and the actions recorded; diversion
referrals to support services (R-DIVERT). Actions about a person and referrals go with
the person on erasure (R-RETENTION).

Written out by hand like 0001-0004; allowed values are frozen here as literals.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ATTENDEE_KINDS = ("user", "representative")
REFERRAL_OUTCOMES = ("engaged", "completed", "declined", "not_taken_up")


def _one_of(column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _person() -> sa.ForeignKey:
    return sa.ForeignKey("people.person_id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("meeting_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("borough_code", sa.String, sa.ForeignKey("boroughs.code"), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("agenda", sa.Text, nullable=False),
        sa.Column("scheduled_by", sa.String, nullable=False),
        sa.Column("scheduled_at", _utc(), nullable=False),
        sa.UniqueConstraint("borough_code", "held_on"),
    )
    op.create_table(
        "meeting_attendees",
        sa.Column("attendee_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer,
                  sa.ForeignKey("meetings.meeting_id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("organisation", sa.String, nullable=True),
        sa.Column("added_by", sa.String, nullable=False),
        sa.Column("signed_at", _utc(), nullable=True),
        sa.Column("agreement_version", sa.String, nullable=True),
        sa.Column("read_out_by", sa.String, nullable=True),
        _one_of("kind", *ATTENDEE_KINDS),
        sa.UniqueConstraint("meeting_id", "kind", "name"),
    )
    op.create_table(
        "meeting_actions",
        sa.Column("action_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer,
                  sa.ForeignKey("meetings.meeting_id", ondelete="CASCADE"), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("owner", sa.String, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("person_id", sa.String, _person(), nullable=True),
        sa.Column("recorded_by", sa.String, nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
    )
    op.create_index("ix_meeting_actions_meeting_id", "meeting_actions", ["meeting_id"])
    op.create_index("ix_meeting_actions_person_id", "meeting_actions", ["person_id"])
    op.create_table(
        "support_referrals",
        sa.Column("referral_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String, _person(), nullable=False),
        sa.Column("organisation", sa.String, nullable=False),
        sa.Column("referred_on", sa.Date, nullable=False),
        sa.Column("referred_by", sa.String, nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("outcome", sa.String, nullable=True),
        sa.Column("outcome_on", sa.Date, nullable=True),
        sa.Column("outcome_by", sa.String, nullable=True),
        _one_of("outcome", *REFERRAL_OUTCOMES),
    )
    op.create_index("ix_support_referrals_person_id", "support_referrals", ["person_id"])


def downgrade() -> None:
    for table in ("support_referrals", "meeting_actions",
                  "meeting_attendees", "meetings"):
        op.drop_table(table)
