"""The four-weekly borough meetings as pages (R-MEETING, R-CONFIDENTIAL, R-ISA): a
borough's meetings and the gang lead's form to schedule them; a meeting's page with its
attendees, the confidentiality agreement and each signature, and its actions; and an
attendee's pack as a page and as a PDF.

The rules are gvm.services.meetings' and gvm.services.meeting_packs': a meeting of a
borough outside the caller's scope is not found, and a pack the service refuses is a
page saying which rule refused it. Every URL carries opaque ids only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from gvm import reference
from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission, has_permission
from gvm.domain.meetings import (
    CONFIDENTIALITY_TEXT,
    CONFIDENTIALITY_VERSION,
    MAX_SCHEDULED,
    MeetingPack,
)
from gvm.reports.meeting_pack import render_html, render_pdf
from gvm.services import meeting_packs, meetings
from gvm.services.access import InvalidInput
from gvm.web import nav
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter()
nav.add(nav.NavItem("Meetings", "/meetings", Permission.MEETING_READ))

Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=200)]


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/meetings")
def borough_meetings(request: Request, register: RegisterDep,
                     actor: Annotated[Actor, require(Permission.MEETING_READ)],
                     borough: str | None = None) -> Response:
    """A borough's meetings: the caller's own borough, or the one a force-wide caller
    picks; another borough is not found (the service checks the scope)."""
    code = borough or actor.borough_code
    if code is None:
        return page(request, "meetings/boroughs.html", title="Meetings",
                    boroughs=sorted(reference.boroughs().values(), key=lambda b: b.name))
    found = meetings.list_meetings(register.unit_of_work, actor, code)
    return page(request, "meetings/list.html",
                title=f"Meetings: {reference.boroughs()[code].name}",
                borough_code=code, meetings=sorted(found, key=lambda m: m.held_on),
                may_manage=has_permission(actor, Permission.MEETING_MANAGE),
                max_scheduled=MAX_SCHEDULED, today=date.today())


@router.post("/meetings")
def schedule(register: RegisterDep,
             actor: Annotated[Actor, require(Permission.MEETING_MANAGE)],
             borough_code: Annotated[str, Form(max_length=9)],
             first: Annotated[date, Form()],
             count: Annotated[int, Form(ge=1, le=MAX_SCHEDULED)] = 1) -> Response:
    meetings.schedule_meetings(register.unit_of_work, actor, borough_code, first, count)
    return _see_other(f"/meetings?borough={borough_code}")


@router.get("/meetings/{meeting_id}")
def meeting_page(request: Request, register: RegisterDep, meeting_id: int,
                 actor: Annotated[Actor, require(Permission.MEETING_READ)]) -> Response:
    detail = meetings.get_meeting(register.unit_of_work, actor, meeting_id)
    held = detail.meeting
    return page(request, "meetings/meeting.html",
                title=f"Meeting: {reference.boroughs()[held.borough_code].name}, "
                      f"{held.held_on.isoformat()}",
                detail=detail, agreement_text=CONFIDENTIALITY_TEXT,
                agreement_version=CONFIDENTIALITY_VERSION,
                may_manage=has_permission(actor, Permission.MEETING_MANAGE))


@router.post("/meetings/{meeting_id}/attendees")
def add_attendee(register: RegisterDep, meeting_id: int,
                 actor: Annotated[Actor, require(Permission.MEETING_MANAGE)],
                 username: Annotated[str, Form(max_length=64)] = "",
                 name: Short = "", organisation: Short = "") -> Response:
    """A user of the register by username, or a partner representative by name and
    organisation (the service refuses both or neither)."""
    meetings.add_attendee(register.unit_of_work, actor, meeting_id,
                          username=username.strip() or None, name=name.strip() or None,
                          organisation=organisation.strip() or None)
    return _see_other(f"/meetings/{meeting_id}#attendees")


@router.post("/meetings/{meeting_id}/attendees/{attendee_id}/signature")
def record_signature(register: RegisterDep, meeting_id: int, attendee_id: int,
                     actor: Annotated[Actor, require(Permission.MEETING_MANAGE)],
                     version: Annotated[str, Form(max_length=20)],
                     read_out_by: Short = "", signed: Annotated[str, Form(max_length=3)] = ""
                     ) -> Response:
    """The attendee signed the agreement of `version` (the text the page showed) after
    `read_out_by` read it out; the box must be ticked to say so."""
    if signed != "yes":
        raise InvalidInput([("signed", "tick the box once the attendee has signed")])
    meetings.sign_agreement(register.unit_of_work, actor, meeting_id, attendee_id,
                            read_out_by=read_out_by, version=version)
    return _see_other(f"/meetings/{meeting_id}#attendees")


@router.post("/meetings/{meeting_id}/actions")
def record_action(register: RegisterDep, meeting_id: int,
                  actor: Annotated[Actor, require(Permission.MEETING_MANAGE)],
                  description: Text, owner: Short, due_on: Annotated[date, Form()],
                  person_id: Annotated[str, Form(max_length=64)] = "") -> Response:
    meetings.record_action(register.unit_of_work, actor, meeting_id, description=description,
                           owner=owner, due_on=due_on, person_id=person_id.strip() or None)
    return _see_other(f"/meetings/{meeting_id}#actions")


def _pack(register: RegisterDep, actor: Actor, meeting_id: int, attendee_id: int
          ) -> MeetingPack:
    return meeting_packs.produce_pack(register.unit_of_work, actor, meeting_id, attendee_id,
                                      policy=register.policy, catalogue=register.catalogue)


@router.get("/meetings/{meeting_id}/attendees/{attendee_id}/pack")
def pack_page(request: Request, register: RegisterDep, meeting_id: int, attendee_id: int,
              actor: Annotated[Actor, require(Permission.MEETING_READ)]) -> Response:
    """The attendee's pack in the layout; each opening is logged by the service."""
    pack = _pack(register, actor, meeting_id, attendee_id)
    return page(request, "meetings/pack.html", title="Meeting pack", pack=pack,
                body=render_html(pack, "meeting_pack_body.html"))


@router.get("/meetings/{meeting_id}/attendees/{attendee_id}/pack.pdf")
def pack_pdf(register: RegisterDep, meeting_id: int, attendee_id: int,
             actor: Annotated[Actor, require(Permission.MEETING_READ)]) -> Response:
    pack = _pack(register, actor, meeting_id, attendee_id)
    filename = f"meeting-{meeting_id}-pack-{attendee_id}.pdf"  # ids only: no names
    return Response(render_pdf(pack), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
