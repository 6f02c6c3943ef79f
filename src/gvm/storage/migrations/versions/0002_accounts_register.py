"""Accounts and sign-in (users, sessions, API tokens) and the human decisions on who is
on the register (register_entries: the current state; register_decisions: the history).

Written out by hand like 0001; allowed values are frozen here as literals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLES = ("borough_analyst", "gang_lead", "force_analyst", "partner", "dpo", "admin")


def _one_of(column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("users.user_id", ondelete="CASCADE")


def _person_fk() -> sa.ForeignKey:
    return sa.ForeignKey("people.person_id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String, nullable=False),
        sa.Column("password_hash", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("borough_code", sa.String, sa.ForeignKey("boroughs.code"), nullable=True),
        sa.Column("organisation", sa.String, nullable=True),
        sa.Column("totp_secret", sa.String, nullable=True),
        sa.Column("mfa_enrolled", sa.Boolean, nullable=False),
        sa.Column("totp_last_step", sa.BigInteger, nullable=True),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", _utc(), nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_login_at", _utc(), nullable=True),
        sa.UniqueConstraint("username"),
        _one_of("role", *ROLES),
    )

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, _user_fk(), nullable=False),
        sa.Column("csrf_token", sa.String, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.Column("absolute_expiry", _utc(), nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])

    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, _user_fk(), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("last_used_at", _utc(), nullable=True),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])

    op.create_table(
        "register_entries",
        sa.Column("person_id", sa.String, _person_fk(), primary_key=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("since", _utc(), nullable=False),
        sa.Column("decided_by", sa.String, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        _one_of("status", "on", "off"),
    )
    op.create_index("ix_register_entries_status", "register_entries", ["status"])

    op.create_table(
        "register_decisions",
        sa.Column("decision_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String, _person_fk(), nullable=False),
        sa.Column("decision", sa.String, nullable=False),
        sa.Column("decided_by", sa.String, nullable=False),
        sa.Column("decided_by_role", sa.String, nullable=False),
        sa.Column("decided_at", _utc(), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("harm_units", sa.BigInteger, nullable=False),
        sa.Column("victim_units", sa.BigInteger, nullable=False),
        sa.Column("eligible", sa.Boolean, nullable=False),
        sa.Column("policy_version", sa.String, nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        _one_of("decision", "include", "remove"),
    )
    op.create_index("ix_register_decisions_person_id", "register_decisions",
                    ["person_id", "decided_at"])


def downgrade() -> None:
    for table in ("register_decisions", "register_entries", "api_tokens", "sessions", "users"):
        op.drop_table(table)
