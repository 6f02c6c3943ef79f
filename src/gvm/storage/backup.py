"""Online backup and restore of the register's database (SQLite file or PostgreSQL schema).

Consistency. A backup is one snapshot of the whole database, taken while the register
is in use:
  * SQLite: the sqlite3 online backup API copies every page in a single step, inside one
    read transaction on the live file. In WAL mode that read sees the last committed
    state and neither waits for nor blocks writers, so a half-written import or score run
    is never in the copy (it is either committed before the snapshot or not in it).
  * PostgreSQL: `pg_dump` reads every table in one REPEATABLE READ transaction, the same
    MVCC snapshot for all of them.
Either way the audit chain in the backup ends at a row committed together with the
change it records, so it verifies.

The backup file holds all the personal data in the register: it is created 0600, is
never overwritten unless asked (`force`), and gets a sidecar `PATH.sha256`
(`sha256sum -c` format) that `restore` checks before touching the target.

Restore replaces the target database with the backup's content in one step:
  * SQLite: only when no other connection has the file open (a probe takes an exclusive
    lock without waiting; a running `gvm serve` or a writer makes it refuse). The backup
    is copied to a new file next to the target and renamed over it (atomic on POSIX).
  * PostgreSQL: `pg_restore --clean --if-exists --single-transaction`, so the target is
    either wholly replaced or untouched.
Passwords never go on a command line: `PGPASSWORD` in the child's environment.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import URL, make_url

from gvm.domain.errors import GvmError
from gvm.storage import audit as audit_store
from gvm.storage.engine import make_engine
from gvm.storage.tables import audit_log

FILE_MODE = 0o600
_CHUNK = 1 << 20
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s]+)")


class BackupError(GvmError):
    """A backup or restore cannot be made safely; nothing was changed."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    sha256: str
    size: int
    backend: str
    audit_head_seq: int | None  # the backup's last audit row, when it was checked
    audit_checked: int | None  # audit rows verified in the backup (SQLite)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    path: Path
    sha256: str
    backend: str
    previous_head_seq: int | None  # the target's audit head before it was replaced
    previous_head_hash: str | None


# ---------------------------------------------------------------- common helpers

def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def check_sidecar(path: Path) -> str:
    """The backup's sha256, after checking it against PATH.sha256; refuses otherwise."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    side = sidecar(path)
    if not side.is_file():
        raise BackupError(f"{side}: missing; refusing to restore an unverifiable backup")
    expected = side.read_text(encoding="utf-8").split()[:1]
    actual = file_sha256(path)
    if not expected or expected[0].lower() != actual:
        raise BackupError(f"{path}: sha256 does not match {side.name}; the backup is damaged "
                          "or was altered, refusing to restore it")
    return actual


def _private_temp(folder: Path, prefix: str) -> Path:
    """A new empty file in `folder`, mode 0600 whatever the umask."""
    fd, name = tempfile.mkstemp(prefix=prefix, dir=folder)
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
    return Path(name)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, path: Path, digest: str, *, force: bool) -> None:
    """Move the finished backup into place and write its sidecar."""
    _fsync(tmp)
    if force:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)  # fails if `path` appeared meanwhile: never overwrite
        except FileExistsError:
            raise BackupError(f"{path}: already exists (use --force to overwrite)") from None
        tmp.unlink()
    side = sidecar(path)
    side_tmp = _private_temp(path.parent, ".gvm-sha256-")
    side_tmp.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    os.replace(side_tmp, side)
    with contextlib.suppress(OSError):  # make the renames durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _prepare_target(path: Path, *, force: bool) -> Path:
    path = Path(path).expanduser().absolute()
    if path.exists() and not force:
        raise BackupError(f"{path}: already exists (use --force to overwrite)")
    if path.is_dir():
        raise BackupError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder")
    return path


def backup(url: str | URL, path: str | Path, *, force: bool = False) -> BackupResult:
    """Write a consistent online backup of the database at `url` to `path`."""
    url = make_url(url)
    target = _prepare_target(Path(path), force=force)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_backup(_sqlite_path(url), target, force=force)
    if backend == "postgresql":
        return _pg_backup(url, target, force=force)
    raise BackupError(f"unsupported database backend {backend!r}")


def restore(url: str | URL, path: str | Path) -> RestoreResult:
    """Replace the database at `url` with the backup at `path` (checked first)."""
    url = make_url(url)
    source = Path(path).expanduser().absolute()
    digest = check_sidecar(source)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_restore(_sqlite_path(url), source, digest)
    if backend == "postgresql":
        return _pg_restore(url, source, digest)
    raise BackupError(f"unsupported database backend {backend!r}")


# ---------------------------------------------------------------- SQLite

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database).expanduser().absolute()


def verify_sqlite_file(path: Path) -> audit_store.VerifyResult:
    """PRAGMA integrity_check and the audit chain of a SQLite file, opened read-only."""
    uri = f"{path.as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path}: not a readable SQLite database ({e})") from None
    if rows != ["ok"]:
        raise BackupError(f"{path}: integrity check failed: {'; '.join(rows[:3])}")
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("audit_log"):
                raise BackupError(f"{path}: not a gvm register (no audit log)")
            result = audit_store.verify(conn)
    finally:
        engine.dispose()
    if not result.ok:
        raise BackupError(f"{path}: audit chain broken at record {result.first_broken_seq}: "
                          f"{result.reason}")
    return result


def _sqlite_backup(db: Path, target: Path, *, force: bool) -> BackupResult:
    if not db.is_file():
        raise BackupError(f"{db}: no such database file")
    tmp = _private_temp(target.parent, ".gvm-backup-")
    try:
        src = sqlite3.connect(db, timeout=30)
        try:
            dst = sqlite3.connect(tmp)
            try:
                # pages=-1 (the default): the whole copy in one step, one read snapshot.
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
            finally:
                dst.close()
        finally:
            src.close()
        checked = verify_sqlite_file(tmp)
        digest = file_sha256(tmp)
        size = tmp.stat().st_size
        _publish(tmp, target, digest, force=force)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, digest, size, "sqlite", checked.head_seq, checked.checked)


def _head(conn: sqlite3.Connection) -> tuple[int | None, str | None]:
    try:
        row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # not (yet) a gvm database
        return None, None
    return (int(row[0]), row[1]) if row else (None, None)


def _sqlite_restore(db: Path, source: Path, digest: str) -> RestoreResult:
    verify_sqlite_file(source)
    if not db.parent.is_dir():
        raise BackupError(f"{db.parent}: no such folder")
    tmp = _private_temp(db.parent, ".gvm-restore-")
    lock: sqlite3.Connection | None = None
    try:
        shutil.copyfile(source, tmp)
        _fsync(tmp)
        previous: tuple[int | None, str | None] = (None, None)
        if db.exists():
            # No waiting: if anyone has the file open (WAL readers too), refuse.
            lock = sqlite3.connect(db, timeout=0, isolation_level=None)
            try:
                lock.execute("PRAGMA locking_mode=EXCLUSIVE")
                lock.execute("BEGIN EXCLUSIVE")
                previous = _head(lock)
                lock.execute("COMMIT")  # exclusive locking mode: the lock stays held
                lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                lock.execute("PRAGMA journal_mode=DELETE")  # no -wal left for the new file
            except sqlite3.OperationalError as e:
                raise BackupError(
                    f"{db}: the database is in use ({e}); stop every gvm process using it "
                    "(gvm serve, imports, scoring) and run the restore again") from None
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, db)
        with contextlib.suppress(OSError):
            dir_fd = os.open(db.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        if lock is not None:
            lock.close()
        tmp.unlink(missing_ok=True)
    return RestoreResult(source, digest, "sqlite", *previous)


# ---------------------------------------------------------------- PostgreSQL

def pg_schema(url: URL) -> str | None:
    """The schema named first in the URL's `options=-csearch_path=...`, if any."""
    options = url.query.get("options")
    if isinstance(options, tuple):
        options = " ".join(options)
    match = _SEARCH_PATH.search(options or "")
    if not match:
        return None
    first = match.group(1).split(",")[0].strip().strip('"')
    return first or None


def pg_environment(url: URL) -> dict[str, str]:
    """libpq environment for the pg_* tools: connection parameters, password included,
    so that nothing secret appears in a process listing."""
    env = dict(os.environ)  # PG* variables libpq would use for the engine apply here too
    pairs = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
             "PGPASSWORD": url.password, "PGDATABASE": url.database}
    libpq = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
             "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
             "application_name": "PGAPPNAME", "options": "PGOPTIONS"}
    for key, var in libpq.items():
        value = url.query.get(key)
        if isinstance(value, tuple):
            value = value[-1]
        if value is not None:
            pairs[var] = value
    env.update({k: str(v) for k, v in pairs.items() if v is not None and str(v) != ""})
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools "
                          "matching the server's major version")
    return found


def _run(args: list[str], env: dict[str, str], stdout=None) -> subprocess.CompletedProcess:
    # a fixed argv (a pg_* tool found on PATH and our own arguments), never a shell
    run = subprocess.run(args, env=env, stdout=subprocess.PIPE if stdout is None else stdout,  # noqa: S603
                         stderr=subprocess.PIPE, check=False)
    if run.returncode != 0:
        err = run.stderr.decode("utf-8", "replace").strip()
        raise BackupError(f"{Path(args[0]).name} failed (exit {run.returncode}): {err[-800:]}")
    return run


def _pg_check_archive(path: Path, schema: str | None) -> None:
    """The file is a pg_dump custom archive with the audit log's data in it."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], os.environ.copy())
    text = listing.stdout.decode("utf-8", "replace")
    wanted = re.compile(r"TABLE DATA (\S+) audit_log ")
    schemas = {m.group(1) for m in wanted.finditer(text)}
    if not schemas or (schema is not None and schema not in schemas):
        raise BackupError(f"{path}: not a gvm register backup"
                          + (f" of schema {schema}" if schema else "")
                          + " (no audit log data in the archive)")


def _pg_backup(url: URL, target: Path, *, force: bool) -> BackupResult:
    schema = pg_schema(url)
    args = [_tool("pg_dump"), "--format=custom", "--no-owner"]
    if schema is not None:
        args.append(f"--schema={schema}")
    tmp = _private_temp(target.parent, ".gvm-backup-")
    try:
        with tmp.open("wb") as out:
            _run(args, pg_environment(url), stdout=out)
        _pg_check_archive(tmp, schema)
        digest = file_sha256(tmp)
        size = tmp.stat().st_size
        _publish(tmp, target, digest, force=force)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, digest, size, "postgresql", None, None)


def _pg_head(url: URL) -> tuple[int | None, str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("audit_log"):
                return None, None
            row = conn.execute(select(audit_log.c.seq, audit_log.c.hash)
                               .order_by(audit_log.c.seq.desc()).limit(1)).first()
    finally:
        engine.dispose()
    return (int(row.seq), row.hash) if row else (None, None)


def _pg_restore(url: URL, source: Path, digest: str) -> RestoreResult:
    schema = pg_schema(url)
    _pg_check_archive(source, schema)
    previous = _pg_head(url)
    args = [_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction",
            "--exit-on-error", "--no-owner"]
    env = pg_environment(url)
    args += ["--dbname", env.get("PGDATABASE", "postgres"), str(source)]
    try:
        _run(args, env)
    except BackupError as e:
        raise BackupError(f"restore rolled back, the database is unchanged: {e}") from None
    return RestoreResult(source, digest, "postgresql", *previous)
