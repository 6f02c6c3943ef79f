"""kill -9 of `gvm serve` in the middle of writes, on SQLite and PostgreSQL (R-LOG):
clients record intelligence through the API while the server is killed with SIGKILL at a
random moment, three times over. Afterwards the database opens, the audit chain
verifies, every write the server answered 201 is stored, and every stored item has its
collection in the s.62 log: no write without its audit entry, none half made."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from test_soak import CAMDEN_PEOPLE, _free_port, _setup

from gvm.domain.audit import Operation
from gvm.storage import audit as audit_store
from gvm.storage.tables import intelligence

ROUNDS, CLIENTS = 3, 4
pytestmark = pytest.mark.slow


def _serve(gvm, port: int, log: Path) -> subprocess.Popen:
    env = {**gvm.env, "GVM_MODE": "dev"}
    with log.open("ab") as out:
        server = subprocess.Popen([sys.executable, "-m", "gvm", "serve", "--port", str(port)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).is_success:
                return server
        except httpx.HTTPError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def _writer(base: str, token: str, tag: str, answered: list[str]) -> None:
    """Record intelligence until the server is gone; keep the ids it answered 201 to."""
    with httpx.Client(base_url=base, timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        for i in range(100_000):
            try:
                r = http.post("/intelligence", json={
                    "person_id": CAMDEN_PEOPLE[i % len(CAMDEN_PEOPLE)], "date": "2024-05-01",
                    "category": "weapon_access", "source_id": f"KILL-{tag}-{i}",
                    "source_type": "police", "source_grade": "1", "intel_grade": "B",
                    "handling_code": "P", "summary": "crash test", "justification": "crash"})
            except httpx.HTTPError:
                return
            assert r.status_code == 201, r.text
            answered.append(r.json()["intel_id"])


def test_killed_server_keeps_every_answered_write_with_its_audit_entry(gvm, tmp_path):
    tokens = _setup(gvm.url, tmp_path)
    rng, answered = random.Random(9), []
    for n in range(ROUNDS):
        port = _free_port()
        server = _serve(gvm, port, tmp_path / "server.log")
        base = f"http://127.0.0.1:{port}/api/v1"
        writers = [threading.Thread(target=_writer, args=(
            base, tokens["soak_analyst"], f"{n}-{c}", answered)) for c in range(CLIENTS)]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.5, 2.0))
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        for w in writers:
            w.join(timeout=30)
    assert answered, "no write was answered before the kills"

    assert "verified" in gvm("audit", "verify").stdout.lower()
    engine = sa.create_engine(gvm.url)
    try:
        with engine.connect() as conn:
            stored = set(conn.execute(sa.select(intelligence.c.intel_id).where(
                intelligence.c.source_id.like("KILL-%"))).scalars())
            logged = {e.event.detail.get("intelligence") for e in audit_store.entries(
                conn, operation=Operation.COLLECTION) if e.event.actor == "soak_analyst"}
    finally:
        engine.dispose()
    assert set(answered) <= stored  # every answered write is there
    assert stored <= logged  # and nothing is stored without its collection logged
