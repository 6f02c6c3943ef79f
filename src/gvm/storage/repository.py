"""The register's records in and out: bundle import (idempotent upsert by natural key,
in gvm.storage.bundle_store), one person's records as domain values, and erasure.

Functions take an open Connection inside the caller's transaction; UnitOfWork wraps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from gvm.domain.model import (
    Alias,
    CustodyPeriod,
    Ethnicity,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    Person,
    PersonRecords,
    Role,
    Sex,
    SourceGrade,
    SourceType,
)
from gvm.storage.bundle_store import PERSON_FIELDS, save_bundle, save_bundle_chunks
from gvm.storage.name_indexes import merge_name_indexes
from gvm.storage.prepared import Prepared
from gvm.storage.tables import aliases, custody, intelligence, offences, people

__all__ = ["PERSON_FIELDS", "erase_person", "iter_people", "list_people", "person",
           "person_aliases", "person_records", "save_bundle", "save_bundle_chunks"]


def _members(kind: type[StrEnum]) -> dict[str | None, Any]:
    """stored value -> member (None -> None). A dict lookup: calling the enum class costs
    ten times as much, and a profile turns some ninety stored values into members."""
    return {None: None, **{m.value: m for m in kind}}


_SEX, _ETHNICITY, _ROLE, _OUTCOME = (_members(k) for k in (Sex, Ethnicity, Role, Outcome))
_CATEGORY, _SOURCE_TYPE, _SOURCE_GRADE, _INTEL_GRADE, _HANDLING = (
    _members(k) for k in (IntelCategory, SourceType, SourceGrade, IntelGrade, HandlingCode))


def _person(row: Any) -> Person:
    return Person(
        person_id=row.person_id, surname=row.surname, forenames=row.forenames,
        date_of_birth=row.date_of_birth, sex=_SEX[row.sex], ethnicity=_ETHNICITY[row.ethnicity],
        borough_code=row.borough_code,
    )


_PERSON_COLUMNS = (people.c.person_id, *(people.c[f] for f in PERSON_FIELDS))
_OFFENCE_COLUMNS = ("event_id", "date", "ho_offence_code", "role", "outcome")
_INTELLIGENCE_COLUMNS = ("intel_id", "date", "gang_id", "category", "source_id",
                         "source_type", "source_grade", "intel_grade", "handling_code",
                         "summary")

# The statements of one person's profile, prepared once (gvm.storage.prepared): run
# through SQLAlchemy each would cost several times what SQLite takes to answer it, and a
# profile view runs five of them (see docs/PERFORMANCE.md).
_PERSON_ID = bindparam("person_id")
_PERSON = Prepared(select(*_PERSON_COLUMNS).where(people.c.person_id == _PERSON_ID))
_EXISTS = Prepared(select(people.c.person_id).where(people.c.person_id == _PERSON_ID))
_ALIASES = Prepared(select(aliases.c.person_id, aliases.c.surname, aliases.c.forenames)
                    .where(aliases.c.person_id == _PERSON_ID)
                    .order_by(aliases.c.surname, aliases.c.forenames))
_OFFENCES = Prepared(select(*(offences.c[c] for c in _OFFENCE_COLUMNS))
                     .where(offences.c.person_id == _PERSON_ID)
                     .order_by(offences.c.date, offences.c.event_id))
_INTELLIGENCE = Prepared(select(*(intelligence.c[c] for c in _INTELLIGENCE_COLUMNS))
                         .where(intelligence.c.person_id == _PERSON_ID)
                         .order_by(intelligence.c.date, intelligence.c.intel_id))
_CUSTODY = Prepared(select(custody.c.start_date, custody.c.end_date)
                    .where(custody.c.person_id == _PERSON_ID)
                    .order_by(custody.c.start_date))


def person(conn: Connection, person_id: str) -> Person | None:
    row = _PERSON.first(conn, {"person_id": person_id})
    return None if row is None else _person(row)


def list_people(conn: Connection, borough: str | None = None) -> list[Person]:
    return list(iter_people(conn, borough))


def iter_people(conn: Connection, borough: str | None = None) -> Iterator[Person]:
    stmt = select(*_PERSON_COLUMNS).order_by(people.c.person_id)
    if borough is not None:
        stmt = stmt.where(people.c.borough_code == borough)
    for row in conn.execute(stmt):
        yield _person(row)


def person_aliases(conn: Connection, person_id: str) -> list[Alias]:
    rows = _ALIASES.rows(conn, {"person_id": person_id})
    return [Alias(person_id=r.person_id, surname=r.surname, forenames=r.forenames)
            for r in rows]


def person_records(conn: Connection, person_id: str, *, known: bool = False
                   ) -> PersonRecords | None:
    """What the scoring rules read about one person, oldest first; None if unknown.
    `known`: the caller has just read the person in this transaction (no check)."""
    key = {"person_id": person_id}
    if not known and _EXISTS.first(conn, key) is None:
        return None
    # Unpacked in place (Prepared.values): a profile turns some twenty rows into values.
    found_offences = tuple(
        Offence(event_id, day, code, person_id, _ROLE[role], _OUTCOME[outcome])
        for event_id, day, code, role, outcome in _OFFENCES.values(conn, key))
    found_intelligence = tuple(
        Intelligence(intel_id, day, person_id, gang_id, _CATEGORY[category], source_id,
                     _SOURCE_TYPE[source_type], _SOURCE_GRADE[source_grade],
                     _INTEL_GRADE[intel_grade], _HANDLING[handling], summary)
        for intel_id, day, gang_id, category, source_id, source_type, source_grade,
        intel_grade, handling, summary in _INTELLIGENCE.values(conn, key))
    found_custody = tuple(CustodyPeriod(person_id, start, end)
                          for start, end in _CUSTODY.values(conn, key))
    return PersonRecords(person_id=person_id, offences=found_offences,
                         intelligence=found_intelligence, custody=found_custody)


def erase_person(conn: Connection, person_id: str) -> bool:
    """Delete the person and, by cascade, their aliases, offences, intelligence, custody
    periods and stored scores, leaving no copy of their names in the search indexes
    (R-RETENTION); with secure_delete on (engine.py) SQLite zeroes the freed space.
    Audit rows stay (they hold ids only). False if unknown."""
    result = conn.execute(delete(people).where(people.c.person_id == person_id))
    if result.rowcount > 0:
        merge_name_indexes(conn)
    return result.rowcount > 0
