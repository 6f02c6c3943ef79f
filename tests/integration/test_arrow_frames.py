"""The scoring frames read through ADBC are exactly those of the cursor reader (schema,
dtypes, values) on both backends (SQLite's in a reading process of their own), and are
only read that way when the second connection sees what the unit of work sees."""

from __future__ import annotations

import os
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.batch import score_batch
from gvm.domain.model import (
    Bundle,
    CustodyPeriod,
    Ethnicity,
    Offence,
    Outcome,
    Person,
    Role,
    Sex,
)
from gvm.reference import default_policy, offence_catalogue
from gvm.services.scoring import rescore
from gvm.storage import Database, arrow_frames, columnar
from gvm.storage.tables import offences

CAMDEN, HACKNEY, WESTMINSTER = "E09000007", "E09000012", "E09000033"
NAMES = ("people", "offences", "intelligence", "custody")


@pytest.fixture
def loaded(database, bundle, sha):
    with database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.commit()
    return database


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def assert_same_frames(fast, slow) -> None:
    assert fast is not None
    for name, a, b in zip(NAMES, fast, slow, strict=True):
        assert dict(a.schema) == dict(b.schema), name
        assert_frame_equal(_sorted(a), _sorted(b), check_exact=True)


@pytest.fixture(autouse=True)
def small_registers_too(monkeypatch):
    """SQLite reads over ADBC (in a process of its own) only past SQLITE_MIN_ROWS
    intelligence items, PostgreSQL reduces in a process of its own only past
    PG_PROCESS_MIN_BLOCKS: these registers are tiny."""
    monkeypatch.setattr(arrow_frames, "SQLITE_MIN_ROWS", 0)
    monkeypatch.setattr(arrow_frames, "PG_PROCESS_MIN_BLOCKS", 0)


def both_readers(db: Database, borough: str | None = None):
    with db.unit_of_work() as uow:
        fast = arrow_frames.scoring_frames(uow.connection, borough)
        slow = columnar.scoring_frames(uow.connection, borough)
    return fast, slow


@pytest.mark.parametrize("borough", [None, CAMDEN, HACKNEY, WESTMINSTER])
def test_adbc_frames_equal_the_cursor_frames(loaded, borough):
    fast, slow = both_readers(loaded, borough)
    assert_same_frames(fast, slow)
    assert fast[0]["person_id"].to_list() == slow[0]["person_id"].to_list()  # sorted
    if borough == WESTMINSTER:  # nobody held there: empty frames, same layouts
        assert all(frame.height == 0 for frame in fast)
    if borough is None:
        assert [f.height for f in fast] == [3, 4, 3, 2]
        assert fast[1].filter(pl.col("outcome").is_null()).height == 2
        assert fast[3].filter(pl.col("end_date").is_null()).height == 1


def test_adbc_frames_of_an_empty_register(database):
    fast, slow = both_readers(database)
    assert_same_frames(fast, slow)
    assert all(frame.height == 0 for frame in fast)


def _many_nulls_first(n: int = 3000) -> Bundle:
    """n victims (no outcome) and n people in custody still (no end date) before the one
    row of each with a value: more than the SQLite driver's first batch of NULLs."""
    people = [Person(f"Q{i:05d}", "Surname", "Forename", date(1990, 1, 1), Sex.MALE,
                     Ethnicity.WHITE, CAMDEN) for i in range(n + 1)]
    offences = [Offence(f"E{i:05d}", date(2024, 1, 1) + timedelta(days=i % 300), "8/1",
                        p.person_id, Role.VICTIM, None) for i, p in enumerate(people[:n])]
    offences.append(Offence("E-last", date(2024, 6, 1), "8/1", people[n].person_id,
                            Role.SUSPECT, Outcome.CHARGED))
    custody = [CustodyPeriod(p.person_id, date(2024, 1, 1), None) for p in people[:n]]
    custody.append(CustodyPeriod(people[n].person_id, date(2023, 1, 1), date(2023, 6, 1)))
    return Bundle(people=tuple(people), aliases=(), gangs=(), offences=tuple(offences),
                  intelligence=(), custody=tuple(custody))


def test_adbc_frames_with_a_long_run_of_nulls_first(database, sha):
    with database.unit_of_work() as uow:
        uow.save_bundle(_many_nulls_first(), source_name="n.csv", sha256=sha)
        uow.commit()
    fast, slow = both_readers(database)
    assert_same_frames(fast, slow)
    offences, custody = fast[1], fast[3]
    assert offences["outcome"].null_count() == 3000
    assert offences.filter(pl.col("outcome").is_not_null())["outcome"].to_list() == [
        "charged"]
    assert custody["end_date"].null_count() == 3000
    assert custody.filter(pl.col("end_date").is_not_null())["end_date"].to_list() == [
        date(2023, 6, 1)]


def _event() -> AuditEvent:
    return AuditEvent(actor="analyst", actor_role="analyst", operation=Operation.CONSULTATION,
                      justification="test", record_type="person", record_ids=("P1",),
                      recipient=None, detail={})


def test_not_read_over_adbc_once_the_unit_of_work_has_written(loaded):
    with loaded.unit_of_work() as uow:
        uow.append_audit(_event())
        assert arrow_frames.scoring_frames(uow.connection) is None
        people = uow.scoring_frames()[0]  # the cursor reader, in this transaction
    assert people.height == 3


def test_a_sqlite_reader_keeps_its_own_snapshot(loaded):
    with loaded.unit_of_work(read_only=True) as uow:
        fast = arrow_frames.scoring_frames(uow.connection)
        slow = uow.scoring_frames()
    if loaded.engine.dialect.name == "sqlite":
        assert fast is None
    else:  # PostgreSQL hands the reader's snapshot to the second connection
        assert_same_frames(fast, slow)


def test_a_small_sqlite_register_is_read_through_its_own_connection(loaded, monkeypatch):
    """Starting a reading process costs about a second: not for a small register."""
    if loaded.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's threshold")
    monkeypatch.setattr(arrow_frames, "SQLITE_MIN_ROWS", 4)  # three intelligence items
    with loaded.unit_of_work() as uow:
        assert arrow_frames.scoring_frames(uow.connection) is None
        assert arrow_frames.scoring_frames(uow.connection, sqlite=True) is not None
    monkeypatch.setattr(arrow_frames, "SQLITE_MIN_ROWS", 3)
    with loaded.unit_of_work() as uow:
        assert arrow_frames.scoring_frames(uow.connection) is not None
        assert arrow_frames.scoring_frames(uow.connection, sqlite=False) is None


def test_the_sqlite_reading_process_failing_leaves_the_cursor_reader(loaded, monkeypatch):
    if loaded.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's reading process")
    from gvm.storage import frames_process

    monkeypatch.setattr(frames_process, "TABLES", 5)  # asks for a frame never sent
    with loaded.unit_of_work() as uow:
        assert arrow_frames.scoring_frames(uow.connection) is None
        assert uow.scoring_frames()[0].height == 3


def test_an_in_memory_sqlite_database_is_read_through_its_own_connection(bundle, sha):
    with Database("sqlite://") as db:
        db.upgrade()
        with db.unit_of_work() as uow:
            uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
            uow.commit()
            assert arrow_frames.scoring_frames(uow.connection) is None
            assert uow.scoring_frames()[0].height == 3


def test_the_rescore_reads_over_adbc_and_stores_the_same_scores(loaded, monkeypatch):
    """The reading process scores what it read, and only the scores return."""
    used = []
    real = arrow_frames.reduced

    def spy(conn, reduce, borough=None):
        used.append(result := real(conn, reduce, borough))
        return result

    monkeypatch.setattr(arrow_frames, "reduced", spy)
    policy, catalogue, as_of = default_policy(), offence_catalogue(), date(2024, 8, 1)
    run_id, scores = rescore(loaded.unit_of_work, as_of, policy, catalogue,
                             actor="analyst", actor_role="analyst")
    assert used and used[0] is not None
    with loaded.unit_of_work() as uow:
        expected = score_batch(*columnar.scoring_frames(uow.connection), as_of, policy,
                               catalogue)
        stored = uow.run_scores(run_id)
    assert_frame_equal(scores.sort("person_id"), expected.sort("person_id"))
    assert_frame_equal(stored.sort("person_id"), expected.sort("person_id"))


@pytest.fixture
def importable(monkeypatch):
    """A reading process unpickles this module's reductions by name: it imports it."""
    path = [str(Path(__file__).parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path))


def test_a_reduction_runs_where_the_frames_are_read(loaded, importable):
    """In the reading process, on both backends: it sends back one frame, not four."""
    policy, catalogue, as_of = default_policy(), offence_catalogue(), date(2024, 8, 1)
    with loaded.unit_of_work() as uow:
        frames = uow.scoring_frames()
        reduced = arrow_frames.reduced(uow.connection, partial(
            score_batch, as_of=as_of, policy=policy, catalogue=catalogue))
        counted = arrow_frames.reduced(uow.connection, partial(heights))
        where = arrow_frames.reduced(uow.connection, partial(process_id))
    assert reduced is not None and counted is not None and where is not None
    assert where.item() != os.getpid()
    assert_frame_equal(reduced.sort("person_id"),
                       score_batch(*frames, as_of, policy, catalogue).sort("person_id"))
    assert counted.row(0) == tuple(frame.height for frame in frames)


def heights(*frames: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame([[frame.height] for frame in frames], schema=list(NAMES))


def process_id(*_: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame({"pid": [os.getpid()]})


def test_a_failed_reading_process_leaves_the_reduction_to_this_one(loaded, monkeypatch):
    """SQLite: through the cursor reader; PostgreSQL: over ADBC in this process, on
    the same snapshot."""
    from gvm.storage import frames_process

    monkeypatch.setattr(frames_process.sys, "executable", "/bin/false")  # cannot start it
    with loaded.unit_of_work() as uow:
        assert uow.reduce_scoring_frames(partial(heights)).row(0)[0] == 3
        assert uow.reduce_scoring_frames(partial(process_id)).item() == os.getpid()


def test_a_small_postgresql_register_is_reduced_in_this_process(loaded, importable,
                                                                monkeypatch):
    """And so is one borough's part of a big one."""
    if loaded.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's threshold")
    monkeypatch.setattr(arrow_frames, "PG_PROCESS_MIN_BLOCKS", 1)  # the tables hold one
    with loaded.unit_of_work() as uow:
        assert arrow_frames.reduced(uow.connection, partial(process_id)).item() != os.getpid()
        assert arrow_frames.reduced(uow.connection, partial(process_id),
                                    CAMDEN).item() == os.getpid()
    monkeypatch.setattr(arrow_frames, "PG_PROCESS_MIN_BLOCKS", 2)
    with loaded.unit_of_work() as uow:
        assert arrow_frames.reduced(uow.connection, partial(process_id)).item() == os.getpid()


@pytest.mark.parametrize("borough", [None, CAMDEN, WESTMINSTER])
def test_big_tables_read_in_row_ranges_on_several_connections(database, sha, monkeypatch,
                                                              borough):
    with database.unit_of_work() as uow:
        uow.save_bundle(_many_nulls_first(), source_name="n.csv", sha256=sha)
        uow.commit()
    monkeypatch.setattr(arrow_frames, "SPLIT_MIN_ROWS", 0)
    monkeypatch.setattr(arrow_frames, "SPLIT_MIN_BLOCKS", 0)
    with database.unit_of_work() as uow:
        conn = uow.connection
        assert len(arrow_frames.backend(conn, borough).ranges(offences, 3)) == 3
        fast = arrow_frames.scoring_frames(conn, borough, connections=3)
        slow = columnar.scoring_frames(conn, borough)
    assert_same_frames(fast, slow)
    assert fast[1].height == (0 if borough == WESTMINSTER else 3001)


def test_the_postgresql_reading_process_reads_the_callers_snapshot(loaded, sha, importable):
    """A person committed after the caller's snapshot was taken is not in what the
    reading process reduces."""
    if loaded.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's exported snapshot")
    with loaded.engine.connect() as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert conn.exec_driver_sql("SELECT count(*) FROM people").scalar() == 3
        late = Person("LATE1", "Surname", "Forename", date(1990, 1, 1), Sex.MALE,
                      Ethnicity.WHITE, CAMDEN)
        with loaded.unit_of_work() as uow:
            uow.save_bundle(Bundle(people=(late,)), source_name="late.csv", sha256=sha)
            uow.commit()
        counted = arrow_frames.reduced(conn, partial(heights))
        where = arrow_frames.reduced(conn, partial(process_id))
    assert counted.row(0)[0] == 3 and where.item() != os.getpid()
    with loaded.unit_of_work() as uow:
        assert arrow_frames.reduced(uow.connection, partial(heights)).row(0)[0] == 4
