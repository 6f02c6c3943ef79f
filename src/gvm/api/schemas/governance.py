"""Quarterly cohort reviews, erasure and subject requests (R-REVIEW, R-RETENTION,
R-SUBJECT)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gvm.api.schemas.common import BoroughCode, RecordId, Request
from gvm.domain.register import MIN_RATIONALE_CHARS
from gvm.domain.reviews import RemovalOutcome, ReviewDecision


class ReviewIn(Request):
    borough_code: BoroughCode
    as_of: date | None = Field(default=None, description="The review date (default today)")


class ProposalOut(BaseModel):
    action: str
    reason: str


class ReviewLineOut(BaseModel):
    person_id: str
    child: bool = Field(description="Under 18 on the review date")
    harm_score: float
    harm_band: str
    victim_score: float
    victim_band: str
    eligible: bool
    eligibility_reason: str
    explanation: str
    in_custody: bool
    days_on_register: int | None
    membership_intel_age_days: int | None
    proposals: list[ProposalOut]
    referrals: list[dict[str, str | None]]
    decision: str | None
    rationale: str | None
    decided_by: str | None


class ReviewOut(BaseModel):
    review_id: int
    borough_code: str
    as_of: date
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    undecided: list[str]
    lines: list[ReviewLineOut]


class ReviewDecisionIn(Request):
    person_id: RecordId
    decision: ReviewDecision
    rationale: str = Field(min_length=MIN_RATIONALE_CHARS, max_length=2000,
                           pattern=r"\S(.*\S){9}", description="The reasons (R-HUMAN)")


class ReviewDecisionOut(BaseModel):
    review_id: int
    person_id: str
    decision: str


class ReviewClosedOut(BaseModel):
    review_id: int
    closed_at: datetime


class ErasureIn(Request):
    rationale: str = Field(min_length=MIN_RATIONALE_CHARS, max_length=2000,
                           pattern=r"\S(.*\S){9}", description="The reasons (R-HUMAN)")
    guardian: str | None = Field(default=None, max_length=200,
                                 description="For a child: the parent or guardian told")


class NoticeOut(BaseModel):
    organisation: str
    person_id: str
    disclosure_ids: list[int]
    text: str


class ErasureOut(BaseModel):
    person_id: str
    erased_at: datetime
    notices: list[NoticeOut]
    guardian_notice: str | None = Field(description="For a child: to their parent or "
                                        "guardian (the name is not kept)")


class SubjectReportIn(Request):
    guardian: str | None = Field(default=None, max_length=200,
                                 description="For a child: the parent or guardian the "
                                 "report goes to (required, and recorded)")


class RemovalRequestIn(Request):
    person_id: RecordId
    received_at: datetime | None = Field(default=None, description="Default: now")


class RemovalAnswerIn(Request):
    outcome: RemovalOutcome
    rationale: str = Field(pattern=r"\S", max_length=2000, description="The reasons given")


class RemovalRequestOut(BaseModel):
    request_id: int
    person_id: str
    received_at: datetime
    deadline: date
    outcome: str | None
    answered_at: datetime | None
    answered_by: str | None
    overdue: bool


class SubjectDisclosureOut(BaseModel):
    disclosure_id: int
    recipient: str
    made_at: datetime
    fields: list[str]
    isa_id: int


class SubjectReportOut(BaseModel):
    person_id: str
    held: bool
    erased: bool
    erased_at: datetime | None
    on_register: bool
    ever_on_register: bool
    register_history: list[dict[str, str | None]]
    record_counts: dict[str, int]
    categories: list[str]
    disclosures: list[SubjectDisclosureOut]
    removal_requests: list[RemovalRequestOut]
    child: bool
    guardian: str | None
