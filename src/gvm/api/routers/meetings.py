"""Four-weekly borough meetings (R-MEETING, R-CONFIDENTIAL): the gang lead schedules them,
names the attendees, records each one's signed confidentiality agreement and the actions
agreed; the pack goes only to an attendee who signed and whose organisation may have it
(police of the borough, or a partner with an ISA in force for it)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import MAX_ID
from gvm.api.schemas.meetings import (
    ActionIn,
    ActionOut,
    AttendeeIn,
    AttendeeOut,
    MeetingDetailOut,
    MeetingListOut,
    MeetingOut,
    ScheduleIn,
    SignatureIn,
)
from gvm.authz import Actor, Permission
from gvm.domain.meetings import (
    CONFIDENTIALITY_TEXT,
    CONFIDENTIALITY_VERSION,
    Action,
    Attendee,
    Meeting,
)
from gvm.reports.meeting_pack import render_html, render_pdf
from gvm.services import meeting_packs, meetings

router = APIRouter(prefix="/meetings", tags=["meetings"])

MeetingId = Annotated[int, Path(ge=1, le=MAX_ID, description="Meeting id")]
AttendeeId = Annotated[int, Path(ge=1, le=MAX_ID, description="Attendee id")]
Reader = Annotated[Actor, require(Permission.MEETING_READ)]
Manager = Annotated[Actor, require(Permission.MEETING_MANAGE)]
Borough = Annotated[str, Query(pattern=r"^E09[0-9]{6}$", description="GSS code")]


def meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(meeting_id=m.meeting_id, borough_code=m.borough_code, held_on=m.held_on,
                      agenda=list(m.agenda), scheduled_by=m.scheduled_by)


def attendee_out(a: Attendee) -> AttendeeOut:
    return AttendeeOut(attendee_id=a.attendee_id, meeting_id=a.meeting_id, kind=a.kind.value,
                       name=a.name, organisation=a.organisation, signed=a.signed,
                       signed_at=a.signed_at, agreement_version=a.agreement_version,
                       read_out_by=a.read_out_by)


def action_out(a: Action) -> ActionOut:
    return ActionOut(action_id=a.action_id, meeting_id=a.meeting_id, description=a.description,
                     owner=a.owner, due_on=a.due_on, person_id=a.person_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MeetingListOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Schedule a borough's meetings, four weeks apart")
def schedule(body: ScheduleIn, register: RegisterDep, actor: Manager) -> MeetingListOut:
    """The borough's gang lead only (404 for another borough); 409 when the borough
    already meets on one of the dates."""
    made = meetings.schedule_meetings(register.unit_of_work, actor, body.borough_code,
                                      body.first, body.count, body.agenda)
    return MeetingListOut(count=len(made), meetings=[meeting_out(m) for m in made])


@router.get("", response_model=MeetingListOut, responses=error_responses(401, 403, 404, 422),
            summary="A borough's meetings")
def listing(borough: Borough, register: RegisterDep, actor: Reader) -> MeetingListOut:
    found = meetings.list_meetings(register.unit_of_work, actor, borough)
    return MeetingListOut(count=len(found), meetings=[meeting_out(m) for m in found])


@router.get("/{meeting_id}", response_model=MeetingDetailOut,
            responses=error_responses(401, 403, 404, 422),
            summary="A meeting, its attendees and actions")
def detail(meeting_id: MeetingId, register: RegisterDep, actor: Reader) -> MeetingDetailOut:
    d = meetings.get_meeting(register.unit_of_work, actor, meeting_id)
    return MeetingDetailOut(**meeting_out(d.meeting).model_dump(),
                            confidentiality_version=CONFIDENTIALITY_VERSION,
                            confidentiality_text=CONFIDENTIALITY_TEXT,
                            attendees=[attendee_out(a) for a in d.attendees],
                            actions=[action_out(a) for a in d.actions])


@router.post("/{meeting_id}/attendees", status_code=status.HTTP_201_CREATED,
             response_model=AttendeeOut, responses=error_responses(401, 403, 404, 409, 422),
             summary="Add an attendee")
def add_attendee(meeting_id: MeetingId, body: AttendeeIn, register: RegisterDep,
                 actor: Manager) -> AttendeeOut:
    return attendee_out(meetings.add_attendee(
        register.unit_of_work, actor, meeting_id, username=body.username, name=body.name,
        organisation=body.organisation))


@router.post("/{meeting_id}/attendees/{attendee_id}/signature", response_model=AttendeeOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Record an attendee's signed confidentiality agreement")
def sign(meeting_id: MeetingId, attendee_id: AttendeeId, body: SignatureIn,
         register: RegisterDep, actor: Manager) -> AttendeeOut:
    """Once per attendee and meeting, of the current text (R-CONFIDENTIAL)."""
    return attendee_out(meetings.sign_agreement(
        register.unit_of_work, actor, meeting_id, attendee_id, read_out_by=body.read_out_by,
        version=body.version))


@router.get("/{meeting_id}/attendees/{attendee_id}/pack",
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}},
                       **error_responses(401, 403, 404, 409, 422)},
            summary="The meeting pack for one attendee, as HTML or PDF")
def pack(meeting_id: MeetingId, attendee_id: AttendeeId, register: RegisterDep,
         actor: Reader, format: Annotated[Literal["html", "pdf"], Query()] = "html"
         ) -> Response:
    """409 for an attendee who has not signed, or whose organisation has no ISA in force
    for the borough. A partner's pack holds only its ISA's fields and is logged as a
    disclosure to the organisation; a police attendee's as a consultation."""
    made = meeting_packs.produce_pack(register.unit_of_work, actor, meeting_id, attendee_id,
                                      policy=register.policy, catalogue=register.catalogue)
    headers = {"Cache-Control": "no-store"}
    if format == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting_id}.pdf"'
        return Response(render_pdf(made), media_type="application/pdf", headers=headers)
    return Response(render_html(made), media_type="text/html; charset=utf-8",
                    headers=headers)


@router.post("/{meeting_id}/actions", status_code=status.HTTP_201_CREATED,
             response_model=ActionOut, responses=error_responses(401, 403, 404, 422),
             summary="Record an action agreed at the meeting")
def add_action(meeting_id: MeetingId, body: ActionIn, register: RegisterDep,
               actor: Manager) -> ActionOut:
    return action_out(meetings.record_action(
        register.unit_of_work, actor, meeting_id, description=body.description,
        owner=body.owner, due_on=body.due_on, person_id=body.person_id))
