"""ISAs and disclosures (gvm.services.sharing): SQL Core, plain values out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from gvm.domain.sharing import (
    DisclosableField,
    DisclosureRecord,
    Isa,
    OrganisationType,
    Recipient,
)
from gvm.storage.prepared import Prepared
from gvm.storage.tables import (
    disclosure_contents,
    disclosure_items,
    disclosures,
    isa_boroughs,
    isa_fields,
    isas,
)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def add_isa(conn: Connection, isa: Isa, *, created_by: str, now: datetime) -> int:
    isa_id = conn.execute(insert(isas).values(
        organisation=isa.organisation, organisation_type=isa.organisation_type.value,
        purpose=isa.purpose, handling_conditions=isa.handling_conditions,
        start_date=isa.start_date, end_date=isa.end_date, created_by=created_by,
        created_at=now).returning(isas.c.isa_id)).scalar_one()
    conn.execute(insert(isa_boroughs), [{"isa_id": isa_id, "borough_code": code}
                                        for code in sorted(isa.boroughs)])
    conn.execute(insert(isa_fields), [{"isa_id": isa_id, "field": f.value}
                                      for f in sorted(isa.permitted_fields)])
    return isa_id


def _isas(conn: Connection, where: Any = None) -> list[Isa]:
    stmt = select(isas).order_by(isas.c.isa_id)
    if where is not None:
        stmt = stmt.where(where)
    rows = conn.execute(stmt).all()
    if not rows:
        return []
    ids = [r.isa_id for r in rows]
    codes: dict[int, set[str]] = {i: set() for i in ids}
    fields: dict[int, set[DisclosableField]] = {i: set() for i in ids}
    for b in conn.execute(select(isa_boroughs).where(isa_boroughs.c.isa_id.in_(ids))):
        codes[b.isa_id].add(b.borough_code)
    for f in conn.execute(select(isa_fields).where(isa_fields.c.isa_id.in_(ids))):
        fields[f.isa_id].add(DisclosableField(f.field))
    return [Isa(isa_id=r.isa_id, organisation=r.organisation,
                organisation_type=OrganisationType(r.organisation_type), purpose=r.purpose,
                boroughs=frozenset(codes[r.isa_id]),
                permitted_fields=frozenset(fields[r.isa_id]),
                handling_conditions=r.handling_conditions, start_date=r.start_date,
                end_date=r.end_date) for r in rows]


def isa(conn: Connection, isa_id: int) -> Isa | None:
    found = _isas(conn, isas.c.isa_id == isa_id)
    return found[0] if found else None


def list_isas(conn: Connection, organisation: str | None = None) -> list[Isa]:
    return _isas(conn, None if organisation is None else isas.c.organisation == organisation)


def add_disclosure(conn: Connection, record: DisclosureRecord, *, made_by_role: str,
                   contents: Mapping[str, Mapping[str, Any]]) -> int:
    """Store a disclosure, its items (ids) and what each person's entry carried."""
    disclosure_id = conn.execute(insert(disclosures).values(
        isa_id=record.isa_id, recipient=record.recipient, made_by=record.made_by,
        made_by_role=made_by_role, made_at=record.made_at, as_of=record.as_of,
        policy_version=record.policy_version, fields=_canonical(list(record.fields)),
        handling_conditions=record.handling_conditions, condition=record.condition,
    ).returning(disclosures.c.disclosure_id)).scalar_one()
    conn.execute(insert(disclosure_items), [{"disclosure_id": disclosure_id, "person_id": p}
                                            for p in record.person_ids])
    conn.execute(insert(disclosure_contents), [
        {"disclosure_id": disclosure_id, "person_id": p, "content": _canonical(dict(c))}
        for p, c in contents.items()])
    return disclosure_id


def _records(conn: Connection, where: Any = None) -> list[DisclosureRecord]:
    stmt = select(disclosures).order_by(disclosures.c.disclosure_id)
    if where is not None:
        stmt = stmt.where(where)
    rows = conn.execute(stmt).all()
    if not rows:
        return []
    people: dict[int, list[str]] = {r.disclosure_id: [] for r in rows}
    for item in conn.execute(select(disclosure_items)
                             .where(disclosure_items.c.disclosure_id.in_(list(people)))
                             .order_by(disclosure_items.c.person_id)):
        people[item.disclosure_id].append(item.person_id)
    return [DisclosureRecord(
        disclosure_id=r.disclosure_id, isa_id=r.isa_id, recipient=r.recipient,
        made_by=r.made_by, made_at=r.made_at, as_of=r.as_of, policy_version=r.policy_version,
        fields=tuple(json.loads(r.fields)), person_ids=tuple(people[r.disclosure_id]),
        handling_conditions=r.handling_conditions, condition=r.condition,
        acknowledged_at=r.acknowledged_at, acknowledged_by=r.acknowledged_by) for r in rows]


def disclosure(conn: Connection, disclosure_id: int) -> DisclosureRecord | None:
    found = _records(conn, disclosures.c.disclosure_id == disclosure_id)
    return found[0] if found else None


def list_disclosures(conn: Connection, recipient: str | None = None) -> list[DisclosureRecord]:
    return _records(conn, None if recipient is None else disclosures.c.recipient == recipient)


def disclosure_contents_of(conn: Connection, disclosure_id: int) -> dict[str, dict[str, Any]]:
    """person_id -> the content sent; an erased person's is gone (R-RETENTION)."""
    rows = conn.execute(select(disclosure_contents)
                        .where(disclosure_contents.c.disclosure_id == disclosure_id)
                        .order_by(disclosure_contents.c.person_id))
    return {r.person_id: json.loads(r.content) for r in rows}


def acknowledge(conn: Connection, disclosure_id: int, *, by: str, at: datetime) -> bool:
    """Record the recipient's acknowledgement once; False if already acknowledged."""
    result = conn.execute(update(disclosures)
                          .where(disclosures.c.disclosure_id == disclosure_id,
                                 disclosures.c.acknowledged_at.is_(None))
                          .values(acknowledged_at=at, acknowledged_by=by))
    return result.rowcount > 0


# Every profile view runs it (the profile says who the data went to): prepared.
_RECIPIENTS_OF = Prepared(
    select(disclosures.c.recipient, disclosures.c.disclosure_id, disclosures.c.made_at)
    .join(disclosure_items, disclosure_items.c.disclosure_id == disclosures.c.disclosure_id)
    .where(disclosure_items.c.person_id == bindparam("person_id"))
    .order_by(disclosures.c.made_at, disclosures.c.disclosure_id))


def recipients_of(conn: Connection, person_id: str) -> list[Recipient]:
    return [Recipient(r.recipient, r.disclosure_id, r.made_at)
            for r in _RECIPIENTS_OF.rows(conn, {"person_id": person_id})]


__all__: Sequence[str] = ("acknowledge", "add_disclosure", "add_isa", "disclosure",
                          "disclosure_contents_of", "isa", "list_disclosures", "list_isas",
                          "recipients_of")
