"""The register's records in and out: bundle import (idempotent upsert by natural key),
one person's records as domain values, and erasure.

Functions take an open Connection inside the caller's transaction; UnitOfWork wraps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from gvm.domain.model import (
    Alias,
    Bundle,
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
from gvm.storage.bulk import upsert
from gvm.storage.prepared import Prepared
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


def _value(x: Any) -> Any:
    """An enum as its stored short string; anything else as it is."""
    return None if x is None else (x.value if hasattr(x, "value") else x)


def source_file_name(source_name: str) -> str:
    """The file name alone: an import record never keeps a path (it may name a person's
    folder or a user's home directory)."""
    name = re.split(r"[\\/]", source_name.strip())[-1]
    if not name:
        raise ValueError("source_name: a file name is required")
    return name


def save_bundle(conn: Connection, bundle: Bundle, *, source_name: str, sha256: str,
                now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Upsert every record of `bundle` by its natural key and record the import.

    Per table: rows received, new, updated (a value changed) and unchanged. Importing
    the same bundle again adds and changes nothing.
    """
    digest = sha256.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ValueError("sha256: expected 64 hexadecimal digits")
    name = source_file_name(source_name)
    now = now or datetime.now(UTC)

    counts = {
        "gangs": upsert(conn, gangs, (
            {"gang_id": g.gang_id, "name": g.name, "borough_code": g.borough_code}
            for g in bundle.gangs), keys=["gang_id"]),
        "people": upsert(conn, people, (
            {"person_id": p.person_id, "surname": p.surname, "forenames": p.forenames,
             "date_of_birth": p.date_of_birth, "sex": _value(p.sex),
             "ethnicity": _value(p.ethnicity), "borough_code": p.borough_code,
             "first_seen": now, "last_updated": now}
            for p in bundle.people),
            keys=["person_id"], compare=PERSON_FIELDS, also_set=["last_updated"]),
        "aliases": upsert(conn, aliases, (
            {"person_id": a.person_id, "surname": a.surname, "forenames": a.forenames}
            for a in bundle.aliases),
            keys=["person_id", "surname", "forenames"], compare=()),
        "offences": upsert(conn, offences, (
            {"event_id": o.event_id, "person_id": o.person_id, "role": _value(o.role),
             "date": o.date, "ho_offence_code": o.ho_offence_code,
             "outcome": _value(o.outcome)}
            for o in bundle.offences), keys=["event_id", "person_id"]),
        "intelligence": upsert(conn, intelligence, (
            {"intel_id": i.intel_id, "person_id": i.person_id, "gang_id": i.gang_id,
             "date": i.date, "category": _value(i.category), "source_id": i.source_id,
             "source_type": _value(i.source_type), "source_grade": _value(i.source_grade),
             "intel_grade": _value(i.intel_grade), "handling_code": _value(i.handling_code),
             "summary": i.summary}
            for i in bundle.intelligence), keys=["intel_id"]),
        "custody": upsert(conn, custody, (
            {"person_id": c.person_id, "start_date": c.start_date, "end_date": c.end_date}
            for c in bundle.custody), keys=["person_id", "start_date"]),
    }
    if bundle.gang_relations:  # the optional file: absent, the import is as it was
        counts["gang_relations"] = upsert(conn, gang_relations, (
            {"gang_a": r.gang_a, "gang_b": r.gang_b, "relation": _value(r.relation),
             "date": r.date, "source": r.source} for r in bundle.gang_relations),
            keys=["gang_a", "gang_b", "relation", "date"])
    result = {table: count.as_dict() for table, count in counts.items()}
    conn.execute(insert(imports).values(at=now, source_name=name, sha256=digest,
                                        counts=result))
    return result


def _person(row: Any) -> Person:
    return Person(
        person_id=row.person_id, surname=row.surname, forenames=row.forenames,
        date_of_birth=row.date_of_birth, sex=Sex(row.sex),
        ethnicity=None if row.ethnicity is None else Ethnicity(row.ethnicity),
        borough_code=row.borough_code,
    )


_PERSON_COLUMNS = (people.c.person_id, *(people.c[f] for f in PERSON_FIELDS))

# The statements of one person's profile, prepared once (gvm.storage.prepared): run
# through SQLAlchemy each would cost several times what SQLite takes to answer it, and a
# profile view runs five of them (see docs/PERFORMANCE.md).
_PERSON_ID = bindparam("person_id")
_PERSON = Prepared(select(*_PERSON_COLUMNS).where(people.c.person_id == _PERSON_ID))
_EXISTS = Prepared(select(people.c.person_id).where(people.c.person_id == _PERSON_ID))
_ALIASES = Prepared(select(aliases.c.person_id, aliases.c.surname, aliases.c.forenames)
                    .where(aliases.c.person_id == _PERSON_ID)
                    .order_by(aliases.c.surname, aliases.c.forenames))
_OFFENCES = Prepared(select(offences).where(offences.c.person_id == _PERSON_ID)
                     .order_by(offences.c.date, offences.c.event_id))
_INTELLIGENCE = Prepared(select(intelligence).where(intelligence.c.person_id == _PERSON_ID)
                         .order_by(intelligence.c.date, intelligence.c.intel_id))
_CUSTODY = Prepared(select(custody).where(custody.c.person_id == _PERSON_ID)
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
    found_offences = tuple(
        Offence(event_id=r.event_id, date=r.date, ho_offence_code=r.ho_offence_code,
                person_id=r.person_id, role=Role(r.role),
                outcome=None if r.outcome is None else Outcome(r.outcome))
        for r in _OFFENCES.rows(conn, key)
    )
    found_intelligence = tuple(
        Intelligence(intel_id=r.intel_id, date=r.date, person_id=r.person_id,
                     gang_id=r.gang_id, category=IntelCategory(r.category),
                     source_id=r.source_id, source_type=SourceType(r.source_type),
                     source_grade=SourceGrade(r.source_grade),
                     intel_grade=IntelGrade(r.intel_grade),
                     handling_code=HandlingCode(r.handling_code), summary=r.summary)
        for r in _INTELLIGENCE.rows(conn, key)
    )
    found_custody = tuple(
        CustodyPeriod(person_id=r.person_id, start_date=r.start_date, end_date=r.end_date)
        for r in _CUSTODY.rows(conn, key)
    )
    return PersonRecords(person_id=person_id, offences=found_offences,
                         intelligence=found_intelligence, custody=found_custody)


def erase_person(conn: Connection, person_id: str) -> bool:
    """Delete the person and, by cascade, their aliases, offences, intelligence, custody
    periods and stored scores. Audit rows stay (they hold ids only). False if unknown."""
    result = conn.execute(delete(people).where(people.c.person_id == person_id))
    return result.rowcount > 0
