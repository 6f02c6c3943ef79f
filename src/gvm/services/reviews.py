"""Use cases of the quarterly cohort review (R-REVIEW, R-RETENTION, R-DIVERT, R-HUMAN).

The borough's gang lead opens a review: every person on the borough's register is
listed with both scores and bands on the review date, a summary of the explanation,
custody, time on the register, the age of the newest membership intelligence and what
the rules propose (removal when no longer eligible or after zero harm at consecutive
reviews; a support referral when the harm score is zero). The lead then records one
decision per person with a rationale; 'remove' takes the person off the register (the
same decision and audit event as gvm.services.register.decide_removal), erasure being
a separate step (gvm.services.retention). A review closes only once every person has a
decision. `reviews_due` flags boroughs and people not reviewed in the last quarter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from gvm import reference
from gvm.authz import Actor, Permission, has_permission
from gvm.authz.roles import Role
from gvm.domain.audit import Operation
from gvm.domain.children import is_child
from gvm.domain.diversion import Referral
from gvm.domain.errors import GvmError
from gvm.domain.model import IntelCategory, PersonRecords
from gvm.domain.policy import SCORE_SCALE, Policy
from gvm.domain.register import MIN_RATIONALE_CHARS
from gvm.domain.reviews import Proposal, ReviewDecision, proposals, review_due
from gvm.domain.scoring import ScoreResult, score_person
from gvm.services.access import NOT_IN_SCOPE, InvalidInput, event
from gvm.services.errors import Forbidden, NotFound
from gvm.services.ports import ReviewsUnitOfWork, ReviewsUnitOfWorkFactory
from gvm.services.register import remove_in

REVIEW_JUSTIFICATION = "quarterly cohort review (R-REVIEW)"


class ReviewError(GvmError):
    """The review cannot do that now (already open, already closed, undecided people)."""


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """One person of a cohort review: what the lead sees, and the decision once made."""

    person_id: str
    harm_units: int
    victim_units: int
    harm_band: str
    victim_band: str
    eligible: bool
    eligibility_reason: str
    explanation: str  # a summary: what counted towards each score
    in_custody: bool
    on_register_since: datetime | None
    days_on_register: int | None
    newest_membership_intel: date | None
    membership_intel_age_days: int | None
    proposals: tuple[Proposal, ...]
    decision: ReviewDecision | None = None
    rationale: str | None = None
    decided_by: str | None = None
    child: bool = False  # under 18 on the review date
    referrals: tuple[Referral, ...] = ()  # support referrals so far (R-DIVERT)

    @property
    def harm_score(self) -> float:
        return self.harm_units / SCORE_SCALE

    @property
    def victim_score(self) -> float:
        return self.victim_units / SCORE_SCALE


@dataclass(frozen=True, slots=True)
class CohortReview:
    review_id: int
    borough_code: str
    as_of: date
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    lines: tuple[ReviewLine, ...]

    @property
    def undecided(self) -> tuple[str, ...]:
        return tuple(line.person_id for line in self.lines if line.decision is None)


@dataclass(frozen=True, slots=True)
class BoroughDue:
    borough_code: str
    on_register: int
    last_review: date | None  # when the last review closed (None: never)
    overdue: bool


@dataclass(frozen=True, slots=True)
class ReviewsDue:
    boroughs: tuple[BoroughDue, ...]  # boroughs with people on the register, due a review
    people: tuple[str, ...]  # person ids on the register not reviewed in the last quarter


def _lead_of(actor: Actor, borough_code: str) -> None:
    """Forbidden without REGISTER_DECIDE; NotFound outside the lead's own borough."""
    if not has_permission(actor, Permission.REGISTER_DECIDE) or actor.role is not Role.GANG_LEAD:
        raise Forbidden("only the borough's gang lead reviews its cohort (R-REVIEW, R-HUMAN)")
    if borough_code not in reference.boroughs() or actor.borough_code != borough_code:
        raise NotFound(NOT_IN_SCOPE.format("borough"))


def _summary(result: ScoreResult) -> str:
    def part(name: str, items: tuple) -> str:
        counted = [i for i in items if i.counted]
        kinds = sorted({i.kind for i in counted})
        detail = ", ".join(f"{sum(1 for i in counted if i.kind == k)} {k}" for k in kinds)
        return f"{name}: {len(counted)} item(s) counted" + (f" ({detail})" if detail else "")
    return "; ".join((part("harm", result.harm_items), part("victim", result.victim_items),
                      f"eligibility: {result.eligibility.reason}"))


def _newest_membership(records: PersonRecords) -> date | None:
    dates = [i.date for i in records.intelligence
             if i.category is IntelCategory.GANG_MEMBERSHIP]
    return max(dates) if dates else None


def review_line(uow: ReviewsUnitOfWork, person_id: str, as_of: date, policy: Policy,
                catalogue: Mapping[str, str]) -> tuple[ReviewLine, ScoreResult]:
    records = uow.person_records(person_id)
    if records is None:
        raise NotFound("no such person")
    result = score_person(records, as_of, policy, catalogue)
    previous = [item.harm_units for item in uow.person_review_items(person_id)]
    entry = uow.register_entry(person_id)
    since = entry.since if entry is not None else None
    newest = _newest_membership(records)
    person = uow.person(person_id)
    child = person is not None and is_child(person.date_of_birth, as_of)
    line = ReviewLine(
        child=child,
        referrals=tuple(uow.referrals_of([person_id])),
        person_id=person_id, harm_units=result.harm_units, victim_units=result.victim_units,
        harm_band=result.harm_band, victim_band=result.victim_band, eligible=result.eligible,
        eligibility_reason=result.eligibility.reason, explanation=_summary(result),
        in_custody=result.in_custody, on_register_since=since,
        days_on_register=None if since is None else (as_of - since.date()).days,
        newest_membership_intel=newest,
        membership_intel_age_days=None if newest is None else (as_of - newest).days,
        proposals=proposals(eligible=result.eligible, harm_units=result.harm_units,
                            previous_harm_units=previous,
                            zero_harm_reviews=(policy.child_zero_harm_reviews if child
                                               else policy.zero_harm_reviews)))
    return line, result


def open_review(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor, borough_code: str,
                as_of: date, policy: Policy, catalogue: Mapping[str, str], *,
                now: datetime | None = None) -> CohortReview:
    """Open the borough's quarterly review of everyone on its register on `as_of`.
    Reading their records is logged as a consultation (R-LOG). One open review per
    borough at a time."""
    _lead_of(actor, borough_code)
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        if uow.open_review_of(borough_code) is not None:
            raise ReviewError("this borough already has an open review: close it first")
        members = [m.person_id for m in uow.register_cohort(borough_code)]
        lines: list[ReviewLine] = []
        stored: list[dict] = []
        for person_id in members:
            line, result = review_line(uow, person_id, as_of, policy, catalogue)
            lines.append(line)
            stored.append({"person_id": person_id, "harm_units": result.harm_units,
                           "victim_units": result.victim_units, "eligible": result.eligible,
                           "policy_hash": policy.content_hash})
        review_id = uow.add_review(borough_code=borough_code, opened_by=actor.username,
                                   opened_at=now, as_of=as_of, items=stored)
        uow.append_audit(event(actor, Operation.CONSULTATION,
                               justification=REVIEW_JUSTIFICATION, record_type="person",
                               record_ids=members,
                               detail={"review_id": review_id, "borough": borough_code,
                                       "as_of": as_of.isoformat(), "policy": policy.label,
                                       "policy_hash": policy.content_hash}))
        uow.commit()
    return CohortReview(review_id, borough_code, as_of, actor.username, now, None,
                        tuple(lines))


def _review_in_scope(uow: ReviewsUnitOfWork, actor: Actor, review_id: int):
    review = uow.review(review_id)
    if review is None:
        raise NotFound(NOT_IN_SCOPE.format("review"))
    _lead_of(actor, review.borough_code)
    return review


def get_review(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor, review_id: int,
               policy: Policy, catalogue: Mapping[str, str]) -> CohortReview:
    """The review with its people's lines, recomputed on the review's date, and their
    decisions so far; logged as a consultation."""
    with uow_factory() as uow:
        review = _review_in_scope(uow, actor, review_id)
        lines = []
        for item in uow.review_items(review_id):
            line, _ = review_line(uow, item.person_id, review.as_of, policy, catalogue)
            lines.append(_with_decision(line, item))
        uow.append_audit(event(actor, Operation.CONSULTATION,
                               justification=REVIEW_JUSTIFICATION, record_type="person",
                               record_ids=[line.person_id for line in lines],
                               detail={"review_id": review_id}))
        uow.commit()
    return CohortReview(review.review_id, review.borough_code, review.as_of, review.opened_by,
                        review.opened_at, review.closed_at, tuple(lines))


def open_review_id(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor) -> int | None:
    """The id of the open review of the lead's own borough, if there is one (an id, no
    one's record: not logged)."""
    _lead_of(actor, actor.borough_code or "")
    with uow_factory(read_only=True) as uow:
        review = uow.open_review_of(actor.borough_code)
    return None if review is None else review.review_id


def _with_decision(line: ReviewLine, item) -> ReviewLine:
    return replace(line, decision=item.decision, rationale=item.rationale,
                   decided_by=item.decided_by)


def record_review_decision(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor,
                           review_id: int, person_id: str, decision: str, rationale: str, *,
                           policy: Policy, catalogue: Mapping[str, str],
                           now: datetime | None = None) -> ReviewDecision:
    """Record the lead's decision on one person of an open review, once, with a rationale
    (R-HUMAN), logged as an alteration. 'remove' takes them off the register in the same
    transaction (the register decision is made on the review's date)."""
    try:
        kind = ReviewDecision(decision)
    except ValueError:
        raise InvalidInput([("decision", "expected one of "
                             + ", ".join(d.value for d in ReviewDecision))]) from None
    text = (rationale or "").strip()
    if len(text) < MIN_RATIONALE_CHARS:
        raise InvalidInput([("rationale", f"a rationale of at least {MIN_RATIONALE_CHARS} "
                             "characters is required (R-HUMAN)")])
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        review = _review_in_scope(uow, actor, review_id)
        if review.closed_at is not None:
            raise ReviewError("this review is closed")
        items = {item.person_id: item for item in uow.review_items(review_id)}
        if person_id not in items:
            raise NotFound("no such person in this review")
        if items[person_id].decision is not None:
            raise ReviewError("this person already has a decision in this review")
        detail: dict[str, object] = {"review_id": review_id, "review_decision": kind.value}
        if kind is ReviewDecision.REMOVE:
            removal = remove_in(uow, person_id, actor=actor, rationale=text,
                                as_of=review.as_of, policy=policy, catalogue=catalogue,
                                now=now)
            detail["decision_id"] = removal.decision_id
        uow.decide_review_item(review_id, person_id, decision=kind, rationale=text,
                               decided_by=actor.username, decided_at=now)
        uow.append_audit(event(actor, Operation.ALTERATION, justification=text,
                               record_type="person", record_ids=[person_id], detail=detail))
        uow.commit()
    return kind


def close_review(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor, review_id: int, *,
                 now: datetime | None = None) -> datetime:
    """Close the review; refused while anyone in it has no decision (R-REVIEW)."""
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        review = _review_in_scope(uow, actor, review_id)
        if review.closed_at is not None:
            raise ReviewError("this review is already closed")
        undecided = [i.person_id for i in uow.review_items(review_id) if i.decision is None]
        if undecided:
            raise ReviewError(f"{len(undecided)} person(s) in this review have no decision "
                              "yet: every person gets a recorded decision (R-REVIEW)")
        uow.close_review(review_id, closed_by=actor.username, closed_at=now)
        uow.append_audit(event(actor, Operation.ALTERATION, justification=REVIEW_JUSTIFICATION,
                               record_type="cohort_review", record_ids=[str(review_id)],
                               detail={"borough": review.borough_code, "closed": True}))
        uow.commit()
    return now


def reviews_due(uow_factory: ReviewsUnitOfWorkFactory, today: date) -> ReviewsDue:
    """Boroughs with people on the register and no closed review in the last quarter
    (counting from the earliest inclusion when never reviewed), and the people on the
    register with no review decision in the last quarter (counting from inclusion).
    Ids and counts only."""
    with uow_factory() as uow:
        members = uow.on_register()
        closed = uow.last_closed_reviews()
        reviewed = uow.last_reviewed()
    by_borough: dict[str, list[tuple[str, datetime]]] = {}
    for person_id, borough, since in members:
        by_borough.setdefault(borough, []).append((person_id, since))
    boroughs = []
    for borough, people in sorted(by_borough.items()):
        last = closed.get(borough)
        start = last.date() if last is not None else min(s for _, s in people).date()
        due = review_due(start, today)
        if due.due:
            boroughs.append(BoroughDue(borough, len(people),
                                       None if last is None else last.date(), due.overdue))
    people_due = []
    for person_id, _, since in members:
        last = reviewed.get(person_id)
        start = max(since, last) if last is not None else since
        if review_due(start.date(), today).due:
            people_due.append(person_id)
    return ReviewsDue(tuple(boroughs), tuple(sorted(people_due)))
