"""A trigram index for the name search, so that a search costs what it finds rather
than a scan of everyone in scope (docs/PERFORMANCE.md).

SQLite: an FTS5 table with the `trigram` tokenizer over every person's surname and
forenames, kept in step with `people` by triggers, so every write path (import, upsert,
erasure) maintains it without code of its own. Its rows are keyed through
`people_name_keys` (an INTEGER PRIMARY KEY per person id) rather than by the people
table's implicit rowid, which VACUUM may renumber.
PostgreSQL: GIN trigram indexes (pg_trgm) on lower(surname) and lower(forenames), which
the search's `lower(...) LIKE` uses as it stands. pg_trgm is a trusted extension; where
it cannot be created the search keeps its scan and the migration says so.

Written out by hand like 0001-0007.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

SQLITE_UPGRADE = (
    "CREATE TABLE people_name_keys (key INTEGER PRIMARY KEY, "
    "person_id VARCHAR NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE people_names USING fts5(surname, forenames, "
    "tokenize = 'trigram')",
    "INSERT INTO people_name_keys (person_id) SELECT person_id FROM people "
    "ORDER BY person_id",
    "INSERT INTO people_names (rowid, surname, forenames) SELECT k.key, p.surname, "
    "p.forenames FROM people p JOIN people_name_keys k ON k.person_id = p.person_id",
    "CREATE TRIGGER people_names_insert AFTER INSERT ON people BEGIN "
    "INSERT INTO people_name_keys (person_id) VALUES (new.person_id); "
    "INSERT INTO people_names (rowid, surname, forenames) VALUES ((SELECT key FROM "
    "people_name_keys WHERE person_id = new.person_id), new.surname, new.forenames); END",
    "CREATE TRIGGER people_names_update AFTER UPDATE OF surname, forenames ON people "
    "BEGIN UPDATE people_names SET surname = new.surname, forenames = new.forenames "
    "WHERE rowid = (SELECT key FROM people_name_keys WHERE person_id = new.person_id); END",
    "CREATE TRIGGER people_names_delete AFTER DELETE ON people BEGIN "
    "DELETE FROM people_names WHERE rowid = (SELECT key FROM people_name_keys "
    "WHERE person_id = old.person_id); "
    "DELETE FROM people_name_keys WHERE person_id = old.person_id; END",
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS people_names_delete",
    "DROP TRIGGER IF EXISTS people_names_update",
    "DROP TRIGGER IF EXISTS people_names_insert",
    "DROP TABLE IF EXISTS people_names",
    "DROP TABLE IF EXISTS people_name_keys",
)

POSTGRESQL_INDEX = "CREATE INDEX ix_people_{0}_trgm ON people USING gin (lower({0}) {1})"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
        return
    available = bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        log.warning("pg_trgm is not available: the name search scans")
        return
    try:
        # In public, not the first schema of the search path: dropping that schema
        # would drop the extension with it, and every index using it elsewhere.
        with bind.begin_nested():  # a refused CREATE EXTENSION must not abort the rest
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError:
        log.warning("pg_trgm could not be created here: the name search scans")
        return
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one()
    opclass = f'"{schema}".gin_trgm_ops'  # wherever it is, whatever the search path
    for column in ("surname", "forenames"):
        op.execute(POSTGRESQL_INDEX.format(column, opclass))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
        return
    op.execute("DROP INDEX IF EXISTS ix_people_forenames_trgm")
    op.execute("DROP INDEX IF EXISTS ix_people_surname_trgm")
