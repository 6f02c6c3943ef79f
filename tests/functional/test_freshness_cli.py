"""Incremental freshness end to end: `gvm freshen --once` re-scores what an import queued
and then nothing more (SQLite and PostgreSQL); the app built for `gvm serve` runs the
worker while it runs and stops it with the app."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from gvm.api.app import create_app
from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services.importing import import_bundle


def test_freshen_once_rescores_what_an_import_queued(gvm, tmp_path):
    gvm("synth", "--out", str(tmp_path / "small"), "--scale", "small")
    gvm("import", str(tmp_path / "small"))
    first = gvm("freshen", "--once", "--as-of", "2026-09-30", "--batch", "100")
    assert "430 people queued" in first.stderr
    assert "Re-scored 430 people in 5 batches." in first.stdout
    again = gvm("freshen", "--once", "--as-of", "2026-09-30")
    assert "Re-scored 0 people in 0 batches." in again.stdout
    assert "intact" in gvm("audit", "verify").stdout


def _wait_until(test, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(0.05)
    return False


def test_the_served_app_keeps_scores_current_while_it_runs(tmp_path: Path, gvm):
    if not gvm.url.startswith("sqlite"):
        pytest.skip("the worker thread is the same on both backends; SQLite is enough")
    gvm("synth", "--out", str(tmp_path / "small"), "--scale", "small")
    register = bootstrap(Settings(mode="dev", database_url=gvm.url, policy_path=None))
    try:
        import_bundle(register.unit_of_work, tmp_path / "small", actor="t",
                      actor_role="operator")

        def stale() -> int:
            with register.unit_of_work(read_only=True) as uow:
                return uow.stale_count()

        assert stale() == 430
        app = create_app(register, freshness=True)
        with TestClient(app):
            assert _wait_until(lambda: stale() == 0)
        with register.database.engine.connect() as conn:
            scored = conn.execute(sa.text("SELECT count(*) FROM current_scores")).scalar_one()
        assert scored == 430
        assert register.database.verify_audit().ok
        assert create_app(register).state.freshness is False  # off unless asked
    finally:
        register.close()
