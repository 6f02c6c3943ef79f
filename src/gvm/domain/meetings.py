"""Four-weekly borough meetings and their confidentiality (R-MEETING, R-CONFIDENTIAL), as
pure rules: the schedule, who may receive the meeting pack, and the pack itself.

A pack goes only to an attendee who has signed the confidentiality agreement read out at
that meeting, and, unless they are police of that borough or force-wide, whose
organisation has an ISA in force covering the borough (R-ISA). A partner's pack carries
only the fields of the people its ISA permits (R-SELECTED).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from gvm.domain.errors import GvmError
from gvm.domain.sharing import DisclosableField, Isa, in_force

MEETING_INTERVAL = timedelta(weeks=4)  # "every four weeks" (R-MEETING)
MAX_SCHEDULED = 13  # a year of meetings at a time

CONFIDENTIALITY_VERSION = "2026-1"
CONFIDENTIALITY_TEXT = (
    "Everything discussed at this meeting and everything in its pack is confidential. I "
    "will use it only for the purpose of reducing serious violence and safeguarding the "
    "people discussed, under the Information Sharing Agreement of my organisation. I will "
    "not copy it, pass it on or keep it beyond that purpose, and I will not act against "
    "anyone solely because their name is on the register.")

STANDARD_AGENDA = (
    "Confidentiality agreement read out and signed",
    "Actions from the last meeting",
    "Cohort changes since the last meeting",
    "People to discuss: harm and risk, with their score explanation",
    "Diversion: support referrals and their outcomes (R-DIVERT)",
    "New actions, owners and due dates",
)


class MeetingError(GvmError):
    """A meeting rule refuses the request (the message names the rule)."""


class AttendeeKind(StrEnum):
    USER = "user"  # a user of the register, by username
    REPRESENTATIVE = "representative"  # a named partner representative, not a user


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: int
    borough_code: str
    held_on: date
    agenda: tuple[str, ...]
    scheduled_by: str


@dataclass(frozen=True, slots=True)
class Attendee:
    """Who attends one meeting, and their signed agreement once signed."""

    attendee_id: int
    meeting_id: int
    kind: AttendeeKind
    name: str  # the username of a user, the representative's name otherwise
    organisation: str | None  # None for police users
    signed_at: datetime | None = None
    agreement_version: str | None = None
    read_out_by: str | None = None

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


@dataclass(frozen=True, slots=True)
class Action:
    action_id: int
    meeting_id: int
    description: str
    owner: str
    due_on: date
    person_id: str | None = None


def schedule_dates(first: date, count: int) -> tuple[date, ...]:
    """`count` meeting dates four weeks apart from `first`."""
    if not 1 <= count <= MAX_SCHEDULED:
        raise MeetingError(f"count: schedule 1 to {MAX_SCHEDULED} meetings at a time")
    return tuple(first + i * MEETING_INTERVAL for i in range(count))


def next_due(last_held: date | None, today: date) -> date:
    """When the borough's next meeting is due: four weeks after the last, or now."""
    return today if last_held is None else last_held + MEETING_INTERVAL


@dataclass(frozen=True, slots=True)
class PackAudience:
    """Whether the pack may go, and if so which fields of each person it carries: None
    for police (everything the pack holds), the ISA's fields for a partner."""

    allowed: bool
    reason: str
    fields: frozenset[DisclosableField] | None = None
    isa_id: int | None = None


def pack_audience(attendee: Attendee, *, police_in_scope: bool, borough_code: str,
                  isas: Iterable[Isa], day: date) -> PackAudience:
    """The R-CONFIDENTIAL and R-ISA rules for one attendee. `police_in_scope`: the
    attendee is a police user of the meeting's borough or force-wide."""
    if not attendee.signed:
        return PackAudience(False, "has not signed the confidentiality agreement for this "
                                   "meeting: no pack (R-CONFIDENTIAL)")
    if attendee.agreement_version != CONFIDENTIALITY_VERSION:
        return PackAudience(False, "signed an agreement text that is not the current one: "
                                   "sign the current text (R-CONFIDENTIAL)")
    if attendee.kind is AttendeeKind.USER and attendee.organisation is None:
        if police_in_scope:
            return PackAudience(True, "police of the borough")
        return PackAudience(False, "is not police of this borough and names no partner "
                                   "organisation with an ISA (R-ISA)")
    covering = [i for i in isas if i.organisation == attendee.organisation
                and borough_code in i.boroughs and in_force(i, day)]
    if not covering:
        return PackAudience(False, "their organisation has no ISA in force for this "
                                   f"borough on {day.isoformat()}: no pack (R-ISA)")
    isa = covering[0]
    return PackAudience(True, f"ISA {isa.isa_id}", isa.permitted_fields, isa.isa_id)


# --- the pack ---------------------------------------------------------------------------

# Which catalogue field lets each key of a pack line reach a partner (R-SELECTED).
LINE_FIELDS: dict[str, DisclosableField] = {
    "person_id": DisclosableField.PERSON_ID,
    "name": DisclosableField.NAMES,
    "harm_score": DisclosableField.HARM_SCORE,
    "harm_band": DisclosableField.HARM_BAND,
    "victim_score": DisclosableField.VICTIM_SCORE,
    "victim_band": DisclosableField.VICTIM_BAND,
    "explanation": DisclosableField.SCORE_EXPLANATION,
    "in_custody": DisclosableField.CUSTODY_STATUS,
}
# Keys that go with any line that goes (they say what the line is, not who).
ALWAYS = frozenset({"child", "support_flag", "referrals"})


def limit_line(line: dict[str, Any], fields: frozenset[DisclosableField] | None
               ) -> dict[str, Any]:
    """A pack line cut to the ISA's fields; unchanged for police (fields None)."""
    if fields is None:
        return dict(line)
    return {k: v for k, v in line.items()
            if k in ALWAYS or (k in LINE_FIELDS and LINE_FIELDS[k] in fields)}


@dataclass(frozen=True, slots=True)
class MeetingPack:
    """What one attendee receives for one meeting."""

    meeting: Meeting
    borough_name: str
    attendee: Attendee
    produced_at: datetime
    produced_by: str
    as_of: date
    policy_version: str
    condition: str
    agenda: tuple[str, ...]
    changes: tuple[dict[str, Any], ...]  # register decisions since the last meeting
    people: tuple[dict[str, Any], ...]  # with support flag and referrals, cut to the ISA
    actions: tuple[Action, ...]  # from the last meeting
    fields: tuple[str, ...] | None  # the ISA's fields for a partner; None for police
