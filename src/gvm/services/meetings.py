"""Use cases of the four-weekly borough meetings (R-MEETING, R-CONFIDENTIAL, R-LOG).

The borough's gang lead schedules meetings four weeks apart, names the attendees (users
of the register, or partner representatives with their organisation), records each
attendee's signature of the confidentiality agreement read out at that meeting (text
version, time, who read it out) and the actions agreed, with owners and due dates.
Analysts of the borough (and force-wide) may read meetings; packs are produced by
gvm.services.meeting_packs. Every change is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from gvm.authz import Actor, Permission
from gvm.domain.audit import Operation
from gvm.domain.meetings import (
    CONFIDENTIALITY_VERSION,
    STANDARD_AGENDA,
    Action,
    Attendee,
    AttendeeKind,
    Meeting,
    MeetingError,
    schedule_dates,
)
from gvm.services.access import NOT_IN_SCOPE, InvalidInput, check, check_borough, event
from gvm.services.errors import NotFound
from gvm.services.ports import MeetingsUnitOfWork, MeetingsUnitOfWorkFactory

MEETING_JUSTIFICATION = "four-weekly borough meeting (R-MEETING)"
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class MeetingDetail:
    meeting: Meeting
    attendees: tuple[Attendee, ...]
    actions: tuple[Action, ...]


def _text(value: str | None, field: str, *, required: bool = True,
          limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput([(field, "required")])
    if len(text) > limit:
        raise InvalidInput([(field, f"at most {limit} characters")])
    return text


def meeting_in_scope(uow: MeetingsUnitOfWork, actor: Actor, meeting_id: int,
                     permission: Permission = Permission.MEETING_READ) -> Meeting:
    """The meeting, or NotFound when it is unknown or of a borough outside the actor's
    scope (R-ACCESS)."""
    check(actor, permission)
    found: Meeting | None = uow.meeting(meeting_id)
    if found is None:
        raise NotFound(NOT_IN_SCOPE.format("meeting"))
    check_borough(actor, found.borough_code, "meeting")
    return found


def _logged(uow: MeetingsUnitOfWork, actor: Actor, meeting: Meeting, what: str,
            **detail: object) -> None:
    uow.append_audit(event(actor, Operation.ALTERATION, justification=MEETING_JUSTIFICATION,
                           record_type="meeting", record_ids=[str(meeting.meeting_id)],
                           detail={"borough": meeting.borough_code, "change": what,
                                   **detail}))


def schedule_meetings(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor,
                      borough_code: str, first: date, count: int = 1,
                      agenda: list[str] | None = None, now: datetime | None = None
                      ) -> list[Meeting]:
    """Schedule `count` meetings of the borough four weeks apart from `first`; refused
    when the borough already meets on one of those dates."""
    check(actor, Permission.MEETING_MANAGE)
    check_borough(actor, borough_code)
    dates = schedule_dates(first, count)
    items = [_text(a, "agenda", limit=200) for a in agenda] if agenda else list(STANDARD_AGENDA)
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        taken = {m.held_on for m in uow.meetings_of(borough_code)}
        clash = sorted(taken & set(dates))
        if clash:
            raise MeetingError(f"the borough already meets on {clash[0].isoformat()}")
        made = []
        for day in dates:
            meeting_id = uow.add_meeting(borough_code=borough_code, held_on=day, agenda=items,
                                         scheduled_by=actor.username, scheduled_at=now)
            made.append(Meeting(meeting_id, borough_code, day, tuple(items), actor.username))
            _logged(uow, actor, made[-1], "scheduled", held_on=day.isoformat())
        uow.commit()
    return made


def list_meetings(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, borough_code: str
                  ) -> list[Meeting]:
    check(actor, Permission.MEETING_READ)
    check_borough(actor, borough_code)
    with uow_factory(read_only=True) as uow:
        return list(uow.meetings_of(borough_code))


def get_meeting(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, meeting_id: int
                ) -> MeetingDetail:
    """The meeting, its attendees and its actions. An action about a person is shown by
    person id only, so reading it is not a consultation of their record."""
    with uow_factory(read_only=True) as uow:
        meeting = meeting_in_scope(uow, actor, meeting_id)
        return MeetingDetail(meeting, tuple(uow.attendees(meeting_id)),
                             tuple(uow.meeting_actions(meeting_id)))


def add_attendee(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, meeting_id: int, *,
                 username: str | None = None, name: str | None = None,
                 organisation: str | None = None) -> Attendee:
    """A user of the register (by username; their organisation is the account's), or a
    named partner representative with their organisation."""
    if bool(username) == bool(name):
        raise InvalidInput([("username", "name either a user (username) or a partner "
                             "representative (name and organisation)")])
    with uow_factory() as uow:
        meeting = meeting_in_scope(uow, actor, meeting_id, Permission.MEETING_MANAGE)
        if username:
            user = uow.user_by_name(username.strip())
            if user is None or user.disabled:
                raise InvalidInput([("username", "no such active user")])
            kind, who, org = AttendeeKind.USER, user.username, user.organisation
        else:
            kind, who = AttendeeKind.REPRESENTATIVE, _text(name, "name", limit=200)
            org = _text(organisation, "organisation", limit=200)
        if any(a.kind is kind and a.name == who for a in uow.attendees(meeting_id)):
            raise MeetingError("already an attendee of this meeting")
        attendee_id = uow.add_attendee(meeting_id=meeting_id, kind=kind, name=who,
                                       organisation=org, added_by=actor.username)
        _logged(uow, actor, meeting, "attendee added", attendee_id=attendee_id,
                kind=kind.value)
        uow.commit()
    return Attendee(attendee_id, meeting_id, kind, who, org)


def sign_agreement(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, meeting_id: int,
                   attendee_id: int, *, read_out_by: str | None = None,
                   version: str = CONFIDENTIALITY_VERSION, now: datetime | None = None
                   ) -> Attendee:
    """Record that the attendee signed the agreement (of `version`, which must be the
    current text) after `read_out_by` read it out; once per attendee and meeting."""
    if version != CONFIDENTIALITY_VERSION:
        raise InvalidInput([("version", f"the current agreement is {CONFIDENTIALITY_VERSION}")])
    reader = _text(read_out_by, "read_out_by", required=False, limit=200) or actor.username
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        meeting = meeting_in_scope(uow, actor, meeting_id, Permission.MEETING_MANAGE)
        found = [a for a in uow.attendees(meeting_id) if a.attendee_id == attendee_id]
        if not found:
            raise NotFound("no such attendee of this meeting")
        if not uow.sign_agreement(attendee_id, signed_at=now, version=version,
                                  read_out_by=reader):
            raise MeetingError("this attendee has already signed for this meeting")
        _logged(uow, actor, meeting, "confidentiality agreement signed",
                attendee_id=attendee_id, agreement_version=version)
        uow.commit()
    a = found[0]
    return Attendee(a.attendee_id, a.meeting_id, a.kind, a.name, a.organisation, now,
                    version, reader)


def record_action(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, meeting_id: int, *,
                  description: str, owner: str, due_on: date, person_id: str | None = None,
                  now: datetime | None = None) -> Action:
    """An action agreed at the meeting, with its owner and due date; one about a person
    names them by id (they must be of the meeting's borough) and goes on erasure."""
    text = _text(description, "description")
    who = _text(owner, "owner", limit=200)
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        meeting = meeting_in_scope(uow, actor, meeting_id, Permission.MEETING_MANAGE)
        if due_on < meeting.held_on:
            raise InvalidInput([("due_on", "must not be before the meeting")])
        if person_id:
            person = uow.person(person_id)
            if person is None or person.borough_code != meeting.borough_code:
                raise NotFound(NOT_IN_SCOPE.format("person"))
        action_id = uow.add_action(meeting_id=meeting_id, description=text, owner=who,
                                   due_on=due_on, person_id=person_id or None,
                                   recorded_by=actor.username, recorded_at=now)
        uow.append_audit(event(actor, Operation.COLLECTION,
                               justification=MEETING_JUSTIFICATION,
                               record_type="person" if person_id else "meeting",
                               record_ids=[person_id] if person_id else [str(meeting_id)],
                               detail={"meeting_id": meeting_id, "action_id": action_id,
                                       "due_on": due_on.isoformat()}))
        uow.commit()
    return Action(action_id, meeting_id, text, who, due_on, person_id or None)
