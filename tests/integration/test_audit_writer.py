"""The consultations' audit writer (gvm.storage.audit_writer) on both backends: group
commit from threads and from the event loop (`Database.run`), every entry committed
before its caller goes on, one failing entry failing only its own caller, and the chain
whole afterwards (R-LOG)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from gvm.domain.audit import AuditEvent, Operation
from gvm.storage import Database
from gvm.storage import audit_writer as audit_writer_module
from gvm.storage.audit import PG_AUDIT_LOCK
from gvm.storage.audit_writer import AuditWriter
from gvm.storage.busy import WriterBusy, busy
from gvm.storage.tables import audit_log

CLIENTS = 16
T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, on a thread of its own: on a test worker that has run the browser
    tests, Playwright's sync API keeps its event loop marked running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _event(n: int, justification: str = "case review") -> AuditEvent:
    return AuditEvent(actor=f"officer{n}", actor_role="force_analyst",
                      operation=Operation.CONSULTATION, justification=justification,
                      record_type="person", record_ids=(f"P{n}",), detail={"view": "profile"})


def _committed(database: Database, seq: int) -> bool:
    """Seen from a connection of its own: committed, not merely written."""
    with database.engine.connect() as conn:
        return conn.execute(sa.select(audit_log.c.seq).where(audit_log.c.seq == seq)
                            ).first() is not None


def _check_chain(database: Database, seqs: list[int]) -> None:
    assert sorted(seqs) == list(range(1, len(seqs) + 1))
    result = database.verify_audit()
    assert result.ok and result.checked == len(seqs)


def test_entries_from_threads_are_committed_in_shared_transactions(database: Database
                                                                   ) -> None:
    seqs: list[int] = []
    seen: list[bool] = []
    start = threading.Barrier(CLIENTS)

    def request(n: int) -> None:
        start.wait()
        seq = database.audit_writer.append(_event(n))
        seen.append(_committed(database, seq))
        seqs.append(seq)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(seen)
    _check_chain(database, seqs)
    assert database.audit_writer.appended == CLIENTS
    assert database.audit_writer.batches <= CLIENTS


def test_entries_from_the_event_loop_share_one_commit_per_turn(database: Database) -> None:
    def view(n: int) -> tuple[int, bool]:  # a use case: read (nothing here), then log
        seq = database.audit_writer.append(_event(n))
        return seq, _committed(database, seq)

    async def load() -> list[tuple[int, bool]]:
        return await asyncio.gather(*(database.run(view, n) for n in range(CLIENTS)))

    found = _run(load())
    assert all(committed for _, committed in found)  # before the use case went on
    _check_chain(database, [seq for seq, _ in found])
    if database.embedded:  # on the loop: the sixteen requests of one turn, one commit
        assert database.audit_writer.batches == 1
    else:  # PostgreSQL: from the threadpool, batched as threads are
        assert database.audit_writer.batches <= CLIENTS


@pytest.mark.parametrize("on_loop", [True, False])
def test_a_failing_entry_fails_only_its_own_request(database: Database, on_loop: bool
                                                    ) -> None:
    def append_committed(events, wait):  # the real transaction, refusing one entry
        if any(e.justification == "refused" for e in events):
            raise ValueError("refused by the database")
        return database._append_committed(events, wait)

    writer = AuditWriter(append_committed)
    outcomes: dict[int, object] = {}

    def request(n: int) -> None:
        try:
            outcomes[n] = writer.append(_event(n, "refused" if n == 3 else "case review"))
        except ValueError as exc:
            outcomes[n] = exc

    if on_loop:
        async def load() -> None:
            await asyncio.gather(*(database.run(request, n) for n in range(8)))
        _run(load())
    else:
        threads = [threading.Thread(target=request, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert isinstance(outcomes.pop(3), ValueError)
    _check_chain(database, list(outcomes.values()))  # type: ignore[arg-type]


def test_a_writer_holding_the_database_does_not_stall_the_event_loop(database: Database
                                                                     ) -> None:
    """SQLite: while a writer of this process holds the write lock (a re-score, an
    import, the freshness worker), the consultations' commit on the loop waits for it
    without blocking the loop, which goes on serving; the entries commit, in order, once
    the writer is done, and none is answered before."""
    if not database.embedded:
        pytest.skip("the in-process write lock is SQLite's")
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with database.unit_of_work() as uow:
            uow.append_audit(_event(99, "a long write"))
            holding.set()
            release.wait(10)
            uow.commit()

    def view(n: int) -> tuple[int, bool]:
        seq = database.audit_writer.append(_event(n))
        return seq, release.is_set()

    async def load() -> tuple[list[tuple[int, bool]], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while not release.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        async def let_go() -> None:
            await asyncio.sleep(0.3)
            release.set()

        views = asyncio.gather(*(database.run(view, n) for n in range(CLIENTS)))
        found, _, _ = await asyncio.gather(views, ticker(), let_go())
        return found, ticks

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    found, ticks = _run(load())
    thread.join()
    assert ticks >= 20  # the loop ran all along (a blocked loop would tick once)
    assert all(after for _, after in found)  # no entry committed before the writer's
    seqs = sorted(seq for seq, _ in found)
    assert seqs == list(range(2, CLIENTS + 2))  # after the writer's own entry, seq 1
    assert database.verify_audit().ok


def test_a_writer_in_another_process_does_not_stall_the_event_loop(database: Database
                                                                   ) -> None:
    """SQLite: while another process holds the write lock (a `gvm import`), the commit
    on the loop does not sit in SQLite's busy timeout, which would stall every request
    the loop serves: it looks again later, the loop goes on, and the entries commit
    once the other writer is done, none before."""
    if not database.embedded:
        pytest.skip("SQLite's write lock")
    other = sqlite3.connect(database.engine.url.database, isolation_level=None,
                            check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as another process's import holds it
    released = False

    def view(n: int) -> tuple[int, bool]:
        seq = database.audit_writer.append(_event(n))
        return seq, released

    async def load() -> tuple[list[tuple[int, bool]], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while not released:
                ticks += 1
                await asyncio.sleep(0.005)

        async def let_go() -> None:
            nonlocal released
            await asyncio.sleep(0.3)
            other.execute("COMMIT")
            released = True

        views = asyncio.gather(*(database.run(view, n) for n in range(CLIENTS)))
        found, _, _ = await asyncio.gather(views, ticker(), let_go())
        return found, ticks

    try:
        found, ticks = _run(load())
    finally:
        other.close()
    assert ticks >= 20  # the loop ran all along (a blocked loop would tick once)
    assert all(after for _, after in found)  # none committed while the other held it
    _check_chain(database, [seq for seq, _ in found])


def test_a_consultation_on_the_loop_gives_up_when_the_lock_stays_held(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Held past CONSULTATION_WAIT_SECONDS: each request fails with WriterBusy (the
    service's 503), nothing is logged, and the next entry commits once the lock is free."""
    if not database.embedded:
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(audit_writer_module, "CONSULTATION_WAIT_SECONDS", 0.1)
    other = sqlite3.connect(database.engine.url.database, isolation_level=None,
                            check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")

    async def load() -> list[object]:
        return await asyncio.gather(
            *(database.run(database.audit_writer.append, _event(n)) for n in range(4)),
            return_exceptions=True)

    try:
        outcomes = _run(load())
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert all(isinstance(o, WriterBusy) for o in outcomes), outcomes
    assert database.verify_audit().checked == 0
    seq = _run(database.run(database.audit_writer.append, _event(9)))
    _check_chain(database, [seq])


def test_a_thread_waits_for_another_process_within_the_consultations_bound(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A leader on a thread (the pages) tries again while another process holds the
    lock and commits once it is free; held past CONSULTATION_WAIT_SECONDS its entry
    fails with WriterBusy, not after SQLite's 30 s busy timeout."""
    if not database.embedded:
        pytest.skip("SQLite's write lock")
    other = sqlite3.connect(database.engine.url.database, isolation_level=None,
                            check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, other.execute, ("COMMIT",)).start()
        seq = database.audit_writer.append(_event(1))  # waits the 0.3 s, then commits
        monkeypatch.setattr(audit_writer_module, "CONSULTATION_WAIT_SECONDS", 0.2)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(WriterBusy):
            database.audit_writer.append(_event(2))
        waited = time.monotonic() - started
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert 0.2 <= waited < 5  # its own bound, far from the busy timeout's 30 s
    _check_chain(database, [seq])


def test_on_postgresql_a_consultation_waits_for_the_chain_within_the_same_bound(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL waits for a lock as long as it is held; a consultation waits for the
    chain's advisory lock (held by another process's import at its end, say) no longer
    than CONSULTATION_WAIT_SECONDS, then fails as busy (a 503), and commits once free."""
    if database.embedded:
        pytest.skip("PostgreSQL's advisory lock")
    monkeypatch.setattr(audit_writer_module, "CONSULTATION_WAIT_SECONDS", 0.2)
    with database.engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK})
        started = time.monotonic()
        with pytest.raises(sa.exc.DBAPIError) as refused:
            database.audit_writer.append(_event(1))
        waited = time.monotonic() - started
        holder.rollback()
    assert busy(refused.value)
    assert 0.2 <= waited < 5
    _check_chain(database, [database.audit_writer.append(_event(2))])


def test_a_batch_refused_as_busy_is_not_tried_again_entry_by_entry(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: a batch that waited the whole bound for the chain's lock fails as one;
    tried again entry by entry, each entry would wait the bound once more."""
    if database.embedded:
        pytest.skip("PostgreSQL's advisory lock (SQLite's batches wait in the writer)")
    monkeypatch.setattr(audit_writer_module, "CONSULTATION_WAIT_SECONDS", 0.2)
    tried: list[int] = []

    def append_committed(events, wait):
        tried.append(len(events))
        return database._append_committed(events, wait)

    writer = AuditWriter(append_committed)
    outcomes: dict[int, BaseException] = {}

    def request(n: int) -> None:
        try:
            writer.append(_event(n))
        except Exception as exc:  # what each request got
            outcomes[n] = exc

    with database.engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK})
        threads = [threading.Thread(target=request, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        holder.rollback()
    assert len(outcomes) == 6 and all(busy(e) for e in outcomes.values())
    assert max(tried) > 1  # some entries did share a batch
    assert sum(tried) == 6, tried  # each entry tried once
