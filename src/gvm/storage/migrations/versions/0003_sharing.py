"""Information Sharing Agreements and disclosures (R-ISA, R-SELECTED, R-NOT-SOLE,
R-ACCURACY): isas with their boroughs and permitted fields; disclosures, who received
whose record (disclosure_items: ids only, no foreign key to people, so the list survives
an erasure) and what was sent (disclosure_contents: erased with the person).

Written out by hand like 0001 and 0002; allowed values are frozen here as literals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ORGANISATION_TYPES = ("local_authority", "youth_offending_service", "probation",
                      "community_rehabilitation_company", "housing", "education", "health",
                      "police_force", "rocu")
FIELDS = ("person_id", "names", "date_of_birth", "borough", "harm_score", "harm_band",
          "victim_score", "victim_band", "score_explanation", "custody_status",
          "intelligence_summary_graded", "intelligence_summary", "offences",
          "register_status")


def _one_of(column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _isa_fk() -> sa.ForeignKey:
    return sa.ForeignKey("isas.isa_id", ondelete="CASCADE")


def _disclosure_fk() -> sa.ForeignKey:
    return sa.ForeignKey("disclosures.disclosure_id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "isas",
        sa.Column("isa_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("organisation", sa.String, nullable=False),
        sa.Column("organisation_type", sa.String, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("handling_conditions", sa.Text, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _one_of("organisation_type", *ORGANISATION_TYPES),
    )
    op.create_index("ix_isas_organisation", "isas", ["organisation"])

    op.create_table(
        "isa_boroughs",
        sa.Column("isa_id", sa.Integer, _isa_fk(), nullable=False),
        sa.Column("borough_code", sa.String, sa.ForeignKey("boroughs.code"), nullable=False),
        sa.PrimaryKeyConstraint("isa_id", "borough_code"),
    )

    op.create_table(
        "isa_fields",
        sa.Column("isa_id", sa.Integer, _isa_fk(), nullable=False),
        sa.Column("field", sa.String, nullable=False),
        sa.PrimaryKeyConstraint("isa_id", "field"),
        _one_of("field", *FIELDS),
    )

    op.create_table(
        "disclosures",
        sa.Column("disclosure_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("isa_id", sa.Integer, sa.ForeignKey("isas.isa_id"), nullable=False),
        sa.Column("recipient", sa.String, nullable=False),
        sa.Column("made_by", sa.String, nullable=False),
        sa.Column("made_by_role", sa.String, nullable=False),
        sa.Column("made_at", _utc(), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("policy_version", sa.String, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("handling_conditions", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("acknowledged_at", _utc(), nullable=True),
        sa.Column("acknowledged_by", sa.String, nullable=True),
    )
    op.create_index("ix_disclosures_recipient", "disclosures", ["recipient"])
    op.create_index("ix_disclosures_isa_id", "disclosures", ["isa_id"])

    op.create_table(
        "disclosure_items",
        sa.Column("disclosure_id", sa.Integer, _disclosure_fk(), nullable=False),
        sa.Column("person_id", sa.String, nullable=False),
        sa.PrimaryKeyConstraint("disclosure_id", "person_id"),
    )
    op.create_index("ix_disclosure_items_person_id", "disclosure_items", ["person_id"])

    op.create_table(
        "disclosure_contents",
        sa.Column("disclosure_id", sa.Integer, _disclosure_fk(), nullable=False),
        sa.Column("person_id", sa.String,
                  sa.ForeignKey("people.person_id", ondelete="CASCADE"), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("disclosure_id", "person_id"),
    )
    op.create_index("ix_disclosure_contents_person_id", "disclosure_contents", ["person_id"])


def downgrade() -> None:
    for table in ("disclosure_contents", "disclosure_items", "disclosures", "isa_fields",
                  "isa_boroughs", "isas"):
        op.drop_table(table)
