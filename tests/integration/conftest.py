"""Storage tests run on both backends: SQLite (a file per test) and PostgreSQL (a fresh
schema per test, so parallel runs cannot collide). A missing PostgreSQL fails the run,
it is never skipped, unless GVM_TEST_SKIP_POSTGRES=1."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from gvm.domain.model import (
    Alias,
    Bundle,
    CustodyPeriod,
    Ethnicity,
    Gang,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    Person,
    Role,
    Sex,
    SourceGrade,
    SourceType,
)
from gvm.storage import Database, make_engine

PG_URL = os.environ.get("GVM_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SKIP_PG = os.environ.get("GVM_TEST_SKIP_POSTGRES") == "1"

CAMDEN, HACKNEY = "E09000007", "E09000012"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    if SKIP_PG:
        pytest.skip("GVM_TEST_SKIP_POSTGRES=1")
    engine = make_engine(PG_URL, isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:
        engine.dispose()
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({e.__class__.__name__}). "
                    "Start it, point GVM_TEST_POSTGRES_URL at one, or set "
                    "GVM_TEST_SKIP_POSTGRES=1 to run the SQLite half only.", pytrace=False)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def make_database(request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Callable[[], Database]]:
    """Opens Database objects on this test's own empty database; disposes them after."""
    opened: list[Database] = []
    if request.param == "sqlite":
        path = tmp_path / "gvm.db"

        def make() -> Database:
            opened.append(Database(f"sqlite:///{path}"))
            return opened[-1]

        yield make
        for db in opened:
            db.dispose()
        return

    admin: sa.Engine = request.getfixturevalue("postgres_admin")
    schema = f"gvm_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def make_pg() -> Database:
        opened.append(Database(PG_URL, connect_args={"options": f"-csearch_path={schema}"}))
        return opened[-1]

    try:
        yield make_pg
    finally:
        for db in opened:
            db.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture
def empty_database(make_database: Callable[[], Database]) -> Database:
    """A database with no schema yet."""
    return make_database()


@pytest.fixture
def database(empty_database: Database) -> Database:
    """A database at the current schema, with its reference data."""
    empty_database.upgrade()
    return empty_database


def sample_bundle() -> Bundle:
    """Two people in Camden, one in Hackney, with a little of everything."""
    people = (
        Person("P1", "Ashdown", "Kit", date(2001, 3, 4), Sex.MALE, Ethnicity.BLACK, CAMDEN),
        Person("P2", "Brennan", "Sam", date(1999, 12, 31), Sex.FEMALE, None, CAMDEN),
        Person("P3", "Okafor", "Dami", date(2004, 2, 29), Sex.OTHER, Ethnicity.MIXED, HACKNEY),
    )
    intel = [
        Intelligence("I1", date(2024, 5, 1), "P1", "G1", IntelCategory.GANG_MEMBERSHIP, "S1",
                     SourceType.POLICE, SourceGrade.RELIABLE, IntelGrade.B, HandlingCode.P,
                     "seen with group"),
        Intelligence("I2", date(2024, 6, 1), "P1", "G1", IntelCategory.GANG_MEMBERSHIP, "S2",
                     SourceType.SOCIAL_MEDIA, SourceGrade.UNTESTED, IntelGrade.C,
                     HandlingCode.C, "posts"),
        Intelligence("I3", date(2024, 7, 1), "P3", None, IntelCategory.AT_RISK, "S3",
                     SourceType.PARTNER_AGENCY, SourceGrade.RELIABLE, IntelGrade.A,
                     HandlingCode.P, "threat reported"),
    ]
    return Bundle(
        people=people,
        aliases=(Alias("P1", "Ashdown", "Kitt"), Alias("P1", "Ashdon", "Kit")),
        gangs=(Gang("G1", "Northside", CAMDEN), Gang("G2", "Riverside", HACKNEY)),
        offences=(
            Offence("E1", date(2024, 1, 10), "8/1", "P1", Role.SUSPECT, Outcome.CHARGED),
            Offence("E1", date(2024, 1, 10), "8/1", "P3", Role.VICTIM, None),
            Offence("E2", date(2023, 8, 2), "34B", "P2", Role.SUSPECT, Outcome.CONVICTED),
            Offence("E3", date(2022, 2, 2), "8/1", "P2", Role.WITNESS, None),
        ),
        intelligence=tuple(intel),
        custody=(CustodyPeriod("P2", date(2024, 1, 1), None),
                 CustodyPeriod("P1", date(2020, 1, 1), date(2020, 6, 30))),
    )


SHA = "ab" * 32


def drop_append_only_triggers(db: Database) -> None:
    """What a tamperer with admin rights would do first."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_log_no_delete"))


def table_count(db: Database, table: str, where: str = "", **params: object) -> int:
    with db.engine.connect() as conn:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        return conn.execute(sa.text(sql), params).scalar_one()


@pytest.fixture
def bundle() -> Bundle:
    return sample_bundle()


@pytest.fixture
def count() -> Callable[..., int]:
    """count(db, table, where="", **params): rows in a table, read outside any unit of work."""
    return table_count


@pytest.fixture
def drop_triggers() -> Callable[[Database], None]:
    return drop_append_only_triggers


@pytest.fixture
def sha() -> str:
    return SHA
