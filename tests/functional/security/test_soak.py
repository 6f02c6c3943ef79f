"""A bounded soak of `gvm serve` on loopback (R-LOG): concurrent clients mix profile
views, searches, intelligence writes and partner exports for GVM_SOAK_SECONDS (default
30). Afterwards: no request failed, the server's resident memory stayed flat, p99
latency of the last third is close to the first third's, the audit chain verifies, and
every intelligence item written is there with its collection logged.

A release runs it longer: `GVM_SOAK_SECONDS=600 GVM_SOAK_CLIENTS=16 python -m pytest
tests/functional/security/test_soak.py -s` (docs/SECURITY.md)."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa
from api_support import AS_OF, CAMDEN, isa_body, write_bundle

from gvm.authz import Role
from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services.accounts import create_api_token, create_user
from gvm.services.importing import import_bundle
from gvm.storage.tables import intelligence

SECONDS = float(os.environ.get("GVM_SOAK_SECONDS", "30"))
CLIENTS = int(os.environ.get("GVM_SOAK_CLIENTS", "8"))
CAMDEN_PEOPLE = ["P1", "P2", "P4", "P5", "P6"]
RSS_GROWTH_LIMIT = 1.25  # last-third median RSS at most 25% above the first third's
T = TypeVar("T")
pytestmark = pytest.mark.slow


@dataclass
class Tally:
    started: float
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (when, seconds)
    errors: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, on a thread of its own: on a test worker that has run the browser
    tests, Playwright's sync API keeps its event loop marked running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _setup(url: str, folder: Path) -> dict[str, str]:
    """The API bundle, three users with API tokens, one acknowledged disclosure."""
    register = bootstrap(Settings(mode="dev", database_url=url))
    try:
        import_bundle(register.unit_of_work, write_bundle(folder / "bundle"), actor="loader",
                      actor_role="operator")
        tokens = {}
        for name, role, borough, org in [
                ("soak_analyst", Role.BOROUGH_ANALYST, CAMDEN, None),
                ("soak_dpo", Role.DPO, None, None),
                ("soak_partner", Role.PARTNER, None, "Camden Youth Offending Service")]:
            create_user(register.unit_of_work, username=name, password="soak password 123",
                        role=role, borough_code=borough, organisation=org)
            tokens[name] = create_api_token(register.unit_of_work, username=name, name="soak")
    finally:
        register.close()
    return tokens


async def _client(n: int, base: str, tokens: dict[str, str], disclosure: int,
                  tally: Tally, until: float) -> None:
    rng = random.Random(n)
    analyst = {"Authorization": f"Bearer {tokens['soak_analyst']}"}
    partner = {"Authorization": f"Bearer {tokens['soak_partner']}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        i = 0
        while time.monotonic() < until:
            i += 1
            kind = rng.choices(["view", "search", "write", "export"], [4, 3, 2, 1])[0]
            if kind == "view":
                call = http.post(f"/people/{rng.choice(CAMDEN_PEOPLE)}/views", headers=analyst,
                                 json={"justification": "soak test", "as_of": AS_OF})
            elif kind == "search":
                call = http.post("/people/search", headers=analyst,
                                 json={"name": rng.choice(["an", "ov", "e", "ck"])})
            elif kind == "write":
                call = http.post("/intelligence", headers=analyst, json={
                    "person_id": rng.choice(CAMDEN_PEOPLE), "date": "2024-05-01",
                    "category": "violence_involvement", "source_id": f"SOAK-{n}-{i}",
                    "source_type": "police", "source_grade": "2", "intel_grade": "B",
                    "handling_code": "P", "summary": "soak", "justification": "soak test"})
            else:
                call = http.get(f"/disclosures/{disclosure}/export", headers=partner)
            start = time.monotonic()
            try:
                r = await call
            except httpx.HTTPError as e:
                tally.errors.append(f"{kind}: {e.__class__.__name__}")
                continue
            tally.latencies.append((start - tally.started, time.monotonic() - start))
            tally.counts[kind] = tally.counts.get(kind, 0) + 1
            if r.status_code >= 300:
                tally.errors.append(f"{kind}: {r.status_code}")
            elif kind == "write":
                tally.written.append(r.json()["intel_id"])


async def _sample_rss(pid: int, until: float, samples: list[tuple[float, int]],
                      started: float) -> None:
    while time.monotonic() < until:
        samples.append((time.monotonic() - started, _rss_kib(pid)))
        await asyncio.sleep(0.5)


def _thirds(pairs: list[tuple[float, float]], span: float) -> tuple[list[float], list[float]]:
    first = [v for t, v in pairs if t < span / 3]
    last = [v for t, v in pairs if t >= 2 * span / 3]
    return first, last


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def test_soak_keeps_serving_without_errors_or_growth(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.db'}"
    tokens = _setup(url, tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    env = {**os.environ, "GVM_DATABASE_URL": url, "GVM_MODE": "dev", "HOME": str(tmp_path)}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "gvm", "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        dpo = {"Authorization": f"Bearer {tokens['soak_dpo']}"}
        analyst = {"Authorization": f"Bearer {tokens['soak_analyst']}"}
        partner = {"Authorization": f"Bearer {tokens['soak_partner']}"}
        isa = httpx.post(f"{base}/isas", headers=dpo, json=isa_body()).json()["isa_id"]
        made = httpx.post(f"{base}/disclosures", headers=analyst, json={
            "isa_id": isa, "person_ids": CAMDEN_PEOPLE, "fields": ["names", "harm_band"],
            "as_of": AS_OF, "justification": "soak panel"})
        assert made.status_code == 201, made.text
        disclosure = made.json()["disclosure_id"]
        assert httpx.post(f"{base}/disclosures/{disclosure}/acknowledgement",
                          headers=partner).status_code == 200
        head = httpx.get(f"{base}/audit/entries", headers=dpo,
                         params={"limit": 1000}).json()["entries"][-1]["seq"]

        started = time.monotonic()
        until = started + SECONDS
        tally = Tally(started)
        rss: list[tuple[float, int]] = []

        async def soak() -> None:
            await asyncio.gather(_sample_rss(server.pid, until, rss, started), *[
                _client(n, base, tokens, disclosure, tally, until) for n in range(CLIENTS)])

        _run(soak())
        assert server.poll() is None, "the server died"

        verify = httpx.get(f"{base}/audit/verify", headers=dpo, timeout=60).json()
        collected, after = [], head
        while True:
            page = httpx.get(f"{base}/audit/entries", headers=dpo, timeout=60, params={
                "after": after, "limit": 1000, "operation": "collection"}).json()
            collected += [e for e in page["entries"] if e["actor"] == "soak_analyst"]
            if page["next_after"] is None:
                break
            after = page["next_after"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    total = len(tally.latencies)
    first_ms, last_ms = (sorted(v * 1000 for v in third)
                         for third in _thirds(tally.latencies, SECONDS))
    rss_first, rss_last = _thirds([(t, float(k)) for t, k in rss], SECONDS)
    print(f"\nsoak {SECONDS:.0f}s x {CLIENTS} clients: {total} requests "
          f"({total / SECONDS:.0f}/s) {tally.counts}; p99 first third {_p99(first_ms):.0f} ms, "
          f"last third {_p99(last_ms):.0f} ms; RSS median {statistics.median(rss_first) / 1024:.0f}"
          f" -> {statistics.median(rss_last) / 1024:.0f} MiB; errors {len(tally.errors)}")
    assert tally.errors == []
    assert min(tally.counts.get(k, 0) for k in ("view", "search", "write", "export")) > 0
    assert statistics.median(rss_last) <= RSS_GROWTH_LIMIT * statistics.median(rss_first)
    # Shared CI machines jitter: stable means the same order, not the same millisecond.
    assert _p99(last_ms) <= 3 * _p99(first_ms) + 100
    assert verify["ok"] is True, verify
    assert sorted(tally.written) == sorted(set(tally.written))  # each write its own item
    logged = {e["detail"].get("intelligence") for e in collected}
    assert set(tally.written) <= logged  # each write's collection is in the s.62 log
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            stored = set(conn.execute(sa.select(intelligence.c.intel_id).where(
                intelligence.c.source_id.like("SOAK-%"))).scalars())
    finally:
        engine.dispose()
    assert stored == set(tally.written)  # every write present, nothing else
