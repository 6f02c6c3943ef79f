"""The parent or guardian a subject report or erasure notice about a child went to
(policy [children]). Goes with the person on erasure (R-RETENTION).

Written out by hand like 0001-0006.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guardian_contacts",
        sa.Column("contact_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String,
                  sa.ForeignKey("people.person_id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String, nullable=False),
        sa.Column("guardian", sa.String, nullable=False),
        sa.Column("recorded_by", sa.String, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_guardian_contacts_person_id", "guardian_contacts", ["person_id"])


def downgrade() -> None:
    op.drop_table("guardian_contacts")
