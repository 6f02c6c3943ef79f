"""`gvm backup` and `gvm restore` end to end on SQLite and PostgreSQL (issue:
reliability): the restored register is exactly the one backed up, the audit chain still
verifies, and a damaged or altered backup is refused.

`gvm backup` and `gvm restore` run as real subprocesses; the set-up steps (import, score)
run in this process through the same Typer app, to keep the file quick."""

from __future__ import annotations

import sqlite3
import stat

import sqlalchemy as sa
from tests.functional.test_cli_core import AS_OF, write_bundle
from typer.testing import CliRunner

from gvm.cli.app import app

TABLES = ("people", "aliases", "offences", "intelligence", "custody", "score_runs", "scores")

PEOPLE_MORE = ("person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code\n"
               "P4,Ottershaw,Di,2001-02-03,F,Asian,E09000001\n"
               "P5,Brindlecombe,Ed,1999-09-09,M,White,E09000002\n")
MORE = {
    "people.csv": PEOPLE_MORE,
    "offences.csv": "event_id,date,ho_offence_code,person_id,role,outcome\n"
                    "E9,2024-02-10,8N,P4,suspect,convicted\nE9,2024-02-10,8N,P5,victim,\n",
    "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                        "source_grade,intel_grade,handling_code,summary\n"
                        "I9,2024-03-01,P4,G1,gang_membership,S1,police,1,A,P,seen\n",
    "custody.csv": "person_id,start_date,end_date\n",
}


def quick(gvm, *args: str) -> str:
    """`gvm ARGS` in this process (no interpreter start-up)."""
    result = CliRunner().invoke(app, list(args), env={"GVM_DATABASE_URL": gvm.url,
                                                      "GVM_ACTOR": "test-operator"})
    assert result.exit_code == 0, f"gvm {' '.join(args)}: {result.output} {result.exception!r}"
    return result.output


def dump(url: str) -> dict[str, list[str]]:
    """Every row of the register's tables, sorted, as text."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
                    for t in TABLES}
    finally:
        engine.dispose()


def audit_rows(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(
                "SELECT seq, operation, record_type, recipient FROM audit_log ORDER BY seq")]
    finally:
        engine.dispose()


def test_backup_then_restore_gives_back_the_register(gvm, tmp_path):
    quick(gvm, "import", str(write_bundle(tmp_path / "b1")))
    quick(gvm, "score", "--as-of", AS_OF, "--format", "csv")
    before = dump(gvm.url)
    assert len(before["people"]) == 3 and len(before["scores"]) == 3
    path = tmp_path / "backups" / "register.bak"
    path.parent.mkdir()

    out = gvm("backup", str(path)).stdout
    assert "Backup written" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    side = path.with_name("register.bak.sha256")
    assert side.read_text().split() == [side.read_text().split()[0], "register.bak"]
    assert len(side.read_text().split()[0]) == 64
    logged = audit_rows(gvm.url)[-1]
    assert logged[1:3] == ("disclosure", "backup") and str(path) in logged[3]
    head_at_backup = len(audit_rows(gvm.url)) - 1  # the backup's own entry is not in it

    # change the register after the backup
    quick(gvm, "import", str(write_bundle(tmp_path / "b2", **MORE)))
    quick(gvm, "score", "--as-of", "2024-07-31", "--format", "csv")
    assert dump(gvm.url) != before

    restored = gvm("restore", str(path))
    assert "audit chain intact" in restored.stdout.replace("\n", " ")
    assert dump(gvm.url) == before
    log = audit_rows(gvm.url)
    assert len(log) == head_at_backup + 1
    assert log[-1][1:3] == ("alteration", "backup")
    verify = gvm("audit", "verify")
    assert f"{head_at_backup + 1} records verified" in verify.stdout


def test_backup_refuses_to_overwrite_without_force(gvm, tmp_path):
    quick(gvm, "import", str(write_bundle(tmp_path / "b1")))
    path = tmp_path / "register.bak"
    path.write_bytes(b"precious")
    run = gvm("backup", str(path), check=False)
    assert run.returncode == 2 and "--force" in run.stderr
    assert path.read_bytes() == b"precious"
    assert not path.with_name("register.bak.sha256").exists()
    gvm("backup", str(path), "--force")
    assert path.read_bytes() != b"precious"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_tampered_or_unsigned_backup_is_refused(gvm, tmp_path):
    quick(gvm, "import", str(write_bundle(tmp_path / "b1")))
    path = tmp_path / "register.bak"
    gvm("backup", str(path))
    quick(gvm, "import", str(write_bundle(tmp_path / "b2", **MORE)))
    after = dump(gvm.url)

    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    run = gvm("restore", str(path), check=False)
    assert run.returncode == 2 and "sha256" in run.stderr and "Traceback" not in run.stderr
    assert dump(gvm.url) == after  # untouched

    path.with_name("register.bak.sha256").unlink()
    run = gvm("restore", str(path), check=False)
    assert run.returncode == 2 and "sha256" in run.stderr
    assert dump(gvm.url) == after
    gvm("audit", "verify")


def test_sqlite_restore_refuses_while_the_database_is_open(tmp_path):
    from tests.functional.conftest import Gvm

    gvm = Gvm(f"sqlite:///{tmp_path / 'register.db'}", tmp_path)
    quick(gvm, "import", str(write_bundle(tmp_path / "b1")))
    path = tmp_path / "register.bak"
    gvm("backup", str(path))
    holder = sqlite3.connect(tmp_path / "register.db")
    try:
        holder.execute("SELECT count(*) FROM people").fetchone()
        run = gvm("restore", str(path), check=False)
        assert run.returncode == 2 and "in use" in run.stderr
    finally:
        holder.close()
    gvm("restore", str(path))
    gvm("audit", "verify")
