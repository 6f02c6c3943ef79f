"""Disclosures under ISAs, on both backends (R-ISA, R-SELECTED, R-NOT-SOLE, R-NO-COURT,
R-ACCURACY, R-LOG): only under an ISA in force, only the permitted fields and people,
logged with the recipient, acknowledged, and every recipient still listed after an
erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.domain.sharing import NOT_SOLE_BASIS, SharingError
from gvm.reference import default_policy, offence_catalogue
from gvm.services import sharing
from gvm.services.errors import Forbidden, NotFound

CAMDEN, HACKNEY = "E09000007", "E09000012"
YOS = "Camden Youth Offending Service"
AS_OF = date(2024, 7, 31)
NOW = datetime(2024, 8, 1, 9, 30, tzinfo=UTC)

DPO = Actor(1, "dora", Role.DPO)
ANALYST = Actor(2, "ann", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
HACKNEY_ANALYST = Actor(3, "hal", Role.BOROUGH_ANALYST, borough_code=HACKNEY)
FORCE = Actor(4, "fay", Role.FORCE_ANALYST)
PARTNER = Actor(5, "pat", Role.PARTNER, organisation=YOS)
OTHER_PARTNER = Actor(6, "oli", Role.PARTNER, organisation="Hackney Housing")


@pytest.fixture
def loaded(database, bundle, sha):
    with database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.commit()
    return database


def _isa(db, *, end=date(2024, 12, 31), boroughs=(CAMDEN,),
         fields=("person_id", "names", "harm_band", "score_explanation",
                 "intelligence_summary_graded")):
    return sharing.register_isa(
        db.unit_of_work, DPO, organisation=YOS, organisation_type="youth_offending_service",
        purpose="safeguarding young people at risk of serious violence", boroughs=boroughs,
        permitted_fields=fields, handling_conditions="named caseworkers only",
        start_date=date(2024, 1, 1), end_date=end)


def _disclose(db, isa_id, people=("P1",), fields=("names", "harm_band", "offences"),
              actor=ANALYST, now=NOW):
    return sharing.make_disclosure(
        db.unit_of_work, actor, isa_id, list(people), list(fields), as_of=AS_OF,
        policy=default_policy(), catalogue=offence_catalogue(),
        justification="multi-agency safeguarding panel", now=now)


def test_isas_are_registered_by_the_dpo_and_never_for_courts(loaded):
    isa = _isa(loaded)
    assert isa.isa_id > 0
    assert [i.isa_id for i in sharing.list_isas(loaded.unit_of_work, ANALYST)] == [isa.isa_id]
    with pytest.raises(Forbidden):
        sharing.register_isa(loaded.unit_of_work, ANALYST, organisation=YOS,
                             organisation_type="housing", purpose="a long enough purpose",
                             boroughs=[CAMDEN], permitted_fields=["names"],
                             handling_conditions="", start_date=date(2024, 1, 1),
                             end_date=date(2024, 2, 1))
    with pytest.raises(SharingError, match="R-NO-COURT"):
        sharing.register_isa(loaded.unit_of_work, DPO, organisation="Partner",
                             organisation_type="local_authority",
                             purpose="to support prosecution of gang members",
                             boroughs=[CAMDEN], permitted_fields=["names"],
                             handling_conditions="", start_date=date(2024, 1, 1),
                             end_date=date(2024, 2, 1))


def test_a_disclosure_carries_only_permitted_fields_and_its_reliability(loaded):
    isa = _isa(loaded)
    payload = _disclose(loaded, isa.isa_id)
    # offences are not permitted; the band brings its explanation (R-ACCURACY)
    assert payload.fields == ("harm_band", "names", "score_explanation")
    assert payload.withheld_fields == ("offences",)
    (entry,) = payload.people
    assert set(entry) == {"surname", "forenames", "harm_band", "score_explanation"}
    assert entry["surname"] == "Ashdown"
    assert all({"date", "reason", "points"} <= set(i) for i in entry["score_explanation"])
    assert payload.condition == NOT_SOLE_BASIS
    assert payload.handling_conditions == "named caseworkers only"
    assert payload.as_of == AS_OF and payload.policy_version == default_policy().label
    assert payload.recipient == YOS


def test_intelligence_goes_with_grades_and_dates_but_no_summary_unless_permitted(loaded):
    isa = _isa(loaded)
    (entry,) = _disclose(loaded, isa.isa_id, fields=("intelligence_summary",
                                                     "intelligence_summary_graded")).people
    assert [i["intel_id"] for i in entry["intelligence"]] == ["I1", "I2"]
    assert all("summary" not in i and {"date", "source_grade", "intel_grade",
                                       "handling_code"} <= set(i)
               for i in entry["intelligence"])


def test_only_under_an_isa_in_force(loaded):
    expired = _isa(loaded, end=date(2024, 6, 30))
    with pytest.raises(SharingError, match="not in force"):
        _disclose(loaded, expired.isa_id)
    with pytest.raises(NotFound):
        _disclose(loaded, 9999)
    with loaded.unit_of_work() as uow:
        assert uow.list_disclosures() == []


def test_people_outside_the_isa_boroughs_or_the_actor_scope_are_refused(loaded):
    isa = _isa(loaded)
    with pytest.raises(SharingError, match="R-SELECTED"):
        _disclose(loaded, isa.isa_id, people=("P1", "P3"), actor=FORCE)
    with pytest.raises(NotFound):  # a Hackney person, outside a Camden analyst's scope
        _disclose(loaded, isa.isa_id, people=("P3",))
    with pytest.raises(NotFound):
        _disclose(loaded, isa.isa_id, people=("P1",), actor=HACKNEY_ANALYST)
    with pytest.raises(Forbidden):
        _disclose(loaded, isa.isa_id, actor=PARTNER)
    with loaded.unit_of_work() as uow:
        assert uow.list_disclosures() == []


def test_a_disclosure_is_logged_with_its_recipient(loaded):
    isa = _isa(loaded)
    payload = _disclose(loaded, isa.isa_id, people=("P1", "P2"))
    with loaded.unit_of_work() as uow:
        (stored,) = uow.audit_search(operation=Operation.DISCLOSURE)
        assert uow.verify_audit().ok
    entry = stored.event
    assert entry.recipient == YOS and entry.actor == "ann"
    assert set(entry.record_ids) == {"P1", "P2"}
    assert entry.detail["disclosure_id"] == payload.disclosure_id
    assert "Ashdown" not in str(entry.detail)


def test_the_partner_acknowledges_then_reads_only_its_own(loaded):
    isa = _isa(loaded)
    payload = _disclose(loaded, isa.isa_id)
    did = payload.disclosure_id
    with pytest.raises(SharingError, match="R-NOT-SOLE"):
        sharing.received_disclosure(loaded.unit_of_work, PARTNER, did)
    with pytest.raises(NotFound):
        sharing.acknowledge_disclosure(loaded.unit_of_work, OTHER_PARTNER, did)
    record = sharing.acknowledge_disclosure(loaded.unit_of_work, PARTNER, did, now=NOW)
    assert record.acknowledged_by == "pat" and record.acknowledged_at == NOW
    again = sharing.acknowledge_disclosure(loaded.unit_of_work, PARTNER, did)
    assert again.acknowledged_at == NOW  # the first acknowledgement stands
    received = sharing.received_disclosure(loaded.unit_of_work, PARTNER, did)
    assert received.people == payload.people and received.condition == NOT_SOLE_BASIS
    assert [d.disclosure_id for d in sharing.list_disclosures(loaded.unit_of_work, PARTNER)
            ] == [did]
    assert sharing.list_disclosures(loaded.unit_of_work, OTHER_PARTNER) == []
    assert len(sharing.list_disclosures(loaded.unit_of_work, DPO)) == 1
    with pytest.raises(NotFound):
        sharing.received_disclosure(loaded.unit_of_work, OTHER_PARTNER, did)


def test_recipients_survive_erasure_but_the_content_does_not(loaded):
    isa = _isa(loaded)
    first = _disclose(loaded, isa.isa_id, people=("P1", "P2"))
    second = _disclose(loaded, isa.isa_id, people=("P1",), now=datetime(2024, 8, 2, tzinfo=UTC))
    sharing.acknowledge_disclosure(loaded.unit_of_work, PARTNER, first.disclosure_id)
    with loaded.unit_of_work() as uow:
        assert uow.erase_person("P1")
        uow.commit()
    recipients = sharing.recipients_of(loaded.unit_of_work, "P1")
    assert [(r.organisation, r.disclosure_id) for r in recipients] == [
        (YOS, first.disclosure_id), (YOS, second.disclosure_id)]
    assert [r.disclosure_id for r in sharing.recipients_of(loaded.unit_of_work, "P2")] == [
        first.disclosure_id]
    assert sharing.recipients_of(loaded.unit_of_work, "P3") == []
    received = sharing.received_disclosure(loaded.unit_of_work, PARTNER, first.disclosure_id)
    assert [e["surname"] for e in received.people] == ["Brennan"]  # P1's entry went
    with loaded.unit_of_work() as uow:
        assert uow.disclosure(first.disclosure_id).person_ids == ("P1", "P2")
