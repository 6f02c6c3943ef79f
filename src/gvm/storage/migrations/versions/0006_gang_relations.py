"""Recorded rivalries and alliances between gangs (the optional gang_relations file of a
bundle), for the gang conflict picture. About groups, not people: no personal data.

Written out by hand like 0001-0004; allowed values are frozen here as literals.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gang_relations",
        sa.Column("gang_a", sa.String, sa.ForeignKey("gangs.gang_id"), nullable=False),
        sa.Column("gang_b", sa.String, sa.ForeignKey("gangs.gang_id"), nullable=False),
        sa.Column("relation", sa.String, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.PrimaryKeyConstraint("gang_a", "gang_b", "relation", "date"),
        sa.CheckConstraint("gang_a <> gang_b", name="gang_pair"),
        sa.CheckConstraint("relation IN ('rivalry', 'alliance')", name="relation"),
    )
    op.create_index("ix_gang_relations_gang_b", "gang_relations", ["gang_b"])


def downgrade() -> None:
    op.drop_index("ix_gang_relations_gang_b", table_name="gang_relations")
    op.drop_table("gang_relations")
