"""Removal, erasure, retention and subject requests on both backends (R-RETENTION,
R-ACCURACY, R-SUBJECT, R-LOG): erasure leaves nothing of the person but ids in the log
(and in the list of who received their record), lists every earlier recipient for
notification, candidates are proposed for erasure after the retention window, the
subject access report shows disclosures, and removal requests have a 30-day deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.reference import default_policy, offence_catalogue
from gvm.services import retention, reviews, sharing, subject
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.register import decide_inclusion, decide_removal
from gvm.storage import tables

CAMDEN, HACKNEY = "E09000007", "E09000012"
AS_OF = date(2024, 6, 30)
WHY = "corroborated by police and partner intelligence; agreed at the borough meeting"
ERASE = "removed at the quarterly review; nothing justifies keeping the data"
YOS = "Camden Youth Offending Service"
LEAD = Actor(1, "lead.camden", Role.GANG_LEAD, borough_code=CAMDEN)
HACKNEY_LEAD = Actor(2, "lead.hackney", Role.GANG_LEAD, borough_code=HACKNEY)
ANALYST = Actor(3, "analyst.camden", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
DPO = Actor(4, "dora", Role.DPO)
# Tables that keep a person id after erasure on purpose, with no personal data: who
# received whose record (R-ACCURACY) and removal requests (R-SUBJECT).
IDS_ONLY = {"disclosure_items", "removal_requests"}


@pytest.fixture
def uow(database, bundle, sha):
    with database.unit_of_work() as u:
        u.save_bundle(bundle, source_name="b.csv", sha256=sha)
        u.commit()
    return database.unit_of_work


def _include(uow, pid="P1"):
    return decide_inclusion(uow, pid, actor=LEAD, rationale=WHY, as_of=AS_OF,
                            policy=default_policy(), catalogue=offence_catalogue(),
                            now=datetime(2024, 7, 1, tzinfo=UTC))


def _remove(uow, pid="P1"):
    return decide_removal(uow, pid, actor=LEAD, rationale=WHY, as_of=AS_OF,
                          policy=default_policy(), catalogue=offence_catalogue(),
                          now=datetime(2024, 7, 20, tzinfo=UTC))


def _disclose(uow, people=("P1",), now=datetime(2024, 7, 10, tzinfo=UTC)):
    isa = sharing.register_isa(
        uow, DPO, organisation=YOS, organisation_type="youth_offending_service",
        purpose="safeguarding young people at risk of serious violence", boroughs=[CAMDEN],
        permitted_fields=["person_id", "names", "harm_band", "score_explanation"],
        handling_conditions="named caseworkers only", start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31))
    payload = sharing.make_disclosure(
        uow, ANALYST, isa.isa_id, list(people), ["names", "harm_band"], as_of=AS_OF,
        policy=default_policy(), catalogue=offence_catalogue(),
        justification="multi-agency safeguarding panel", now=now)
    return isa, payload


def _rows_with_person(db, person_id):
    """table -> rows holding `person_id` in any column named person_id."""
    found = {}
    with db.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            if "person_id" not in table.c:
                continue
            n = conn.execute(sa.select(sa.func.count()).select_from(table)
                             .where(table.c.person_id == person_id)).scalar_one()
            if n:
                found[table.name] = n
    return found


def test_erasure_removes_the_person_from_every_table_and_lists_recipients(database, uow):
    _include(uow)
    review = reviews.open_review(uow, LEAD, CAMDEN, AS_OF, default_policy(),
                                 offence_catalogue())
    _, payload = _disclose(uow)
    subject.log_removal_request(uow, DPO, "P1", received_at=datetime(2024, 7, 15,
                                                                     tzinfo=UTC))
    reviews.record_review_decision(uow, LEAD, review.review_id, "P1", "remove", WHY,
                                   policy=default_policy(), catalogue=offence_catalogue())
    before = _rows_with_person(database, "P1")
    assert {"people", "aliases", "offences", "intelligence", "custody", "register_entries",
            "register_decisions", "review_items", "disclosure_contents",
            "disclosure_items", "removal_requests"} <= set(before)

    erasure = retention.erase_person(uow, LEAD, "P1", rationale=ERASE,
                                     now=datetime(2024, 8, 1, tzinfo=UTC))

    assert set(_rows_with_person(database, "P1")) == IDS_ONLY
    assert _rows_with_person(database, "P2")  # nobody else's data went
    [notice] = erasure.notices
    assert (notice.organisation, notice.person_id) == (YOS, "P1")
    assert notice.disclosure_ids == (payload.disclosure_id,)
    assert f"#{payload.disclosure_id}" in notice.text and "P1" in notice.text
    assert "Ashdown" not in notice.text and "Kit" not in notice.text
    assert [r.organisation for r in sharing.recipients_of(uow, "P1")] == [YOS]
    with database.unit_of_work() as u:
        logged = [e.event for e in u.audit_entries(record_id="P1")]
        assert u.verify_audit().ok
    assert logged  # the log keeps the ids...
    [erased] = [e for e in logged if e.operation is Operation.ERASURE]
    assert erased.actor == "lead.camden" and erased.justification == ERASE
    assert erased.detail["recipients_notified"] == [YOS]
    assert erased.detail["disclosure_ids"] == [payload.disclosure_id]
    with database.engine.connect() as conn:  # ...and none of the person's data
        text = " ".join(str(v) for row in conn.execute(sa.select(tables.audit_log))
                        for v in row)
    assert "Ashdown" not in text and "2001-03-04" not in text
    # the closed-over review can still be closed: the erased person's item went with them
    reviews.close_review(uow, LEAD, review.review_id)


def test_erasure_is_refused_on_the_register_out_of_borough_or_without_the_role(uow):
    _include(uow)
    with pytest.raises(retention.StillOnRegister):
        retention.erase_person(uow, LEAD, "P1", rationale=ERASE)
    _remove(uow)
    with pytest.raises(NotFound):
        retention.erase_person(uow, HACKNEY_LEAD, "P1", rationale=ERASE)
    with pytest.raises(Forbidden):
        retention.erase_person(uow, ANALYST, "P1", rationale=ERASE)
    with pytest.raises(InvalidInput, match="rationale"):
        retention.erase_person(uow, LEAD, "P1", rationale="old")
    with pytest.raises(NotFound):
        retention.erase_person(uow, LEAD, "NOPE", rationale=ERASE)
    assert retention.erase_person(uow, LEAD, "P1", rationale=ERASE).notices == ()


def test_a_person_never_on_the_register_can_be_erased(database, uow):
    erasure = retention.erase_person(uow, LEAD, "P2", rationale=ERASE)
    assert erasure.notices == () and _rows_with_person(database, "P2") == {}


def test_candidates_due_for_erasure_after_the_retention_window(uow):
    # P1 goes on the register: never a candidate. P2 is in custody (open period): kept.
    # P3's newest record is intelligence of 2024-07-01.
    _include(uow)
    policy = default_policy()
    assert policy.candidate_retention_months == 6
    assert retention.candidates_due_for_erasure(uow, date(2024, 12, 31), policy) == []
    due = retention.candidates_due_for_erasure(uow, date(2025, 1, 1), policy)
    assert [(c.person_id, c.newest_record) for c in due] == [("P3", date(2024, 7, 1))]
    _remove(uow)  # once on the register, the review route applies, not this one
    assert [c.person_id for c in retention.candidates_due_for_erasure(
        uow, date(2026, 1, 1), policy)] == ["P3"]


def test_subject_report_lists_register_history_holdings_and_disclosures(database, uow):
    _include(uow)
    isa, payload = _disclose(uow)
    report = subject.subject_report(uow, DPO, "P1")
    assert report.held and report.on_register and report.ever_on_register
    assert [h.decision for h in report.register_history] == ["include"]
    assert report.record_counts["offences"] == 1 and report.record_counts["aliases"] == 2
    assert report.record_counts["intelligence"] == 2
    assert report.categories == ("suspect",)
    [d] = report.disclosures
    assert (d.disclosure_id, d.recipient, d.isa_id) == (payload.disclosure_id, YOS,
                                                        isa.isa_id)
    assert d.made_at == datetime(2024, 7, 10, tzinfo=UTC)
    assert set(d.fields) >= {"names", "harm_band"}
    with database.unit_of_work() as u:
        [looked] = [e.event for e in u.audit_entries(operation=Operation.CONSULTATION)
                    if e.event.justification == "subject access request"]
    assert looked.record_ids == ("P1",) and looked.actor == "dora"
    with pytest.raises(Forbidden):
        subject.subject_report(uow, LEAD, "P1")

    _remove(uow)
    retention.erase_person(uow, LEAD, "P1", rationale=ERASE,
                           now=datetime(2024, 8, 1, tzinfo=UTC))
    after = subject.subject_report(uow, DPO, "P1")
    assert not after.held and after.erased and not after.on_register
    assert after.ever_on_register  # from the log: ids only
    assert [h.decision for h in after.register_history] == ["include", "remove"]
    assert after.record_counts == {} and after.categories == ()
    assert [d.disclosure_id for d in after.disclosures] == [payload.disclosure_id]
    never = subject.subject_report(uow, DPO, "UNKNOWN")
    assert not never.held and not never.ever_on_register and never.disclosures == ()


def test_removal_requests_have_a_30_day_deadline(database, uow):
    received = datetime(2024, 7, 1, 12, tzinfo=UTC)
    request = subject.log_removal_request(uow, DPO, "P2", received_at=received)
    assert request.deadline == date(2024, 7, 31) and not request.overdue
    other = subject.log_removal_request(uow, DPO, "P3", received_at=received)
    assert subject.overdue_removal_requests(uow, date(2024, 7, 31)) == []
    late = subject.overdue_removal_requests(uow, date(2024, 8, 1))
    assert [(r.request_id, r.overdue) for r in late] == [
        (request.request_id, True), (other.request_id, True)]
    answered = subject.answer_removal_request(
        uow, DPO, request.request_id, outcome="retained",
        rationale="meets the threshold; reasons sent to the requester",
        now=datetime(2024, 7, 20, tzinfo=UTC))
    assert answered.outcome.value == "retained" and answered.answered_by == "dora"
    assert [r.request_id for r in subject.overdue_removal_requests(
        uow, date(2024, 8, 1))] == [other.request_id]
    with pytest.raises(InvalidInput, match="already answered"):
        subject.answer_removal_request(uow, DPO, request.request_id, outcome="removed",
                                       rationale="changed our mind")
    with pytest.raises(InvalidInput, match="outcome"):
        subject.answer_removal_request(uow, DPO, other.request_id, outcome="maybe",
                                       rationale="x")
    with pytest.raises(NotFound):
        subject.answer_removal_request(uow, DPO, 999, outcome="removed", rationale="x")
    with pytest.raises(Forbidden):
        subject.log_removal_request(uow, LEAD, "P2")
    with database.unit_of_work() as u:
        logged = [e.event for e in u.audit_entries(record_id="P2")]
    assert [e.operation for e in logged] == [Operation.COLLECTION, Operation.ALTERATION]
    [report] = [subject.subject_report(uow, DPO, "P2")]
    assert [r.request_id for r in report.removal_requests] == [request.request_id]
