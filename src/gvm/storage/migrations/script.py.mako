"""${message}

Write the operations out by hand (op.create_table, op.add_column...), with enum values
as literals: what a migration does must not change when today's code does. Constraint
names come from gvm.storage.tables.NAMING_CONVENTION.
Check with tests/integration/test_schema.py, which compares head with tables.py.

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
