"""Merging the name search's full-text indexes, and emptying SQLite's write-ahead log,
so that an erased or corrected name leaves no trace in either (R-RETENTION)."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

# Connection info key: the transaction erased or corrected a name, so the write-ahead log
# is emptied once it commits (`empty_write_ahead_log`).
_EMPTY_WAL_AFTER_COMMIT = "gvm_empty_wal_after_commit"

# SQLite's full-text indexes of names. A delete or a changed name only adds a tombstone:
# the old name's trigrams, with their positions (enough to spell it out again), stay in
# older segments of the index until they are merged. 'optimize' merges every segment
# into one, dropping what the tombstones cancel (0.6 s for a million people; FTS5's
# 'secure-delete' option needs SQLite 3.44).
_MERGE_NAME_INDEXES = tuple(
    text(f"INSERT INTO {index} ({index}) VALUES ('optimize')")  # noqa: S608 (constants)
    for index in ("people_names", "name_trigrams"))


def merge_name_indexes(conn: Connection) -> None:
    """Leave no trace of an erased or corrected name in the name search's indexes
    (R-RETENTION; on PostgreSQL dead index entries go with VACUUM)."""
    if conn.dialect.name == "sqlite":
        for merge in _MERGE_NAME_INDEXES:
            conn.execute(merge)
        conn.info[_EMPTY_WAL_AFTER_COMMIT] = True


def empty_write_ahead_log(conn: Connection, *, committed: bool) -> None:
    """After the transaction of an erasure or a corrected name (SQLite): the WAL still
    holds the pages earlier transactions wrote, the person's names in them, until they
    are overwritten, and SQLite reuses a WAL from its start without shortening it. Once
    the erasure has committed, a TRUNCATE checkpoint copies its pages into the file and
    empties the WAL. It waits (busy timeout) for readers on older snapshots; if one
    still holds it, the next checkpoint does it and the operator is told."""
    if not conn.info.pop(_EMPTY_WAL_AFTER_COMMIT, False) or not committed:
        return
    # On the driver, outside any transaction: a checkpoint cannot run inside one.
    busy, _, _ = conn.connection.dbapi_connection.execute(
        "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.warning("after an erasure the write-ahead log could not be emptied (a reader "
                    "held it); run `PRAGMA wal_checkpoint(TRUNCATE)` when the register "
                    "is idle")
