"""Four-weekly borough meetings on both backends (R-MEETING, R-CONFIDENTIAL, R-ISA,
R-SELECTED, R-LOG, R-ACCESS): the schedule, attendees and their signed agreements, the
pack only for those who signed and whose organisation has an ISA in force (police of the
borough need none), a partner's pack cut to its ISA's fields and logged as a disclosure,
actions carried to the next meeting, and the pack as HTML and PDF."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.domain.meetings import CONFIDENTIALITY_VERSION, MeetingError
from gvm.domain.model import (
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    SourceGrade,
    SourceType,
)
from gvm.reference import default_policy, offence_catalogue
from gvm.reports.meeting_pack import render_html, render_pdf
from gvm.services import meeting_packs, meetings, retention, sharing
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.register import decide_inclusion, decide_removal

CAMDEN, HACKNEY = "E09000007", "E09000012"
AS_OF = date(2024, 6, 30)
WHY = "corroborated by police and partner intelligence; agreed at the borough meeting"
YOS, HOUSING = "Camden Youth Offending Service", "Camden Housing"
LEAD = Actor(1, "lead.camden", Role.GANG_LEAD, borough_code=CAMDEN)
HACKNEY_LEAD = Actor(2, "lead.hackney", Role.GANG_LEAD, borough_code=HACKNEY)
ANALYST = Actor(3, "analyst.camden", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
DPO = Actor(4, "dora", Role.DPO)
FIRST = date(2024, 7, 2)
NOW = datetime(2024, 7, 2, 10, tzinfo=UTC)


def _membership(intel_id: str, source: str) -> Intelligence:
    return Intelligence(intel_id, date(2024, 5, 1), "P2", "G1", IntelCategory.GANG_MEMBERSHIP,
                        source, SourceType.POLICE, SourceGrade.RELIABLE, IntelGrade.B,
                        HandlingCode.P, "seen with group")


@pytest.fixture
def uow(database, bundle, sha):
    # P2 corroborated by two sources too, so a lead can put them on between meetings
    bundle = replace(bundle, intelligence=(*bundle.intelligence, _membership("I8", "S8"),
                                           _membership("I9", "S9")))
    with database.unit_of_work() as u:
        u.save_bundle(bundle, source_name="b.csv", sha256=sha)
        for name, role, borough in (("lead.camden", Role.GANG_LEAD, CAMDEN),
                                    ("analyst.camden", Role.BOROUGH_ANALYST, CAMDEN),
                                    ("analyst.hackney", Role.BOROUGH_ANALYST, HACKNEY)):
            u.add_user(username=name, password_hash="-", role=role, borough_code=borough,
                       organisation=None, totp_secret="", now=NOW)
        u.commit()
    decide_inclusion(database.unit_of_work, "P1", actor=LEAD, rationale=WHY, as_of=AS_OF,
                     policy=default_policy(), catalogue=offence_catalogue(),
                     now=datetime(2024, 7, 1, tzinfo=UTC))
    return database.unit_of_work


def _isa(uow, fields=("person_id", "harm_band", "score_explanation"), end=date(2024, 12, 31)):
    return sharing.register_isa(
        uow, DPO, organisation=YOS, organisation_type="youth_offending_service",
        purpose="safeguarding young people at risk of serious violence", boroughs=[CAMDEN],
        permitted_fields=list(fields), handling_conditions="named caseworkers only",
        start_date=date(2024, 1, 1), end_date=end)


def _pack(uow, meeting_id, attendee_id, now=NOW):
    return meeting_packs.produce_pack(uow, LEAD, meeting_id, attendee_id,
                                      policy=default_policy(), catalogue=offence_catalogue(),
                                      now=now)


def test_meetings_are_scheduled_every_four_weeks_by_the_borough_lead(uow):
    made = meetings.schedule_meetings(uow, LEAD, CAMDEN, FIRST, 3, now=NOW)
    assert [m.held_on for m in made] == [date(2024, 7, 2), date(2024, 7, 30),
                                         date(2024, 8, 27)]
    assert [m.held_on for m in meetings.list_meetings(uow, ANALYST, CAMDEN)] == [
        m.held_on for m in made]
    with pytest.raises(MeetingError, match="already meets"):
        meetings.schedule_meetings(uow, LEAD, CAMDEN, date(2024, 8, 27))
    with pytest.raises(NotFound):  # another borough's lead: as if it did not exist
        meetings.schedule_meetings(uow, HACKNEY_LEAD, CAMDEN, date(2024, 9, 24))
    with pytest.raises(NotFound):
        meetings.get_meeting(uow, HACKNEY_LEAD, made[0].meeting_id)
    with pytest.raises(Forbidden):  # analysts read meetings, leads manage them
        meetings.schedule_meetings(uow, ANALYST, CAMDEN, date(2024, 9, 24))
    with pytest.raises(MeetingError, match="count"):
        meetings.schedule_meetings(uow, LEAD, CAMDEN, date(2025, 1, 1), 14)


def test_no_pack_without_a_signature_or_an_isa_in_force(database, uow):
    """R-CONFIDENTIAL, R-ISA: the unsigned attendee, the partner without an ISA and the
    police user of another borough get no pack; the signed ones do."""
    _isa(uow)
    [m] = meetings.schedule_meetings(uow, LEAD, CAMDEN, FIRST, now=NOW)
    lead = meetings.add_attendee(uow, LEAD, m.meeting_id, username="lead.camden")
    unsigned = meetings.add_attendee(uow, LEAD, m.meeting_id, username="analyst.camden")
    other = meetings.add_attendee(uow, LEAD, m.meeting_id, username="analyst.hackney")
    yos = meetings.add_attendee(uow, LEAD, m.meeting_id, name="Jo Rep", organisation=YOS)
    housing = meetings.add_attendee(uow, LEAD, m.meeting_id, name="Al Rep",
                                    organisation=HOUSING)
    with pytest.raises(MeetingError, match="already an attendee"):
        meetings.add_attendee(uow, LEAD, m.meeting_id, username="lead.camden")
    with pytest.raises(InvalidInput, match="username"):
        meetings.add_attendee(uow, LEAD, m.meeting_id, username="nobody")
    for a in (lead, other, yos, housing):
        signed = meetings.sign_agreement(uow, LEAD, m.meeting_id, a.attendee_id,
                                         read_out_by="lead.camden", now=NOW)
        assert signed.agreement_version == CONFIDENTIALITY_VERSION
    with pytest.raises(MeetingError, match="already signed"):
        meetings.sign_agreement(uow, LEAD, m.meeting_id, lead.attendee_id)
    detail = meetings.get_meeting(uow, ANALYST, m.meeting_id)
    assert [(a.name, a.signed) for a in detail.attendees] == [
        ("lead.camden", True), ("analyst.camden", False), ("analyst.hackney", True),
        ("Jo Rep", True), ("Al Rep", True)]
    assert detail.attendees[0].read_out_by == "lead.camden"

    with database.unit_of_work() as u:
        head = u.audit_search()[-1].seq
    with pytest.raises(meeting_packs.PackRefused, match="not signed"):
        _pack(uow, m.meeting_id, unsigned.attendee_id)
    with pytest.raises(meeting_packs.PackRefused, match="no ISA in force"):
        _pack(uow, m.meeting_id, housing.attendee_id)
    with pytest.raises(meeting_packs.PackRefused, match="not police of this borough"):
        _pack(uow, m.meeting_id, other.attendee_id)
    with database.unit_of_work() as u:
        assert u.audit_search(after_seq=head) == []  # nothing read, nothing logged

    police = _pack(uow, m.meeting_id, lead.attendee_id)
    assert [p["person_id"] for p in police.people] == ["P1"]
    assert police.people[0]["name"] == "Ashdown, Kit" and police.fields is None
    assert {"harm_score", "victim_band", "explanation", "in_custody"} <= set(police.people[0])
    partner = _pack(uow, m.meeting_id, yos.attendee_id)
    assert set(partner.people[0]) == {"person_id", "harm_band", "explanation", "child",
                                      "support_flag", "referrals"}  # R-SELECTED
    with database.unit_of_work() as u:
        logged = [e.event for e in u.audit_search(after_seq=head)]
    assert [(e.operation, e.recipient) for e in logged] == [
        (Operation.CONSULTATION, None), (Operation.DISCLOSURE, YOS)]
    assert all(e.record_ids == ("P1",) for e in logged)
    # stored as a disclosure, so an erasure notifies the organisation (R-ACCURACY)
    assert [r.organisation for r in sharing.recipients_of(uow, "P1")] == [YOS]


def test_an_expired_isa_gives_no_pack(uow):
    _isa(uow, end=date(2024, 6, 30))
    [m] = meetings.schedule_meetings(uow, LEAD, CAMDEN, FIRST, now=NOW)
    yos = meetings.add_attendee(uow, LEAD, m.meeting_id, name="Jo Rep", organisation=YOS)
    meetings.sign_agreement(uow, LEAD, m.meeting_id, yos.attendee_id, now=NOW)
    with pytest.raises(meeting_packs.PackRefused, match="R-ISA"):
        _pack(uow, m.meeting_id, yos.attendee_id)


def test_actions_and_cohort_changes_reach_the_next_pack(database, uow):
    first, second = meetings.schedule_meetings(uow, LEAD, CAMDEN, FIRST, 2, now=NOW)
    meetings.record_action(uow, LEAD, first.meeting_id, description="Refer <P1> to mentoring",
                           owner="lead.camden", due_on=date(2024, 7, 20), person_id="P1",
                           now=NOW)
    with pytest.raises(NotFound):  # a Hackney person at a Camden meeting
        meetings.record_action(uow, LEAD, first.meeting_id, description="x", owner="y",
                               due_on=date(2024, 7, 20), person_id="P3")
    with pytest.raises(InvalidInput, match="due_on"):
        meetings.record_action(uow, LEAD, first.meeting_id, description="x", owner="y",
                               due_on=date(2024, 7, 1))
    decide_inclusion(uow, "P2", actor=LEAD, rationale=WHY, as_of=AS_OF,
                     policy=default_policy(), catalogue=offence_catalogue(),
                     now=datetime(2024, 7, 10, tzinfo=UTC))
    lead = meetings.add_attendee(uow, LEAD, second.meeting_id, username="lead.camden")
    meetings.sign_agreement(uow, LEAD, second.meeting_id, lead.attendee_id, now=NOW)
    pack = _pack(uow, second.meeting_id, lead.attendee_id,
                 now=datetime(2024, 7, 30, 9, tzinfo=UTC))
    assert [(a.description, a.person_id) for a in pack.actions] == [
        ("Refer <P1> to mentoring", "P1")]
    assert pack.changes == ({"person_id": "P2", "decision": "include",
                             "decided_on": "2024-07-10"},)  # P1 went on before the first
    assert [p["person_id"] for p in pack.people] == ["P1", "P2"]
    html = render_html(pack)
    assert "Refer &lt;P1&gt; to mentoring" in html and "<P1>" not in html  # autoescaped
    assert "Ashdown, Kit" in html and "no action may be instigated solely" in html
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(pack))).pages)
    assert "Ashdown, Kit" in text and "Refer <P1> to mentoring" in text
    assert "Camden gangs meeting, 2024-07-30" in text

    decide_removal(uow, "P1", actor=LEAD, rationale=WHY, as_of=AS_OF,
                   policy=default_policy(), catalogue=offence_catalogue(),
                   now=datetime(2024, 7, 31, tzinfo=UTC))
    retention.erase_person(uow, LEAD, "P1", rationale="removed; nothing justifies keeping it")
    assert meetings.get_meeting(uow, LEAD, first.meeting_id).actions == ()  # went with P1


def test_a_partner_pack_in_any_format_holds_only_the_isa_fields(uow):
    """R-SELECTED: the ISA gives no names, so neither the HTML nor the PDF has one."""
    _isa(uow)
    [m] = meetings.schedule_meetings(uow, LEAD, CAMDEN, FIRST, now=NOW)
    yos = meetings.add_attendee(uow, LEAD, m.meeting_id, name="Jo Rep", organisation=YOS)
    meetings.sign_agreement(uow, LEAD, m.meeting_id, yos.attendee_id, now=NOW)
    pack = _pack(uow, m.meeting_id, yos.attendee_id)
    assert pack.fields == ("harm_band", "person_id", "score_explanation")
    html = render_html(pack)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(pack))).pages)
    for shown in (html, text):
        assert "P1" in shown and "Ashdown" not in shown and "Kit" not in shown
        assert "2001-03-04" not in shown
