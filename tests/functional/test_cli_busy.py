"""A command run while another process holds an SQLite register (an import, a re-score)
longer than it waits, or against a database that cannot be reached, ends with a plain
message and exit status 75 (EX_TEMPFAIL), not a traceback quoting the database's error,
and changes nothing."""

from __future__ import annotations

import socket
import sqlite3
import sys

import pytest

from gvm.cli.app import BUSY_MESSAGE, TRY_AGAIN, UNREACHABLE_MESSAGE, main
from gvm.storage import Database, engine


def test_a_command_while_another_process_writes_says_so_and_exits_75(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "register.db"
    with Database(f"sqlite:///{path}") as db:
        db.upgrade()
    monkeypatch.setenv("GVM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("GVM_ACTOR", "test-operator")
    monkeypatch.setattr(sys, "argv", ["gvm", "score", "--as-of", "2024-06-30"])
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # as `gvm import` in another process holds it
        with pytest.raises(SystemExit) as ended:
            main()
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert ended.value.code == TRY_AGAIN
    said = capsys.readouterr()
    assert said.err.strip() == BUSY_MESSAGE and "Traceback" not in said.err
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM score_runs").fetchone() == (0,)


def test_a_command_against_a_database_that_cannot_be_reached_exits_75(
        monkeypatch, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("GVM_DATABASE_URL", f"postgresql+psycopg://gvm@127.0.0.1:{port}/gvm")
    monkeypatch.setenv("GVM_ACTOR", "test-operator")
    monkeypatch.setattr(sys, "argv", ["gvm", "audit", "verify"])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == TRY_AGAIN
    said = capsys.readouterr()
    assert said.err.strip() == UNREACHABLE_MESSAGE and "Traceback" not in said.err
