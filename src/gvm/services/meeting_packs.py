"""The meeting pack (R-MEETING, R-CONFIDENTIAL, R-ISA, R-SELECTED, R-LOG).

A pack is produced for one attendee of one meeting, and only when they have signed the
confidentiality agreement for that meeting and are police of the borough (or force-wide)
or of an organisation with an ISA in force for the borough; otherwise PackRefused says
why. It holds the agenda, the cohort changes since the borough's last meeting, the people
on the borough's register with both scores and their explanation (children marked), the
support flag and referrals (R-DIVERT) and the actions of the last meeting. A partner's
pack carries only the fields its ISA permits, and is stored and logged as a disclosure to
the organisation, so erasure notices and subject reports list it (R-ACCURACY, R-SUBJECT);
a police attendee's is logged as a consultation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any

from gvm import reference
from gvm.authz import Actor, Role
from gvm.authz.policy import may_see_borough
from gvm.domain.audit import Operation
from gvm.domain.children import is_child, serves_children
from gvm.domain.diversion import needs_support
from gvm.domain.meetings import (
    LINE_FIELDS,
    Attendee,
    AttendeeKind,
    Meeting,
    MeetingError,
    MeetingPack,
    limit_line,
    pack_audience,
)
from gvm.domain.policy import Policy
from gvm.domain.sharing import NOT_SOLE_BASIS, DisclosableField, DisclosureRecord
from gvm.services.access import event
from gvm.services.errors import NotFound
from gvm.services.meetings import MEETING_JUSTIFICATION, meeting_in_scope
from gvm.services.ports import MeetingsUnitOfWork, MeetingsUnitOfWorkFactory
from gvm.services.reviews import review_line

POLICE_ROLES = frozenset({Role.BOROUGH_ANALYST, Role.GANG_LEAD, Role.FORCE_ANALYST})


class PackRefused(MeetingError):
    """No pack for this attendee (the message says which rule refuses it)."""


def _police_in_scope(uow: MeetingsUnitOfWork, attendee: Attendee, borough: str) -> bool:
    if attendee.kind is not AttendeeKind.USER:
        return False
    user = uow.user_by_name(attendee.name)
    if user is None or user.disabled or user.role not in POLICE_ROLES:
        return False
    return may_see_borough(user.actor(), borough)


def _people(uow: MeetingsUnitOfWork, meeting: Meeting, as_of, policy: Policy,
            catalogue: Mapping[str, str]) -> list[dict[str, Any]]:
    members = [m.person_id for m in uow.register_cohort(meeting.borough_code)]
    referrals: dict[str, list[dict[str, Any]]] = {}
    for r in uow.referrals_of(members):
        line = r.as_line()
        line.pop("person_id")  # the line it sits in says whose it is
        referrals.setdefault(r.person_id, []).append(line)
    lines = []
    for person_id in members:
        person = uow.person(person_id)
        line, _ = review_line(uow, person_id, as_of, policy, catalogue)
        lines.append({
            "person_id": person_id, "name": f"{person.surname}, {person.forenames}",
            "child": is_child(person.date_of_birth, as_of),
            "harm_score": line.harm_score, "harm_band": line.harm_band,
            "victim_score": line.victim_score, "victim_band": line.victim_band,
            "explanation": line.explanation, "in_custody": line.in_custody,
            "support_flag": needs_support(line.harm_units),
            "referrals": referrals.get(person_id, [])})
    return lines


def _changes(uow: MeetingsUnitOfWork, meeting: Meeting, until: datetime,
             show_ids: bool) -> tuple[dict[str, Any], ...]:
    last = uow.previous_meeting(meeting.borough_code, meeting.held_on)
    after = None if last is None else datetime.combine(last.held_on, time.max, UTC)
    return tuple({**({"person_id": pid} if show_ids else {}), "decision": decision,
                  "decided_on": at.date().isoformat()}
                 for pid, decision, at in uow.decisions_between(meeting.borough_code, after,
                                                                until))


def produce_pack(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, meeting_id: int,
                 attendee_id: int, *, policy: Policy, catalogue: Mapping[str, str],
                 now: datetime | None = None) -> MeetingPack:
    """The attendee's pack, logged (and for a partner stored as a disclosure) in one
    transaction; PackRefused for an attendee who may not have one."""
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        meeting = meeting_in_scope(uow, actor, meeting_id)
        found = [a for a in uow.attendees(meeting_id) if a.attendee_id == attendee_id]
        if not found:
            raise NotFound("no such attendee of this meeting")
        attendee = found[0]
        isas = {i.isa_id: i for i in uow.list_isas()}
        audience = pack_audience(
            attendee, police_in_scope=_police_in_scope(uow, attendee, meeting.borough_code),
            borough_code=meeting.borough_code, isas=isas.values(), day=now.date())
        if not audience.allowed:
            raise PackRefused(f"attendee {attendee_id} {audience.reason}")
        as_of = min(meeting.held_on, now.date())
        full = _people(uow, meeting, as_of, policy, catalogue)
        if audience.isa_id is not None and not serves_children(
                isas[audience.isa_id].purpose, policy.child_isa_purposes):
            full = [line for line in full if not line["child"]]  # policy [children]
        cut = [limit_line(line, audience.fields) for line in full]
        show_ids = audience.fields is None or DisclosableField.PERSON_ID in audience.fields
        changes = _changes(uow, meeting, now, show_ids)
        last = uow.previous_meeting(meeting.borough_code, meeting.held_on)
        actions = () if last is None else tuple(uow.meeting_actions(last.meeting_id))
        if not show_ids:
            actions = tuple(replace(a, person_id=None) for a in actions)
        person_ids = [line["person_id"] for line in full]
        detail: dict[str, Any] = {"view": "meeting pack", "meeting_id": meeting_id,
                                  "attendee_id": attendee_id, "borough": meeting.borough_code,
                                  "as_of": as_of.isoformat(), "policy": policy.label}
        fields = None
        logged = event(actor, Operation.CONSULTATION, justification=MEETING_JUSTIFICATION,
                       record_type="person", record_ids=person_ids, detail=detail)
        if audience.fields is not None:
            isa = isas[audience.isa_id or 0]
            fields = tuple(sorted(f.value for f in audience.fields
                                  if f in set(LINE_FIELDS.values())))
            detail.update(isa_id=isa.isa_id, fields=list(fields))
            if person_ids:
                detail["disclosure_id"] = uow.add_disclosure(DisclosureRecord(
                    disclosure_id=0, isa_id=isa.isa_id, recipient=isa.organisation,
                    made_by=actor.username, made_at=now, as_of=as_of,
                    policy_version=policy.label, fields=fields, person_ids=tuple(person_ids),
                    handling_conditions=isa.handling_conditions, condition=NOT_SOLE_BASIS,
                    acknowledged_at=None, acknowledged_by=None),
                    made_by_role=actor.role.value,
                    contents=dict(zip(person_ids, cut, strict=True)))
            logged = replace(logged, operation=Operation.DISCLOSURE, recipient=isa.organisation,
                             detail=detail)
        uow.append_audit(logged)
        uow.commit()
    return MeetingPack(
        meeting=meeting, borough_name=reference.boroughs()[meeting.borough_code].name,
        attendee=attendee, produced_at=now, produced_by=actor.username, as_of=as_of,
        policy_version=policy.label, condition=NOT_SOLE_BASIS, agenda=meeting.agenda,
        changes=changes, people=tuple(cut), actions=actions, fields=fields)
