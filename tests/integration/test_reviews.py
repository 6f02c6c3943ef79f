"""Quarterly cohort reviews on both backends (R-REVIEW, R-RETENTION, R-DIVERT, R-HUMAN):
a review lists everyone on the borough's register with what the lead needs, each person
gets one recorded decision, a review closes only when all have one, 'remove' takes the
person off the register, and boroughs and people not reviewed in a quarter are flagged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from gvm.authz import Actor
from gvm.authz import Role as UserRole
from gvm.domain.audit import Operation
from gvm.domain.model import (
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    Person,
    Role,
    Sex,
    SourceGrade,
    SourceType,
)
from gvm.domain.register import DecisionKind, RegisterState
from gvm.domain.reviews import NO_LONGER_ELIGIBLE, REFER, ReviewDecision, zero_harm_reason
from gvm.reference import default_policy, offence_catalogue
from gvm.services import reviews
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.register import cohort, decide_inclusion, register_status

CAMDEN, HACKNEY = "E09000007", "E09000012"
AS_OF = date(2024, 6, 30)
INCLUDED = datetime(2024, 7, 1, 9, tzinfo=UTC)
WHY = "corroborated by police and partner intelligence; agreed at the borough meeting"
LEAD = Actor(1, "lead.camden", UserRole.GANG_LEAD, borough_code=CAMDEN)
HACKNEY_LEAD = Actor(2, "lead.hackney", UserRole.GANG_LEAD, borough_code=HACKNEY)
ANALYST = Actor(3, "analyst.camden", UserRole.BOROUGH_ANALYST, borough_code=CAMDEN)


def _zero_harm_member() -> tuple[Person, tuple[Intelligence, ...]]:
    """P4 (Camden): two graded membership sources, no violence: eligible, harm zero."""
    person = Person("P4", "Doyle", "Ray", date(2005, 5, 5), Sex.MALE, None, CAMDEN)
    intel = tuple(
        Intelligence(f"I4{n}", date(2024, 4, n), "P4", "G1", IntelCategory.GANG_MEMBERSHIP,
                     f"S4{n}", SourceType.POLICE, SourceGrade.RELIABLE, IntelGrade.B,
                     HandlingCode.P, "seen with group")
        for n in (1, 2))
    return person, intel


@pytest.fixture
def uow(database, bundle, sha):
    person, intel = _zero_harm_member()
    robbery = Offence("E9", date(2024, 3, 1), "34B", "P1", Role.SUSPECT, Outcome.CHARGED)
    full = replace(bundle, people=(*bundle.people, person),
                   offences=(*bundle.offences, robbery),
                   intelligence=(*bundle.intelligence, *intel))
    with database.unit_of_work() as u:
        u.save_bundle(full, source_name="b.csv", sha256=sha)
        u.commit()
    for pid in ("P1", "P4"):
        decide_inclusion(database.unit_of_work, pid, actor=LEAD, rationale=WHY, as_of=AS_OF,
                         policy=default_policy(), catalogue=offence_catalogue(),
                         now=INCLUDED)
    return database.unit_of_work


def _open(uow, as_of=AS_OF, actor=LEAD, borough=CAMDEN, now=None):
    return reviews.open_review(uow, actor, borough, as_of, default_policy(),
                               offence_catalogue(), now=now)


def _decide(uow, review_id, person_id, decision, rationale=WHY, now=None):
    return reviews.record_review_decision(uow, LEAD, review_id, person_id, decision,
                                          rationale, policy=default_policy(),
                                          catalogue=offence_catalogue(), now=now)


def _audit(db, operation=None):
    with db.unit_of_work() as u:
        return [e.event for e in u.audit_entries(operation=operation)]


def test_a_review_lists_everyone_on_the_boroughs_register(database, uow):
    review = _open(uow, now=datetime(2024, 7, 2, tzinfo=UTC))
    assert review.review_id > 0 and review.borough_code == CAMDEN
    assert [line.person_id for line in review.lines] == ["P1", "P4"]  # not P2: never on
    p1, p4 = review.lines
    assert p1.harm_units > 0 and p1.eligible and p1.harm_band in ("Green", "Amber", "Red")
    assert p1.victim_band == "Zero" and not p1.in_custody
    assert "harm: 1 item(s) counted (1 offence)" in p1.explanation
    assert p1.on_register_since == INCLUDED and p1.days_on_register == -1  # as_of before
    assert p1.newest_membership_intel == date(2024, 6, 1)
    assert p1.membership_intel_age_days == 29
    assert p1.proposals == ()
    assert p4.harm_units == 0 and p4.harm_band == "Zero"
    assert [(p.action, p.reason) for p in p4.proposals] == [
        (ReviewDecision.REFER_FOR_SUPPORT, REFER)]
    assert review.undecided == ("P1", "P4")
    [looked] = [e for e in _audit(database, Operation.CONSULTATION)
                if e.detail.get("review_id") == review.review_id]
    assert looked.record_ids == ("P1", "P4") and looked.actor == "lead.camden"
    assert _open(uow, actor=HACKNEY_LEAD, borough=HACKNEY).lines == ()


def test_only_the_boroughs_gang_lead_reviews(uow):
    with pytest.raises(NotFound):
        _open(uow, actor=HACKNEY_LEAD)
    with pytest.raises(Forbidden):
        _open(uow, actor=ANALYST)
    review = _open(uow)
    with pytest.raises(NotFound):
        reviews.record_review_decision(uow, HACKNEY_LEAD, review.review_id, "P1", "retain",
                                       WHY, policy=default_policy(),
                                       catalogue=offence_catalogue())
    with pytest.raises(reviews.ReviewError, match="already has an open review"):
        _open(uow)


def test_closing_is_refused_until_everyone_has_a_decision(database, uow):
    review = _open(uow)
    _decide(uow, review.review_id, "P1", "retain")
    with pytest.raises(reviews.ReviewError, match="1 person"):
        reviews.close_review(uow, LEAD, review.review_id)
    with pytest.raises(reviews.ReviewError, match="already has a decision"):
        _decide(uow, review.review_id, "P1", "correct_data")
    with pytest.raises(InvalidInput, match="rationale"):
        _decide(uow, review.review_id, "P4", "refer_for_support", rationale="ok")
    with pytest.raises(InvalidInput, match="decision"):
        _decide(uow, review.review_id, "P4", "promote")
    with pytest.raises(NotFound):
        _decide(uow, review.review_id, "P2", "retain")
    _decide(uow, review.review_id, "P4", "refer_for_support")
    reviews.close_review(uow, LEAD, review.review_id, now=datetime(2024, 7, 5, tzinfo=UTC))
    with pytest.raises(reviews.ReviewError, match="closed"):
        reviews.close_review(uow, LEAD, review.review_id)
    seen = reviews.get_review(uow, LEAD, review.review_id, default_policy(),
                              offence_catalogue())
    assert seen.closed_at == datetime(2024, 7, 5, tzinfo=UTC)
    assert [(line.decision, line.decided_by) for line in seen.lines] == [
        (ReviewDecision.RETAIN, "lead.camden"), (ReviewDecision.REFER_FOR_SUPPORT,
                                                 "lead.camden")]
    altered = [e for e in _audit(database, Operation.ALTERATION)
               if "review_decision" in e.detail]
    assert [(e.record_ids, e.detail["review_decision"]) for e in altered] == [
        (("P1",), "retain"), (("P4",), "refer_for_support")]
    assert all(e.justification == WHY for e in altered)
    _open(uow)  # the next review may open once this one is closed


def test_a_remove_decision_takes_the_person_off_the_register(database, uow):
    review = _open(uow)
    _decide(uow, review.review_id, "P1", "remove",
            rationale="no longer active in the group; agreed at review",
            now=datetime(2024, 7, 3, tzinfo=UTC))
    status = register_status(uow, "P1")
    assert status.status is RegisterState.OFF
    assert status.since == datetime(2024, 7, 3, tzinfo=UTC)
    with database.unit_of_work() as u:
        last = u.register_decisions("P1")[-1]
        assert u.person("P1") is not None  # erasure is a separate step
    assert last.decision is DecisionKind.REMOVE and last.as_of == AS_OF
    removal = [e for e in _audit(database, Operation.ALTERATION)
               if e.detail.get("decision") == "remove"]
    assert [e.detail["decision_id"] for e in removal] == [last.decision_id]
    assert [m.person_id for m in cohort(uow, CAMDEN)] == ["P4"]


def test_zero_harm_at_two_consecutive_reviews_proposes_removal(uow):
    first = _open(uow)
    _decide(uow, first.review_id, "P1", "retain")
    _decide(uow, first.review_id, "P4", "refer_for_support")
    reviews.close_review(uow, LEAD, first.review_id)
    second = _open(uow, as_of=date(2024, 9, 30))
    p4 = {line.person_id: line for line in second.lines}["P4"]
    assert [(p.action, p.reason) for p in p4.proposals] == [
        (ReviewDecision.REMOVE, zero_harm_reason(2)),
        (ReviewDecision.REFER_FOR_SUPPORT, REFER)]


def test_someone_no_longer_eligible_is_proposed_for_removal(uow):
    later = _open(uow, as_of=date(2027, 1, 1))  # membership intelligence out of window
    p1 = {line.person_id: line for line in later.lines}["P1"]
    assert not p1.eligible
    assert (ReviewDecision.REMOVE, NO_LONGER_ELIGIBLE) in [
        (p.action, p.reason) for p in p1.proposals]


def test_reviews_due_flags_boroughs_and_people(uow):
    assert reviews.reviews_due(uow, date(2024, 9, 30)).boroughs == ()
    due = reviews.reviews_due(uow, date(2024, 10, 2))  # included 1 July: over a quarter
    assert [(b.borough_code, b.on_register, b.last_review, b.overdue)
            for b in due.boroughs] == [(CAMDEN, 2, None, True)]
    assert due.people == ("P1", "P4")
    review = _open(uow, as_of=date(2024, 9, 30))
    _decide(uow, review.review_id, "P1", "retain", now=datetime(2024, 10, 3, tzinfo=UTC))
    _decide(uow, review.review_id, "P4", "retain", now=datetime(2024, 10, 3, tzinfo=UTC))
    reviews.close_review(uow, LEAD, review.review_id, now=datetime(2024, 10, 4, tzinfo=UTC))
    assert reviews.reviews_due(uow, date(2024, 12, 1)) == reviews.ReviewsDue((), ())
    due = reviews.reviews_due(uow, date(2025, 1, 4))  # exactly a quarter: due, not overdue
    assert [(b.borough_code, b.last_review, b.overdue) for b in due.boroughs] == [
        (CAMDEN, date(2024, 10, 4), False)]
    assert due.people == ("P1", "P4")
