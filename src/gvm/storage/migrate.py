"""Bring a database to the current schema (Alembic, configured in code: no alembic.ini)
and seed its reference data. Safe to run any number of times."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from gvm import reference
from gvm.storage.bulk import upsert
from gvm.storage.tables import boroughs

SCRIPT_LOCATION = "gvm.storage:migrations"
_PG_MIGRATION_LOCK = int.from_bytes(b"gvm:migr", "big")  # pg_advisory_xact_lock key


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for gvm's migrations, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to `revision` and seed the boroughs, in one transaction.

    Two processes running this at once queue: SQLite's BEGIN IMMEDIATE, PostgreSQL's
    advisory lock.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), revision)
        seed_reference(conn)


def seed_reference(conn: Connection) -> None:
    """The 33 London local authorities (R-SCOPE), kept in step with the shipped data."""
    rows = [{"code": b.code, "name": b.name, "population": b.population}
            for b in reference.boroughs().values()]
    upsert(conn, boroughs, rows, keys=["code"])
