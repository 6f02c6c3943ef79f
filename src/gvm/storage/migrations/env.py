"""Alembic environment for gvm. Run through `gvm.storage.migrate.upgrade(engine)`, which
passes an open connection in `config.attributes["connection"]`; no alembic.ini needed.
The alembic command line works too, given `sqlalchemy.url` in its config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from gvm.storage.engine import make_engine
from gvm.storage.tables import metadata

config = context.config


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (conn := config.attributes.get("connection")) is not None:
    run_online(conn)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            run_online(conn)
            conn.commit()
    finally:
        engine.dispose()
