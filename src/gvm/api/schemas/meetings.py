"""Borough meetings and diversion referrals (R-MEETING, R-CONFIDENTIAL, R-DIVERT)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from gvm.api.schemas.common import BoroughCode, RecordId, Request
from gvm.domain.diversion import ReferralOutcome
from gvm.domain.meetings import CONFIDENTIALITY_VERSION, MAX_SCHEDULED

# Text that says something: not empty, not only spaces.
Words = Annotated[str, StringConstraints(pattern=r"\S", max_length=200)]


class ScheduleIn(Request):
    borough_code: BoroughCode
    first: date = Field(description="The first meeting; the next ones follow every 4 weeks")
    count: int = Field(default=1, ge=1, le=MAX_SCHEDULED)
    agenda: list[Words] | None = Field(default=None, max_length=30,
                                           description="Default: the standard agenda")


class MeetingOut(BaseModel):
    meeting_id: int
    borough_code: str
    held_on: date
    agenda: list[str]
    scheduled_by: str


class MeetingListOut(BaseModel):
    count: int
    meetings: list[MeetingOut]


class AttendeeIn(Request):
    """Either `username` (a user of the register) or `name` and `organisation` (a partner
    representative)."""

    username: Words | None = None
    name: Words | None = None
    organisation: Words | None = None


class AttendeeOut(BaseModel):
    attendee_id: int
    meeting_id: int
    kind: str
    name: str
    organisation: str | None
    signed: bool
    signed_at: datetime | None
    agreement_version: str | None
    read_out_by: str | None


class SignatureIn(Request):
    version: Literal[CONFIDENTIALITY_VERSION] = Field(  # type: ignore[valid-type]
        default=CONFIDENTIALITY_VERSION, description="The agreement text's version: the "
        "current one")
    read_out_by: Words | None = Field(default=None,
                                          description="Who read it out (default: you)")


class ActionIn(Request):
    description: str = Field(pattern=r"\S", max_length=2000)
    owner: Words
    due_on: date
    person_id: RecordId | None = None


class ActionOut(BaseModel):
    action_id: int
    meeting_id: int
    description: str
    owner: str
    due_on: date
    person_id: str | None


class MeetingDetailOut(MeetingOut):
    confidentiality_version: str
    confidentiality_text: str
    attendees: list[AttendeeOut]
    actions: list[ActionOut]


class ReferralIn(Request):
    person_id: RecordId
    organisation: Words = Field(description="The support service")
    referred_on: date


class OutcomeIn(Request):
    outcome: ReferralOutcome
    outcome_on: date


class ReferralOut(BaseModel):
    referral_id: int
    person_id: str
    organisation: str
    referred_on: date
    referred_by: str
    outcome: str | None
    outcome_on: date | None


class FlaggedOut(BaseModel):
    person_id: str
    victim_band: str
    in_custody: bool
    referrals: list[ReferralOut]


class SupportListOut(BaseModel):
    borough_code: str
    as_of: date
    count: int
    people: list[FlaggedOut]
