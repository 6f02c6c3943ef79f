"""Another writer holding the register longer than a request waits (on SQLite: an import
or a re-score run by another process): the request, of the API or of a page, is answered
503 with Retry-After, shows nothing and logs nothing, and the same request succeeds once
the writer is done. A database that cannot be reached is a 503 too, not a 500.
Which database errors count as busy, on both backends, from real errors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from html import unescape

import anyio
import httpx
import pytest
import sqlalchemy as sa
from api_support import API, SURNAME, Api, write_bundle
from fastapi.testclient import TestClient
from pages import Pages

from gvm.api.app import THREADPOOL_SIZE, create_app
from gvm.api.deps import SESSION_COOKIE
from gvm.api.errors import BUSY, UNREACHABLE
from gvm.authz import Role
from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services import sessions
from gvm.services.importing import import_bundle
from gvm.storage import audit_writer, engine
from gvm.storage.busy import WriterBusy, busy, unreachable

VIEW = {"justification": "Op Kestrel briefing", "as_of": "2024-06-30"}


@pytest.fixture
def impatient(tmp_path, monkeypatch) -> Iterator[Api]:
    """A SQLite register whose connections wait 0.2 s for the write lock, not 30 s, and
    whose consultations on the event loop 0.2 s for their audit commit, not 10 s."""
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(audit_writer, "CONSULTATION_WAIT_SECONDS", 0.2)
    register = bootstrap(Settings(mode="dev", database_url=f"sqlite:///{tmp_path / 'r.db'}",
                                  policy_path=None))
    built = Api(register=register, app=create_app(register))
    try:
        import_bundle(register.unit_of_work, write_bundle(tmp_path / "bundle"),
                      actor="loader", actor_role="operator")
        built.add_user("force", Role.FORCE_ANALYST)
        built.sessions["force"] = built.sign_in("force")
        yield built
    finally:
        built.close()


def test_a_view_while_another_process_writes_is_503_and_shows_nothing(impatient):
    path = impatient.register.database.engine.url.database
    head = impatient.audit_head()
    pages = Pages(impatient, "force")
    other = sqlite3.connect(path, isolation_level=None)  # as `gvm import` would hold it
    try:
        other.execute("BEGIN IMMEDIATE")
        refused = impatient["force"].post("/people/P1/views", json=VIEW)
        search = impatient["force"].post("/people/search", json={"name": "Zan"})
        page = pages.post("/people/search", {"name": "Zan"})
        other.execute("ROLLBACK")
    finally:
        other.close()
    for response in (refused, search, page):
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "10"
        assert SURNAME not in response.text
    assert refused.json() == search.json() == {"detail": BUSY}
    assert "Please try again shortly" in page.text and BUSY in unescape(page.text)
    assert impatient.audit_after(head) == []  # nothing shown, nothing logged
    shown = impatient["force"].post("/people/P1/views", json=VIEW)
    assert shown.status_code == 200 and SURNAME in shown.text
    assert [e.event.record_ids for e in impatient.audit_after(head)] == [("P1",)]


def test_a_caller_due_its_last_seen_time_is_served_while_another_process_writes(
        impatient, monkeypatch):
    """Checking a session may write its last-seen time; on SQLite the check runs on the
    event loop, and waiting there for another process's write lock would stall every
    request. The write is left for later instead: the request is answered, the time is
    written on a later request once the register is free."""
    monkeypatch.setattr(sessions, "TOUCH_EVERY", timedelta(0))  # every request is due
    path = impatient.register.database.engine.url.database

    def last_seen() -> datetime:
        with sqlite3.connect(path) as conn:
            return datetime.fromisoformat(conn.execute(
                "SELECT max(last_seen_at) FROM sessions").fetchone()[0])

    before = last_seen()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        served = impatient["force"].get("/boroughs")
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert served.status_code == 200, served.text
    assert last_seen() == before  # left for later, not waited for
    assert impatient["force"].get("/boroughs").status_code == 200
    assert last_seen() > before


def test_page_consultations_waiting_for_another_process_tie_up_no_thread(
        impatient, monkeypatch):
    """Six page searches wait for a register another process holds; meanwhile a page
    that needs a thread of the server's small threadpool (four, as at start-up) is
    answered at once: the consultations wait on the event loop, not in those threads."""
    monkeypatch.setattr(audit_writer, "CONSULTATION_WAIT_SECONDS", 1.0)
    pages = Pages(impatient, "force")
    session = pages.client.cookies.get(SESSION_COOKIE)
    path = impatient.register.database.engine.url.database
    finished: list[tuple[str, int]] = []

    async def load() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADPOOL_SIZE
        async with httpx.AsyncClient(transport=httpx.ASGITransport(impatient.app),
                                     base_url="http://testserver",
                                     cookies={SESSION_COOKIE: session}) as client:
            async def call(kind: str, method: str, url: str, **kwargs: object) -> None:
                response = await client.request(method, url, **kwargs)
                finished.append((kind, response.status_code))

            searches = [call("search", "POST", "/people/search",
                             data={"name": "Zan", "csrf_token": pages.csrf})
                        for _ in range(THREADPOOL_SIZE + 2)]

            async def form_later() -> None:
                await asyncio.sleep(0.2)  # the searches are waiting by now
                await call("form", "GET", "/people/search")

            await asyncio.gather(*searches, form_later())

    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        with ThreadPoolExecutor(1) as pool:  # a loop of its own (the browser tests')
            pool.submit(asyncio.run, load()).result()
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert finished[0] == ("form", 200), finished
    assert sorted(finished[1:]) == [("search", 503)] * (THREADPOOL_SIZE + 2)


def test_the_503_is_documented_on_every_route_that_reads_the_register(impatient):
    spec = impatient.app.openapi()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            assert ("503" in operation["responses"]) == (path != f"{API}/health"), path


def _locked_sqlite(tmp_path) -> BaseException:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sa.create_engine(url, connect_args={"timeout": 0.05})
    try:
        with waiter.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    except sa.exc.DBAPIError as e:
        return e
    finally:
        holder.close()
        waiter.dispose()
    raise AssertionError("the write went through")


def test_busy_errors_are_told_from_others_on_sqlite(tmp_path):
    locked = _locked_sqlite(tmp_path)
    assert busy(locked) and not unreachable(locked)
    assert busy(WriterBusy("the audit log did not commit in time"))
    bad = sa.create_engine("sqlite://")
    with pytest.raises(sa.exc.DBAPIError) as caught, bad.connect() as conn:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert not busy(caught.value)
    assert not busy(TimeoutError("a timeout of something else"))
    assert not busy(ValueError("database is locked"))


@pytest.mark.postgres
def test_busy_errors_are_told_from_others_on_postgresql(postgres_admin):
    table = "gvm_busy_probe"
    with postgres_admin.connect() as admin:
        admin.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {table} (x int)")
    holder = postgres_admin.engine.connect().execution_options(isolation_level="READ COMMITTED")
    try:
        holder.begin()
        holder.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(sa.exc.DBAPIError) as caught, postgres_admin.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '50ms'")
            conn.exec_driver_sql(f"SELECT * FROM {table}")
        assert busy(caught.value)
        with pytest.raises(sa.exc.DBAPIError) as other, postgres_admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1/0")
        assert not busy(other.value)
        assert not unreachable(other.value) and not unreachable(caught.value)
    finally:
        holder.rollback()
        holder.close()
        with postgres_admin.connect() as admin:
            admin.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


def test_a_driver_error_raised_outside_sqlalchemy_counts_too(tmp_path):
    holder = sqlite3.connect(tmp_path / "raw.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(tmp_path / "raw.db", timeout=0.05, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            waiter.execute("BEGIN IMMEDIATE")
    finally:
        holder.close()
        waiter.close()
    assert busy(caught.value)
    assert not busy(sqlite3.OperationalError("no such table: t"))


def test_a_database_that_cannot_be_reached_is_503_not_500():
    """Nothing listens on port 1: as a PostgreSQL server down or restarting."""
    register = bootstrap(Settings(mode="dev", policy_path=None,
                                  database_url="postgresql+psycopg://gvm@127.0.0.1:1/gvm"),
                         upgrade=False)
    try:
        client = TestClient(create_app(register), raise_server_exceptions=False)
        api = client.get(f"{API}/boroughs", headers={"Authorization": "Bearer gvm_" + "x" * 43})
        client.cookies.set(SESSION_COOKIE, "x" * 43)
        page = client.get("/", follow_redirects=False)
        health, ready = client.get(f"{API}/health"), client.get(f"{API}/ready")
    finally:
        register.close()
    assert health.status_code == 200  # the service is up,
    assert ready.status_code == 503 and ready.json() == {"detail": UNREACHABLE}  # not ready
    assert api.status_code == 503 and api.json() == {"detail": UNREACHABLE}
    assert page.status_code == 503 and UNREACHABLE in unescape(page.text)
    assert api.headers["Retry-After"] == page.headers["Retry-After"] == "10"
