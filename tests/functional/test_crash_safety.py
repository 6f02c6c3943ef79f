"""Crash safety on SQLite and PostgreSQL (issue: reliability): `gvm import` and `gvm score`
killed with SIGKILL at random points leave the register either with the whole import
(run) or with none of it, a database that opens, and an audit chain that verifies.

Each import round starts from a fresh, migrated database, runs `gvm import` of a
~20,000-row synthetic bundle in a subprocess and kills it after a random delay. The
delays are drawn from stratified slots over [0.05 s, the measured duration of a full
import], so the kills cover the start-up, the validation and the write. Up to 8 import
and 3 score kills per backend, fewer (at least 4 and 1) when a loaded machine would take
the file past ~90 s. GVM_CRASH_SEED
fixes the draw (the seed used is printed on failure).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.functional.conftest import PG_URL
from typer.testing import CliRunner

from gvm.cli.app import app
from gvm.storage.database import Database
from gvm.synth import generator

KILLS_PER_BACKEND = 8
SCORE_KILLS_PER_BACKEND = 3
MIN_KILLS, MIN_SCORE_KILLS = 4, 1
IMPORT_BUDGET_S, BUDGET_S = 28.0, 40.0  # per backend: a loaded machine does fewer rounds
BUNDLE_PEOPLE = 900  # ~20,000 rows over the six files
SEED = int(os.environ.get("GVM_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
COUNTED = ("people", "aliases", "gangs", "offences", "intelligence", "custody")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("crash") / "bundle"
    saved = generator.SCALES["small"]
    generator.SCALES["small"] = BUNDLE_PEOPLE
    try:
        generator.generate(folder, seed=7, scale="small")
    finally:
        generator.SCALES["small"] = saved
    counts = {}
    for name in COUNTED:
        with (folder / f"{name}.csv").open(encoding="utf-8") as fh:
            counts[name] = sum(1 for _ in fh) - 1
    # offences.csv has one row per (event, person); the table does too
    return folder, counts


class Backend:
    """Fresh databases of one kind, dropped at the end."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind, self.tmp_path, self.schemas = kind, tmp_path, []
        self.admin = sa.create_engine(PG_URL) if kind == "postgresql" else None

    def fresh(self) -> str:
        name = f"gvm_k_{uuid.uuid4().hex[:12]}"
        if self.admin is None:
            url = f"sqlite:///{self.tmp_path / (name + '.db')}"
        else:
            with self.admin.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {name}"))
            self.schemas.append(name)
            url = f"{PG_URL}?options=-csearch_path%3D{name}"
        with Database(url) as db:
            db.upgrade()
        return url

    def close(self) -> None:
        if self.admin is None:
            return
        with self.admin.begin() as conn:
            for name in self.schemas:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "postgresql" and os.environ.get("GVM_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("GVM_TEST_SKIP_POSTGRES=1")
    b = Backend(request.param, tmp_path)
    try:
        yield b
    finally:
        b.close()


def env_for(url: str, home: Path) -> dict[str, str]:
    env = {**os.environ, "GVM_DATABASE_URL": url, "GVM_ACTOR": "crash-test", "HOME": str(home),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache")}
    env.pop("GVM_POLICY_PATH", None)
    return env


def start(url: str, home: Path, *args: str) -> subprocess.Popen:
    with (home / "gvm.stderr").open("wb") as err:  # the child keeps its own copy
        return subprocess.Popen([sys.executable, "-m", "gvm", *args], env=env_for(url, home),
                                stdout=subprocess.DEVNULL, stderr=err)


def finished(proc: subprocess.Popen, home: Path) -> None:
    stderr = (home / "gvm.stderr").read_text(errors="replace")
    assert proc.returncode == 0, f"gvm exited {proc.returncode}: {stderr}"


def run_killed(url: str, home: Path, delay: float, *args: str) -> bool:
    """Run `gvm ARGS`, SIGKILL it after `delay` s; whether it was killed (not finished)."""
    proc = start(url, home, *args)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True
    finished(proc, home)
    return False


def run_full(url: str, home: Path, *args: str) -> float:
    began = time.monotonic()
    proc = start(url, home, *args)
    proc.wait(timeout=120)
    finished(proc, home)
    return time.monotonic() - began


def cli(url: str, *args: str) -> str:
    """A gvm command in this process (no interpreter start-up): what a user would run."""
    result = CliRunner().invoke(app, list(args), env={"GVM_DATABASE_URL": url,
                                                      "GVM_ACTOR": "crash-test"})
    assert result.exit_code == 0, f"gvm {' '.join(args)}: {result.output} {result.exception!r}"
    return result.output


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                    for t in (*COUNTED, "imports", "score_runs", "scores")}
    finally:
        engine.dispose()


def collections_logged(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT count(*) FROM audit_log WHERE operation = 'collection'").scalar_one()
    finally:
        engine.dispose()


def check_after_crash(url: str, expected: dict[str, int]) -> str:
    cli(url, "init")  # the database opens and migrates
    assert "Audit chain intact" in cli(url, "audit", "verify")
    got = counts(url)
    held = {t: got[t] for t in COUNTED}
    gangs_only = {t: 0 for t in COUNTED}
    if held == expected:
        assert collections_logged(url) == 1  # the import and its audit record together
        return "present"
    assert held == gangs_only, f"half an import: {held} (expected {expected} or none)"
    assert collections_logged(url) == 0
    return "absent"


def stratified(rng: random.Random, n: int, low: float, high: float) -> list[float]:
    width = (high - low) / n
    delays = [low + width * (i + rng.random()) for i in range(n)]
    rng.shuffle(delays)
    return delays


def test_import_and_score_survive_kill_9(backend, bundle, tmp_path, record_property):
    folder, expected = bundle
    rng = random.Random(f"{SEED}-{backend.kind}")
    began = time.monotonic()

    # calibrate: a full import, start-up included, is "the typical duration"
    full_url = backend.fresh()
    duration = run_full(full_url, tmp_path, "import", str(folder))
    assert check_after_crash(full_url, expected) == "present"

    outcomes = []
    for delay in stratified(rng, KILLS_PER_BACKEND, 0.05, duration):
        if len(outcomes) >= MIN_KILLS and time.monotonic() - began > IMPORT_BUDGET_S:
            break
        url = backend.fresh()
        killed = run_killed(url, tmp_path, delay, "import", str(folder))
        state = check_after_crash(url, expected)
        outcomes.append((round(delay, 2), killed, state))
    assert sum(killed for _, killed, _ in outcomes) >= len(outcomes) // 2, outcomes

    # score: the run with all its scores and its audit record, or nothing
    score_duration = run_full(full_url, tmp_path, "score", "--as-of", "2026-09-30",
                              "--format", "csv")
    runs = 1
    score_delays = stratified(rng, SCORE_KILLS_PER_BACKEND, 0.05, score_duration)
    for done, delay in enumerate(score_delays):
        if done >= MIN_SCORE_KILLS and time.monotonic() - began > BUDGET_S:
            break
        killed = run_killed(full_url, tmp_path, delay, "score", "--as-of", "2026-09-30",
                            "--format", "csv")
        outcomes.append((round(delay, 2), killed, "score"))
        cli(full_url, "init")
        assert "Audit chain intact" in cli(full_url, "audit", "verify")
        got = counts(full_url)
        runs = got["score_runs"]
        assert got["scores"] == runs * expected["people"], got
        engine = sa.create_engine(full_url)
        try:
            with engine.connect() as conn:
                short = conn.exec_driver_sql(
                    "SELECT r.id FROM score_runs r LEFT JOIN scores s ON s.run_id = r.id "
                    "GROUP BY r.id, r.people_count HAVING count(s.person_id) <> r.people_count"
                ).fetchall()
                logged = conn.exec_driver_sql(
                    "SELECT count(*) FROM audit_log WHERE record_type = 'score_run'").scalar_one()
        finally:
            engine.dispose()
        assert short == [] and logged == runs

    elapsed = time.monotonic() - began
    summary = (f"{backend.kind}: seed {SEED}, import {duration:.2f}s, score "
               f"{score_duration:.2f}s, {len(outcomes)} kill rounds in {elapsed:.1f}s: "
               f"{outcomes}")
    record_property("crash_rounds", summary)
    print(summary)
