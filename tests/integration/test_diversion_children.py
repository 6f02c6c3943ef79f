"""Diversion and children on both backends (R-DIVERT, R-RETENTION, R-ISA, R-LOG): people
on the register with harm score zero are flagged for support, referrals are recorded with
their outcome and shown in reviews and packs; children (under 18 on the review date) are
marked, proposed for removal after one zero-harm review, and disclosed only under ISAs
for safeguarding or youth support."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.domain.diversion import ReferralError, ReferralOutcome
from gvm.domain.model import (
    Ethnicity,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Person,
    Sex,
    SourceGrade,
    SourceType,
)
from gvm.domain.reviews import ReviewDecision
from gvm.domain.sharing import SharingError
from gvm.reference import default_policy, offence_catalogue
from gvm.services import diversion, meeting_packs, meetings, retention, reviews, sharing, subject
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.register import decide_inclusion, decide_removal

CAMDEN, HACKNEY = "E09000007", "E09000012"
AS_OF = date(2024, 6, 30)
WHY = "corroborated by police and partner intelligence; agreed at the borough meeting"
LEAD = Actor(1, "lead.camden", Role.GANG_LEAD, borough_code=CAMDEN)
ANALYST = Actor(3, "analyst.camden", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
HACKNEY_ANALYST = Actor(5, "analyst.hackney", Role.BOROUGH_ANALYST, borough_code=HACKNEY)
DPO = Actor(4, "dora", Role.DPO)
NOW = datetime(2024, 7, 2, 10, tzinfo=UTC)
MENTORS = "Camden Youth Mentoring Project"


def _membership(pid: str, n: int) -> list[Intelligence]:
    return [Intelligence(f"I{pid}{k}", date(2024, 5, k), pid, "G1",
                         IntelCategory.GANG_MEMBERSHIP, f"S{pid}{k}", SourceType.POLICE,
                         SourceGrade.RELIABLE, IntelGrade.B, HandlingCode.P, "seen with group")
            for k in range(1, n + 1)]


@pytest.fixture
def uow(database, bundle, sha):
    """P9 is a child (16 on the review date), P8 an adult; both on the register with
    harm score zero."""
    extra = (Person("P9", "Nwosu", "Tayo", date(2008, 1, 15), Sex.MALE, Ethnicity.BLACK,
                    CAMDEN),
             Person("P8", "Ferris", "Lee", date(1995, 5, 5), Sex.FEMALE, Ethnicity.WHITE,
                    CAMDEN))
    bundle = replace(bundle, people=(*bundle.people, *extra),
                     intelligence=(*bundle.intelligence, *_membership("P9", 2),
                                   *_membership("P8", 2)))
    with database.unit_of_work() as u:
        u.save_bundle(bundle, source_name="b.csv", sha256=sha)
        u.add_user(username="lead.camden", password_hash="-", role=Role.GANG_LEAD,
                   borough_code=CAMDEN, organisation=None, totp_secret="", now=NOW)
        u.commit()
    for pid in ("P9", "P8"):
        decide_inclusion(database.unit_of_work, pid, actor=LEAD, rationale=WHY, as_of=AS_OF,
                         policy=default_policy(), catalogue=offence_catalogue(),
                         now=datetime(2024, 7, 1, tzinfo=UTC))
    return database.unit_of_work


def _flagged(uow):
    return diversion.flagged_for_support(uow, ANALYST, CAMDEN, AS_OF, default_policy(),
                                         offence_catalogue())


def test_zero_harm_people_are_flagged_and_referrals_tracked(database, uow):
    assert [f.person_id for f in _flagged(uow)] == ["P8", "P9"]
    referral = diversion.refer_for_support(uow, ANALYST, "P9", organisation=MENTORS,
                                           referred_on=date(2024, 7, 1), now=NOW)
    with pytest.raises(ReferralError, match="on the register"):
        diversion.refer_for_support(uow, ANALYST, "P2", organisation=MENTORS,
                                    referred_on=date(2024, 7, 1), now=NOW)
    with pytest.raises(NotFound):
        diversion.refer_for_support(uow, HACKNEY_ANALYST, "P9", organisation=MENTORS,
                                    referred_on=date(2024, 7, 1), now=NOW)
    with pytest.raises(Forbidden):
        diversion.refer_for_support(uow, DPO, "P9", organisation=MENTORS,
                                    referred_on=date(2024, 7, 1), now=NOW)
    with pytest.raises(SharingError, match="R-NO-COURT"):
        diversion.refer_for_support(uow, ANALYST, "P9", organisation="Youth Court",
                                    referred_on=date(2024, 7, 1), now=NOW)
    with pytest.raises(InvalidInput, match="future"):
        diversion.refer_for_support(uow, ANALYST, "P9", organisation=MENTORS,
                                    referred_on=date(2024, 8, 1), now=NOW)
    with pytest.raises(ReferralError, match="before the referral"):
        diversion.record_outcome(uow, ANALYST, referral.referral_id, outcome="engaged",
                                 outcome_on=date(2024, 6, 1))
    done = diversion.record_outcome(uow, ANALYST, referral.referral_id, outcome="engaged",
                                    outcome_on=date(2024, 7, 20))
    assert done.outcome is ReferralOutcome.ENGAGED
    with pytest.raises(ReferralError, match="already"):
        diversion.record_outcome(uow, ANALYST, referral.referral_id, outcome="declined",
                                 outcome_on=date(2024, 7, 21))
    [_, p9] = _flagged(uow)
    assert [(r.organisation, r.outcome) for r in p9.referrals] == [
        (MENTORS, ReferralOutcome.ENGAGED)]
    with database.unit_of_work() as u:
        ops = [e.event.operation for e in u.audit_entries(record_id="P9")]
    assert Operation.COLLECTION in ops and Operation.ALTERATION in ops


def test_children_are_marked_and_proposed_for_removal_after_one_zero_review(uow):
    diversion.refer_for_support(uow, ANALYST, "P9", organisation=MENTORS,
                                referred_on=date(2024, 7, 1), now=NOW)
    review = reviews.open_review(uow, LEAD, CAMDEN, AS_OF, default_policy(),
                                 offence_catalogue())
    lines = {line.person_id: line for line in review.lines}
    child, adult = lines["P9"], lines["P8"]
    assert child.child and not adult.child
    assert [p.action for p in child.proposals] == [ReviewDecision.REMOVE,
                                                   ReviewDecision.REFER_FOR_SUPPORT]
    assert [p.action for p in adult.proposals] == [ReviewDecision.REFER_FOR_SUPPORT]
    assert [r.organisation for r in child.referrals] == [MENTORS]
    assert default_policy().child_zero_harm_reviews == 1


def _isa(uow, purpose):
    return sharing.register_isa(
        uow, DPO, organisation="Camden Housing", organisation_type="housing",
        purpose=purpose, boroughs=[CAMDEN],
        permitted_fields=["person_id", "harm_band", "score_explanation"],
        handling_conditions="named officers only", start_date=date(2024, 1, 1),
        end_date=date(2099, 12, 31))


def _disclose(uow, isa_id, people):
    return sharing.make_disclosure(uow, ANALYST, isa_id, people, ["harm_band"], as_of=AS_OF,
                                   policy=default_policy(), catalogue=offence_catalogue(),
                                   justification="tenancy panel")


def test_a_childs_data_goes_only_under_a_safeguarding_or_youth_support_isa(uow):
    housing = _isa(uow, "tenancy management of residents at risk of violence")
    with pytest.raises(SharingError, match="child's data"):
        _disclose(uow, housing.isa_id, ["P9", "P8"])
    adult = _disclose(uow, housing.isa_id, ["P8"])
    assert "child" not in adult.people[0]
    safeguarding = _isa(uow, "safeguarding children and young people at risk")
    made = _disclose(uow, safeguarding.isa_id, ["P9"])
    assert made.people[0]["child"] is True  # marked wherever a child appears

    # the housing representative's pack leaves the child out; the police pack marks them
    [m] = meetings.schedule_meetings(uow, LEAD, CAMDEN, date(2024, 7, 2), now=NOW)
    rep = meetings.add_attendee(uow, LEAD, m.meeting_id, name="Al Rep",
                                organisation="Camden Housing")
    lead = meetings.add_attendee(uow, LEAD, m.meeting_id, username="lead.camden")
    for a in (rep, lead):
        meetings.sign_agreement(uow, LEAD, m.meeting_id, a.attendee_id, now=NOW)

    def pack(a):
        return meeting_packs.produce_pack(uow, LEAD, m.meeting_id, a.attendee_id,
                                          policy=default_policy(),
                                          catalogue=offence_catalogue(), now=NOW)

    assert [(p["person_id"], p["child"]) for p in pack(lead).people] == [
        ("P8", False), ("P9", True)]
    assert [p["person_id"] for p in pack(rep).people] == ["P8"]


def test_reports_and_notices_about_a_child_record_the_guardian(database, uow):
    """Policy [children]: a subject report about a child goes to a named parent or
    guardian, recorded with the child's record (and erased with it); the erasure names
    them in its notice and the log says a guardian was told, by flag only."""
    when = datetime(2024, 7, 5, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="guardian"):
        subject.subject_report(uow, DPO, "P9", now=when)
    report = subject.subject_report(uow, DPO, "P9", guardian="Mrs A Nwosu (mother)",
                                    now=when)
    assert report.child and report.guardian == "Mrs A Nwosu (mother)"
    assert report.record_counts["guardian_contacts"] == 1
    adult = subject.subject_report(uow, DPO, "P8", now=when)
    assert not adult.child and adult.guardian is None
    decide_removal(uow, "P9", actor=LEAD, rationale=WHY, as_of=AS_OF,
                   policy=default_policy(), catalogue=offence_catalogue(), now=when)
    with pytest.raises(InvalidInput, match="guardian"):
        retention.erase_person(uow, LEAD, "P9", rationale=WHY, now=when)
    erased = retention.erase_person(uow, LEAD, "P9", rationale=WHY,
                                    guardian="Mrs A Nwosu (mother)", now=when)
    assert erased.guardian_notice.startswith("To Mrs A Nwosu (mother), as parent or guardian")
    with database.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM guardian_contacts")).scalar_one() == 0
        text = " ".join(str(v) for row in conn.execute(sa.text("SELECT * FROM audit_log"))
                        for v in row)
    assert "Nwosu" not in text  # neither the child's name nor the guardian's
    with database.unit_of_work() as u:
        flags = [e.event.detail.get("to_guardian") for e in u.audit_entries(record_id="P9")
                 if e.event.operation in (Operation.ERASURE, Operation.CONSULTATION)
                 and "to_guardian" in e.event.detail]
    assert flags == [True, True]  # the report and the erasure
