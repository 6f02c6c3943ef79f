"""`gvm meeting ...` (R-MEETING, R-CONFIDENTIAL): schedule a borough's meetings, list
them, add attendees, record signed agreements and write an attendee's pack (HTML or
PDF) to a file. The operator acts as the borough's gang lead; every step is logged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from gvm.authz import Actor, Role
from gvm.bootstrap import Register, bootstrap
from gvm.cli.output import console, operator_name
from gvm.services import meeting_packs, meetings

meeting_app = typer.Typer(help="Four-weekly borough meetings (R-MEETING).",
                          no_args_is_help=True)
Borough = Annotated[str, typer.Option("--borough", help="GSS code of the borough.")]
MeetingId = Annotated[int, typer.Argument(help="The meeting id (see gvm meeting list).")]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date as YYYY-MM-DD") from None


def _lead(register: Register, borough: str) -> Actor:
    return Actor(0, operator_name(register.settings.actor), Role.GANG_LEAD,
                 borough_code=borough)


def _borough_of(register: Register, meeting_id: int) -> str:
    reader = Actor(0, operator_name(register.settings.actor), Role.FORCE_ANALYST)
    return meetings.get_meeting(register.unit_of_work, reader, meeting_id).meeting.borough_code


@meeting_app.command("schedule")
def schedule_cmd(borough: Borough,
                 first: Annotated[date, typer.Option("--first", parser=_date,
                                                     metavar="DATE")],
                 count: Annotated[int, typer.Option("--count")] = 1) -> None:
    """Schedule COUNT meetings of the borough four weeks apart from FIRST."""
    register = bootstrap()
    try:
        made = meetings.schedule_meetings(register.unit_of_work, _lead(register, borough),
                                          borough, first, count)
    finally:
        register.close()
    for m in made:
        console.print(f"meeting {m.meeting_id}: {m.borough_code} on {m.held_on.isoformat()}")


@meeting_app.command("list")
def list_cmd(borough: Borough) -> None:
    """The borough's meetings."""
    register = bootstrap()
    try:
        found = meetings.list_meetings(register.unit_of_work, _lead(register, borough),
                                       borough)
    finally:
        register.close()
    table = Table(title=f"Meetings of {borough}")
    for col in ("meeting", "held on", "scheduled by"):
        table.add_column(col)
    for m in found:
        table.add_row(str(m.meeting_id), m.held_on.isoformat(), m.scheduled_by)
    console.print(table)


@meeting_app.command("attend")
def attend_cmd(meeting_id: MeetingId,
               username: Annotated[str | None, typer.Option("--user")] = None,
               name: Annotated[str | None, typer.Option("--name")] = None,
               organisation: Annotated[str | None, typer.Option("--organisation")] = None
               ) -> None:
    """Add an attendee: a user (--user) or a partner representative (--name and
    --organisation)."""
    register = bootstrap()
    try:
        lead = _lead(register, _borough_of(register, meeting_id))
        a = meetings.add_attendee(register.unit_of_work, lead, meeting_id, username=username,
                                  name=name, organisation=organisation)
    finally:
        register.close()
    console.print(f"attendee {a.attendee_id} added to meeting {meeting_id}")


@meeting_app.command("sign")
def sign_cmd(meeting_id: MeetingId,
             attendee_id: Annotated[int, typer.Argument(help="The attendee id.")],
             read_out_by: Annotated[str | None, typer.Option("--read-out-by")] = None) -> None:
    """Record that the attendee signed the confidentiality agreement read out."""
    register = bootstrap()
    try:
        lead = _lead(register, _borough_of(register, meeting_id))
        a = meetings.sign_agreement(register.unit_of_work, lead, meeting_id, attendee_id,
                                    read_out_by=read_out_by)
    finally:
        register.close()
    console.print(f"attendee {a.attendee_id} signed agreement {a.agreement_version}")


@meeting_app.command("pack")
def pack_cmd(meeting_id: MeetingId,
             attendee_id: Annotated[int, typer.Argument(help="The attendee id.")],
             out: Annotated[Path, typer.Option("--out")],
             format: Annotated[Literal["html", "pdf"], typer.Option("--format")] = "pdf"
             ) -> None:
    """Write the attendee's pack; refused (exit 2) for an attendee who has not signed or
    whose organisation has no ISA in force for the borough."""
    register = bootstrap()
    try:
        lead = _lead(register, _borough_of(register, meeting_id))
        made = meeting_packs.produce_pack(register.unit_of_work, lead, meeting_id,
                                          attendee_id, policy=register.policy,
                                          catalogue=register.catalogue)
    finally:
        register.close()
    # Imported here: the PDF library takes most of a second to load, which every other
    # command would pay at start-up.
    from gvm.reports.meeting_pack import render_html, render_pdf

    if format == "pdf":
        out.write_bytes(render_pdf(made))
    else:
        out.write_text(render_html(made), encoding="utf-8")
    console.print(f"pack of meeting {meeting_id} for attendee {attendee_id}: "
                  f"{len(made.people)} person(s); written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(meeting_app, name="meeting")
