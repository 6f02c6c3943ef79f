"""Quarterly cohort reviews and erasure (R-REVIEW, R-RETENTION, R-HUMAN), the gang lead's;
subject access reports and removal requests (R-SUBJECT), the data protection officer's."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import MAX_ID, RecordId
from gvm.api.schemas.governance import (
    ErasureIn,
    ErasureOut,
    NoticeOut,
    ProposalOut,
    RemovalAnswerIn,
    RemovalRequestIn,
    RemovalRequestOut,
    ReviewClosedOut,
    ReviewDecisionIn,
    ReviewDecisionOut,
    ReviewIn,
    ReviewLineOut,
    ReviewOut,
    SubjectDisclosureOut,
    SubjectReportIn,
    SubjectReportOut,
)
from gvm.authz import Actor, Permission
from gvm.services import retention, reviews, subject

router = APIRouter(tags=["governance"])

Lead = Annotated[Actor, require(Permission.REGISTER_DECIDE)]
Officer = Annotated[Actor, require(Permission.SUBJECT_ACCESS)]
ReviewId = Annotated[int, Path(ge=1, le=MAX_ID, description="Review id")]
PersonId = Annotated[RecordId, Path(description="Person id")]


def review_out(r: reviews.CohortReview) -> ReviewOut:
    lines = [ReviewLineOut(
        person_id=line.person_id, child=line.child, harm_score=line.harm_score,
        harm_band=line.harm_band, victim_score=line.victim_score, victim_band=line.victim_band,
        eligible=line.eligible, eligibility_reason=line.eligibility_reason,
        explanation=line.explanation, in_custody=line.in_custody,
        days_on_register=line.days_on_register,
        membership_intel_age_days=line.membership_intel_age_days,
        proposals=[ProposalOut(action=p.action.value, reason=p.reason)
                   for p in line.proposals],
        referrals=[ref.as_line() for ref in line.referrals],
        decision=None if line.decision is None else line.decision.value,
        rationale=line.rationale, decided_by=line.decided_by) for line in r.lines]
    return ReviewOut(review_id=r.review_id, borough_code=r.borough_code, as_of=r.as_of,
                     opened_by=r.opened_by, opened_at=r.opened_at, closed_at=r.closed_at,
                     undecided=list(r.undecided), lines=lines)


@router.post("/reviews", status_code=status.HTTP_201_CREATED, response_model=ReviewOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Open a borough's quarterly cohort review")
def open_review(body: ReviewIn, register: RegisterDep, actor: Lead) -> ReviewOut:
    """The borough's gang lead; 409 while the borough has an open review. Every person on
    the register is listed with both scores, explanation, custody and proposals."""
    return review_out(reviews.open_review(register.unit_of_work, actor, body.borough_code,
                                          body.as_of or date.today(), register.policy,
                                          register.catalogue))


@router.get("/reviews/{review_id}", response_model=ReviewOut,
            responses=error_responses(401, 403, 404, 422), summary="A cohort review")
def get_review(review_id: ReviewId, register: RegisterDep, actor: Lead) -> ReviewOut:
    """Its lines and decisions so far; logged as a consultation."""
    return review_out(reviews.get_review(register.unit_of_work, actor, review_id,
                                         register.policy, register.catalogue))


@router.post("/reviews/{review_id}/decisions", status_code=status.HTTP_201_CREATED,
             response_model=ReviewDecisionOut, responses=error_responses(401, 403, 404, 409, 422),
             summary="Record the decision on one person of the review")
def decide(review_id: ReviewId, body: ReviewDecisionIn, register: RegisterDep,
           actor: Lead) -> ReviewDecisionOut:
    """Once per person, with a rationale (R-HUMAN); `remove` takes them off the register."""
    kind = reviews.record_review_decision(register.unit_of_work, actor, review_id,
                                          body.person_id, body.decision.value, body.rationale,
                                          policy=register.policy, catalogue=register.catalogue)
    return ReviewDecisionOut(review_id=review_id, person_id=body.person_id, decision=kind.value)


@router.post("/reviews/{review_id}/closure", response_model=ReviewClosedOut,
             responses=error_responses(401, 403, 404, 409, 422), summary="Close a review")
def close(review_id: ReviewId, register: RegisterDep, actor: Lead) -> ReviewClosedOut:
    """409 while anyone in it has no decision (R-REVIEW)."""
    return ReviewClosedOut(review_id=review_id,
                           closed_at=reviews.close_review(register.unit_of_work, actor,
                                                          review_id))


@router.post("/people/{person_id}/erasure", response_model=ErasureOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Erase a person's data, with notices to earlier recipients")
def erase(person_id: PersonId, body: ErasureIn, register: RegisterDep,
          actor: Lead) -> ErasureOut:
    """A gang lead of their borough, for someone not on the register (409 otherwise).
    Every organisation that received their record gets a notice (R-ACCURACY)."""
    done = retention.erase_person(register.unit_of_work, actor, person_id,
                                  rationale=body.rationale, guardian=body.guardian)
    return ErasureOut(person_id=done.person_id, erased_at=done.erased_at,
                      guardian_notice=done.guardian_notice, notices=[
        NoticeOut(organisation=n.organisation, person_id=n.person_id,
                  disclosure_ids=list(n.disclosure_ids), text=n.text) for n in done.notices])


def request_out(r: subject.RemovalRequest) -> RemovalRequestOut:
    return RemovalRequestOut(request_id=r.request_id, person_id=r.person_id,
                             received_at=r.received_at, deadline=r.deadline,
                             outcome=None if r.outcome is None else r.outcome.value,
                             answered_at=r.answered_at, answered_by=r.answered_by,
                             overdue=r.overdue)


@router.post("/subjects/{person_id}/report", response_model=SubjectReportOut,
             responses=error_responses(401, 403, 404, 422), summary="A subject access report")
def subject_report(person_id: PersonId, body: SubjectReportIn, register: RegisterDep,
                   actor: Officer) -> SubjectReportOut:
    """Whether the person is or was on the register, what is held (counts) and every
    disclosure of their record; for a person erased or never held too. Logged. A
    POST: producing the report is an act, and a child's guardian is named in the body,
    never in the URL."""
    r = subject.subject_report(register.unit_of_work, actor, person_id,
                               guardian=body.guardian)
    return SubjectReportOut(
        person_id=r.person_id, held=r.held, erased=r.erased, erased_at=r.erased_at,
        on_register=r.on_register, ever_on_register=r.ever_on_register,
        register_history=[{"decision": h.decision, "decided_by": h.decided_by,
                           "decided_at": None if h.decided_at is None
                           else h.decided_at.isoformat()} for h in r.register_history],
        record_counts=r.record_counts, categories=list(r.categories),
        disclosures=[SubjectDisclosureOut(disclosure_id=d.disclosure_id, recipient=d.recipient,
                                          made_at=d.made_at, fields=list(d.fields),
                                          isa_id=d.isa_id) for d in r.disclosures],
        removal_requests=[request_out(q) for q in r.removal_requests], child=r.child,
        guardian=r.guardian)


@router.post("/removal-requests", status_code=status.HTTP_201_CREATED,
             response_model=RemovalRequestOut, responses=error_responses(401, 403, 422),
             summary="Log a removal request (30-day deadline)")
def log_request(body: RemovalRequestIn, register: RegisterDep,
                actor: Officer) -> RemovalRequestOut:
    return request_out(subject.log_removal_request(register.unit_of_work, actor,
                                                   body.person_id,
                                                   received_at=body.received_at))


@router.post("/removal-requests/{request_id}/answer", response_model=RemovalRequestOut,
             responses=error_responses(401, 403, 404, 422), summary="Answer a removal request")
def answer(request_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: RemovalAnswerIn,
           register: RegisterDep, actor: Officer) -> RemovalRequestOut:
    """Once, with the reasons given (422 if already answered)."""
    return request_out(subject.answer_removal_request(
        register.unit_of_work, actor, request_id, outcome=body.outcome.value,
        rationale=body.rationale))
