"""Bundle import into the register: every record upserted by its natural key, in chunks,
and the import recorded. A whole `Bundle` in memory, or the chunks of a
`BundleStream` as they are validated, go the same way (`bulk_load.TableLoad`).

Functions take an open Connection inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import IntegrityError

from gvm.domain.model import Bundle
from gvm.interchange.columnar_check import ColumnChunk
from gvm.storage.bulk import CHUNK_ROWS, UpsertCount
from gvm.storage.bulk_load import TableLoad
from gvm.storage.name_indexes import merge_name_indexes
from gvm.storage.tables import (
    aliases,
    custody,
    gang_relations,
    gangs,
    imports,
    intelligence,
    offences,
    people,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
PERSON_FIELDS = ("surname", "forenames", "date_of_birth", "sex", "ethnicity", "borough_code")
# The order of the tables in the counts an import reports and records.
COUNT_ORDER = ("gangs", "people", "aliases", "offences", "intelligence", "custody")


@dataclass(frozen=True)
class _Spec:
    """How one bundle table is stored: the record fields read, the table's columns (the
    same, in order, plus any `stamped` with the import time), which are enums (stored as
    their value), the key and the upsert's compare/also_set."""

    table: Table
    fields: tuple[str, ...]
    enums: tuple[str, ...] = ()
    stamped: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    compare: tuple[str, ...] | None = None
    also_set: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.fields, *self.stamped)

    def values(self, records: Sequence[Any], now: datetime) -> list[Sequence[Any]]:
        """The chunk column by column, as stored (C-level passes, no per-row Python)."""
        if type(records) is ColumnChunk:  # already stored values, by field name
            if sorted(records.fields) != sorted(self.fields):
                raise ValueError(f"{self.table.name}: columns {records.fields} do not match")
            by_name = dict(zip(records.fields, records.columns, strict=True))
            return [*(by_name[name] for name in self.fields),
                    *([now] * len(records) for _ in self.stamped)]
        columns: list[Sequence[Any]] = []
        for name in self.fields:
            column = list(map(attrgetter(name), records))
            if name in self.enums:  # a StrEnum member's str() is its value
                column = [None if v is None else str(v) for v in column]
            columns.append(column)
        stamp = [now] * len(records)
        columns.extend(stamp for _ in self.stamped)
        return columns

    def load(self, conn: Connection) -> TableLoad:
        return TableLoad(conn, self.table, self.columns, keys=self.keys,
                         compare=self.compare, also_set=self.also_set)


SPECS: dict[str, _Spec] = {
    "people": _Spec(
        people, ("person_id", *PERSON_FIELDS), enums=("sex", "ethnicity"),
        stamped=("first_seen", "last_updated"),
        keys=("person_id",), compare=PERSON_FIELDS, also_set=("last_updated",)),
    "gangs": _Spec(gangs, ("gang_id", "name", "borough_code"), keys=("gang_id",)),
    "aliases": _Spec(aliases, ("person_id", "surname", "forenames"),
                     keys=("person_id", "surname", "forenames"), compare=()),
    "offences": _Spec(
        offences, ("event_id", "person_id", "role", "date", "ho_offence_code", "outcome"),
        enums=("role", "outcome"), keys=("event_id", "person_id")),
    "intelligence": _Spec(
        intelligence, ("intel_id", "person_id", "gang_id", "date", "category", "source_id",
                       "source_type", "source_grade", "intel_grade", "handling_code",
                       "summary"),
        enums=("category", "source_type", "source_grade", "intel_grade", "handling_code"),
        keys=("intel_id",)),
    "custody": _Spec(custody, ("person_id", "start_date", "end_date"),
                     keys=("person_id", "start_date")),
    "gang_relations": _Spec(gang_relations, ("gang_a", "gang_b", "relation", "date", "source"),
                            enums=("relation",), keys=("gang_a", "gang_b", "relation", "date")),
}


def source_file_name(source_name: str) -> str:
    """The file name alone: an import record never keeps a path (it may name a person's
    folder or a user's home directory)."""
    name = re.split(r"[\\/]", source_name.strip())[-1]
    if not name:
        raise ValueError("source_name: a file name is required")
    return name


def _digest(sha256: str) -> str:
    digest = sha256.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ValueError("sha256: expected 64 hexadecimal digits")
    return digest


def save_bundle(conn: Connection, bundle: Bundle, *, source_name: str, sha256: str,
                now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Upsert every record of `bundle` by its natural key and record the import.

    Per table: rows received, new, updated (a value changed) and unchanged. Importing
    the same bundle again adds and changes nothing. Records repeating a key count once,
    the last one winning.
    """
    return save_bundle_chunks(conn, _chunks(bundle), source_name=source_name, sha256=sha256,
                              now=now)


def _chunks(bundle: Bundle) -> Iterator[tuple[str, list[Any]]]:
    for name in (*COUNT_ORDER, "gang_relations"):
        records: Sequence[Any] = getattr(bundle, name)
        if not records:
            continue
        key = attrgetter(*SPECS[name].keys)
        unique = list({key(r): r for r in records}.values())
        for start in range(0, len(unique), CHUNK_ROWS * 10):
            yield name, unique[start:start + CHUNK_ROWS * 10]


def save_bundle_chunks(conn: Connection, chunks: Iterable[tuple[str, Sequence[Any]]], *,
                       source_name: str, sha256: str | Callable[[], str],
                       now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Upsert `chunks` ((table name, domain records) pairs, e.g. a BundleStream; a
    table's chunks come together) and record the import. A key that repeats must make
    `chunks` raise (a BundleStream does, once the table is read): the database may
    refuse it first, and the rest of `chunks` is then read for that error.

    `sha256` may be a function, called once every chunk is written (a bundle's digest
    is taken only once it is known to be valid). Counts as `save_bundle`; a table
    without records counts zeros, gang_relations is reported only when it had any.
    """
    if isinstance(sha256, str):  # a bad argument fails before anything is written
        _digest(sha256)
        source_file_name(source_name)
    now = now or datetime.now(UTC)
    counts: dict[str, UpsertCount] = {}
    current: tuple[str, TableLoad] | None = None
    for table, records in chunks:
        if current is None or current[0] != table:
            if current is not None:
                _finish(counts, *current)
            current = (table, SPECS[table].load(conn))
        try:
            current[1].add(SPECS[table].values(records, now))
        except IntegrityError:
            # A key repeated in the bundle can reach the database (PostgreSQL's COPY into
            # an empty table refuses it) before a stream has judged it: reading on gives
            # the stream's BundleError, which names the row and wins if it comes.
            for _ in chunks:
                pass
            raise
    if current is not None:
        _finish(counts, *current)
    name = source_file_name(source_name)
    digest = _digest(sha256 if isinstance(sha256, str) else sha256())
    zero = UpsertCount(0, 0, 0)
    result = {table: counts.get(table, zero).as_dict() for table in COUNT_ORDER}
    if "gang_relations" in counts:  # the optional file: absent, the import is as it was
        result["gang_relations"] = counts["gang_relations"].as_dict()
    conn.execute(insert(imports).values(at=now, source_name=name, sha256=digest,
                                        counts=result))
    if result["people"]["updated"]:  # a corrected name leaves no trace of the old one
        merge_name_indexes(conn)
    return result


def _finish(counts: dict[str, UpsertCount], table: str, load: TableLoad) -> None:
    done = load.finish()
    before = counts.get(table)
    if before is not None:  # the table came back: add up
        done = UpsertCount(before.received + done.received, before.new + done.new,
                           before.updated + done.updated)
    counts[table] = done
