"""Prepared statements (gvm.storage.prepared) on both backends: the same typed values as
SQLAlchemy's own execution, inside the Connection's transaction (R-LOG: the audit insert
is one of them, so it must commit or roll back with the rest)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from gvm.domain.model import Bundle
from gvm.storage import Database
from gvm.storage.prepared import Prepared
from gvm.storage.tables import api_tokens, offences, people, users

_OFFENCES = sa.select(offences).where(offences.c.person_id == sa.bindparam("person_id")
                                      ).order_by(offences.c.date, offences.c.event_id)


def _save(database: Database, bundle: Bundle) -> None:
    with database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256="0" * 64)
        uow.commit()


def test_rows_equal_sqlalchemy_execution_with_the_same_types(database: Database,
                                                             bundle: Bundle) -> None:
    _save(database, bundle)
    prepared = Prepared(_OFFENCES)
    with database.engine.connect() as conn:
        for person_id in ("P1", "P2", "P3", "nobody"):
            expected = [tuple(r) for r in conn.execute(_OFFENCES, {"person_id": person_id})]
            got = prepared.rows(conn, {"person_id": person_id})
            assert [tuple(r) for r in got] == expected
        first = prepared.first(conn, {"person_id": "P2"})
        assert isinstance(first.date, date) and first.person_id == "P2"
        assert prepared.first(conn, {"person_id": "nobody"}) is None


def test_aware_datetimes_booleans_and_literal_binds(database: Database) -> None:
    now = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
    with database.engine.begin() as conn:
        user_id = conn.execute(sa.insert(users).values(
            username="u", password_hash="x", role="force_analyst", totp_secret="S",
            mfa_enrolled=True, failed_logins=0, disabled=False, created_at=now
        ).returning(users.c.user_id)).scalar_one()
        conn.execute(sa.insert(api_tokens).values(
            token_hash="h", user_id=user_id, name="t", scopes="[]", created_at=now,
            expires_at=now, revoked=False))
    stmt = (sa.select(api_tokens.c.expires_at, api_tokens.c.revoked, api_tokens.c.last_used_at)
            .where(api_tokens.c.token_hash == sa.bindparam("h")).limit(1))
    with database.engine.connect() as conn:
        row = Prepared(stmt).first(conn, {"h": "h"})
    assert row.expires_at == now and row.expires_at.tzinfo is not None
    assert row.revoked is False and row.last_used_at is None


def test_runs_inside_the_connections_transaction(database: Database, bundle: Bundle) -> None:
    _save(database, bundle)
    insert = Prepared(sa.insert(people).values(
        {c.name: sa.bindparam(c.name, type_=c.type) for c in people.c}))
    row = {"person_id": "P9", "surname": "Test", "forenames": "Row",
           "date_of_birth": date(2000, 1, 1), "sex": "M", "ethnicity": None,
           "borough_code": "E09000007", "first_seen": datetime.now(UTC),
           "last_updated": datetime.now(UTC)}
    count = Prepared(sa.select(sa.func.count().label("n")).select_from(people))
    with database.unit_of_work() as uow:
        insert.execute_many(uow.connection, [row])
        assert count.first(uow.connection).n == 4  # seen by the same transaction
        uow.rollback()
    with database.unit_of_work(read_only=True) as uow:
        assert uow.person("P9") is None  # rolled back with it
    with database.unit_of_work() as uow:
        insert.execute_many(uow.connection, [row])
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        found = uow.person("P9")
    assert found is not None and found.date_of_birth == date(2000, 1, 1)


def test_only_sqlite_counts_as_embedded(database: Database) -> None:
    """The web API runs a request's database work on the event loop only for an embedded
    database (gvm.storage.database.Database.run); PostgreSQL's goes to the threadpool."""
    assert database.embedded is (database.engine.dialect.name == "sqlite")
