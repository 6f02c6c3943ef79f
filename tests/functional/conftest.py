"""CLI end to end: the real `gvm` console script against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("GVM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class Gvm:
    """Runs `gvm` as a user would, with GVM_DATABASE_URL set."""

    def __init__(self, url: str, home: Path):
        self.url = url
        self.env = {**os.environ, "GVM_DATABASE_URL": url, "GVM_ACTOR": "test-operator",
                    "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"),
                    "XDG_DATA_HOME": str(home / "data"), "COLUMNS": "200"}
        self.env.pop("GVM_POLICY_PATH", None)

    def __call__(self, *args: str, check: bool = True, stdin: str | None = None):
        run = subprocess.run([sys.executable, "-m", "gvm", *args], env=self.env,
                             capture_output=True, text=True, input=stdin, check=False,
                             timeout=300)
        if check and run.returncode != 0:
            raise AssertionError(f"gvm {' '.join(args)} exited {run.returncode}:\n"
                                 f"{run.stdout}\n{run.stderr}")
        return run


@pytest.fixture(params=["sqlite", "postgresql"])
def gvm(request, tmp_path: Path) -> Iterator[Gvm]:
    if request.param == "sqlite":
        yield Gvm(f"sqlite:///{tmp_path / 'register.db'}", tmp_path)
        return
    if os.environ.get("GVM_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("GVM_TEST_SKIP_POSTGRES=1")
    schema = f"gvm_f_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as e:  # fail, never skip: CI must prove PostgreSQL
        admin.dispose()
        pytest.fail(f"PostgreSQL not reachable at {PG_URL}: {e.__class__.__name__}")
    try:
        yield Gvm(f"{PG_URL}?options=-csearch_path%3D{schema}", tmp_path)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
