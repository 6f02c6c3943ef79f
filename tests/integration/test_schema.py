"""The schema: migrations bring any database to head (twice is fine), match the table
definitions, seed the boroughs (R-SCOPE) and refuse values outside the domain's enums."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gvm import reference
from gvm.storage import Database
from gvm.storage.migrate import alembic_config, current_revision, head_revision
from gvm.storage.tables import NAME_SEARCH_OBJECTS, metadata


def test_upgrade_brings_an_empty_database_to_head_and_is_idempotent(empty_database, count):
    assert current_revision(empty_database.engine) is None
    empty_database.upgrade()
    empty_database.upgrade()
    assert current_revision(empty_database.engine) == head_revision()
    assert count(empty_database, "boroughs") == 33


def test_downgrade_to_nothing_and_back(database, count):
    with database.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with database.engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]
    database.upgrade()
    assert current_revision(database.engine) == head_revision()
    assert count(database, "boroughs") == 33


def test_boroughs_are_seeded_from_the_shipped_reference_data(database):
    """R-SCOPE: the 32 London boroughs and the City, E09000001..E09000033."""
    with database.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, name, population FROM boroughs")).all()
    assert {r.code for r in rows} == {f"E0900{n:04d}" for n in range(1, 34)}
    expected = reference.boroughs()
    assert all((r.name, r.population) == (expected[r.code].name, expected[r.code].population)
               for r in rows)


def test_migrations_create_exactly_the_tables_module(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _not_search_index})
        diff = compare_metadata(context, metadata)
    assert diff == []


def _not_search_index(obj, name, type_, reflected, compare_to):
    return name not in NAME_SEARCH_OBJECTS


def test_append_only_triggers_exist(database):
    with database.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        names = set(conn.execute(sa.text(sql)).scalars())
    assert names & {"audit_log_append_only", "audit_log_no_update"}


@pytest.mark.parametrize(("column", "bad"), [("sex", "Q"), ("ethnicity", "Unknown")])
def test_enum_columns_refuse_values_outside_the_domain(database, column, bad):
    now = datetime.now(UTC)
    row = {"person_id": "P9", "surname": "S", "forenames": "F", "date_of_birth": "2000-01-01",
           "sex": "M", "ethnicity": None, "borough_code": "E09000001", "first_seen": now,
           "last_updated": now, column: bad}
    with pytest.raises(sa.exc.IntegrityError), database.unit_of_work() as uow:
        uow.connection.execute(sa.text(
            "INSERT INTO people VALUES (:person_id, :surname, :forenames, :date_of_birth, "
            ":sex, :ethnicity, :borough_code, :first_seen, :last_updated)"), row)


def test_foreign_keys_are_enforced(database, bundle):
    """An offence for a person the register does not hold is refused (SQLite: the
    foreign_keys pragma is on)."""
    orphan = replace(bundle, people=bundle.people[:1], aliases=(), custody=(),
                     intelligence=(), offences=bundle.offences[2:3])
    with pytest.raises(sa.exc.IntegrityError), database.unit_of_work() as uow:
        uow.save_bundle(orphan, source_name="x.csv", sha256="0" * 64)


def test_sqlite_connections_are_configured(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with db.engine.connect() as conn:
            pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "foreign_keys", "synchronous",
                                   "busy_timeout")}
            conn.rollback()
    finally:
        db.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1,
                      "busy_timeout": 30_000}


def test_read_only_unit_of_work_refuses_writes(database):
    with pytest.raises(sa.exc.DBAPIError), database.unit_of_work(read_only=True) as uow:
        uow.connection.execute(sa.text("DELETE FROM gangs"))
    with database.unit_of_work() as uow:  # the pooled connection writes again afterwards
        uow.connection.execute(sa.text("DELETE FROM gangs"))


def test_read_only_units_of_work_reuse_their_connections_and_stay_read_only(database,
                                                                         bundle, sha):
    """SQLite keeps a few connections for reading (kept_connections.py): each reused one
    still refuses writes, sees what was committed since it was last used, and two units
    open at once never share one."""
    with database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.commit()
    seen = []
    for _ in range(3):
        with database.unit_of_work(read_only=True) as outer, \
                database.unit_of_work(read_only=True) as inner:
            assert outer.connection is not inner.connection
            assert outer.person("P1") is not None and inner.person("P2") is not None
            seen += [outer.connection, inner.connection]
        with pytest.raises(sa.exc.DBAPIError), database.unit_of_work(read_only=True) as uow:
            uow.connection.execute(sa.text("DELETE FROM gangs"))
        with database.unit_of_work() as uow:
            uow.erase_person("P3") if uow.person("P3") else None
            uow.commit()
        with database.unit_of_work(read_only=True) as uow:
            assert uow.person("P3") is None
    if database.embedded:
        assert len({id(c) for c in seen}) == 2  # the same two, kept
        database.dispose()
        assert database._kept.free == 0


def test_read_only_unit_of_work_does_not_hold_up_a_writer(database, bundle, sha):
    with database.unit_of_work(read_only=True) as reader:
        assert reader.list_people() == []
        with database.unit_of_work() as writer:
            writer.save_bundle(bundle, source_name="b.csv", sha256=sha)
            writer.commit()
        assert reader.person("P1") is None or database.engine.dialect.name == "postgresql"
    with database.unit_of_work(read_only=True) as reader:
        assert reader.person("P1") is not None
