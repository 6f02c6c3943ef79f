"""Borough meetings (gvm.services.meetings): SQL Core, plain values out."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from gvm.domain.meetings import Action, Attendee, AttendeeKind, Meeting
from gvm.storage.tables import (
    meeting_actions,
    meeting_attendees,
    meetings,
    people,
    register_decisions,
)


def _meeting(row: Any) -> Meeting:
    return Meeting(row.meeting_id, row.borough_code, row.held_on,
                   tuple(json.loads(row.agenda)), row.scheduled_by)


def add_meeting(conn: Connection, *, borough_code: str, held_on: date, agenda: list[str],
                scheduled_by: str, scheduled_at: datetime) -> int:
    return int(conn.execute(insert(meetings).values(
        borough_code=borough_code, held_on=held_on,
        agenda=json.dumps(list(agenda), ensure_ascii=False), scheduled_by=scheduled_by,
        scheduled_at=scheduled_at).returning(meetings.c.meeting_id)).scalar_one())


def meeting(conn: Connection, meeting_id: int) -> Meeting | None:
    row = conn.execute(select(meetings).where(meetings.c.meeting_id == meeting_id)).first()
    return None if row is None else _meeting(row)


def meetings_of(conn: Connection, borough_code: str) -> list[Meeting]:
    m = meetings.c
    rows = conn.execute(select(meetings).where(m.borough_code == borough_code)
                        .order_by(m.held_on))
    return [_meeting(r) for r in rows]


def previous_meeting(conn: Connection, borough_code: str, before: date) -> Meeting | None:
    m = meetings.c
    row = conn.execute(select(meetings)
                       .where(m.borough_code == borough_code, m.held_on < before)
                       .order_by(m.held_on.desc())).first()
    return None if row is None else _meeting(row)


def _attendee(row: Any) -> Attendee:
    return Attendee(row.attendee_id, row.meeting_id, AttendeeKind(row.kind), row.name,
                    row.organisation, row.signed_at, row.agreement_version, row.read_out_by)


def add_attendee(conn: Connection, *, meeting_id: int, kind: AttendeeKind, name: str,
                 organisation: str | None, added_by: str) -> int:
    return int(conn.execute(insert(meeting_attendees).values(
        meeting_id=meeting_id, kind=kind.value, name=name, organisation=organisation,
        added_by=added_by).returning(meeting_attendees.c.attendee_id)).scalar_one())


def attendees(conn: Connection, meeting_id: int) -> list[Attendee]:
    a = meeting_attendees.c
    rows = conn.execute(select(meeting_attendees).where(a.meeting_id == meeting_id)
                        .order_by(a.attendee_id))
    return [_attendee(r) for r in rows]


def sign(conn: Connection, attendee_id: int, *, signed_at: datetime, version: str,
         read_out_by: str) -> bool:
    """Record the signed agreement once; False if already signed or no such attendee."""
    a = meeting_attendees.c
    result = conn.execute(update(meeting_attendees)
                          .where(a.attendee_id == attendee_id, a.signed_at.is_(None))
                          .values(signed_at=signed_at, agreement_version=version,
                                  read_out_by=read_out_by))
    return result.rowcount > 0


def add_action(conn: Connection, *, meeting_id: int, description: str, owner: str,
               due_on: date, person_id: str | None, recorded_by: str,
               recorded_at: datetime) -> int:
    return int(conn.execute(insert(meeting_actions).values(
        meeting_id=meeting_id, description=description, owner=owner, due_on=due_on,
        person_id=person_id, recorded_by=recorded_by, recorded_at=recorded_at,
    ).returning(meeting_actions.c.action_id)).scalar_one())


def actions(conn: Connection, meeting_id: int) -> list[Action]:
    c = meeting_actions.c
    rows = conn.execute(select(meeting_actions).where(c.meeting_id == meeting_id)
                        .order_by(c.due_on, c.action_id))
    return [Action(r.action_id, r.meeting_id, r.description, r.owner, r.due_on, r.person_id)
            for r in rows]


def decisions_between(conn: Connection, borough_code: str, after: datetime | None,
                      until: datetime) -> list[tuple[str, str, datetime]]:
    """(person_id, include/remove, decided_at) of the borough's register decisions in
    (after, until]: the cohort changes since the last meeting."""
    d = register_decisions.c
    stmt = (select(d.person_id, d.decision, d.decided_at)
            .join_from(register_decisions, people, d.person_id == people.c.person_id)
            .where(people.c.borough_code == borough_code, d.decided_at <= until)
            .order_by(d.decided_at, d.decision_id))
    if after is not None:
        stmt = stmt.where(d.decided_at > after)
    return [(r.person_id, r.decision, r.decided_at) for r in conn.execute(stmt)]
