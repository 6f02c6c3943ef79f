"""Merging the name search's full-text indexes, so that an erased or corrected name
leaves no trace in them (R-RETENTION)."""

from __future__ import annotations

from sqlalchemy import Connection, text

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
