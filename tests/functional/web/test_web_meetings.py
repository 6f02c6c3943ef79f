"""The meeting pages over HTTP on both backends (R-MEETING, R-CONFIDENTIAL, R-ISA, R-LOG,
R-ACCESS): the gang lead schedules meetings four weeks apart, adds a user and partner
representatives, records signatures of the agreement shown on the page and actions; the
pack opens as a page and a PDF for a signed police attendee and a signed partner whose
organisation has an ISA in force, and is refused, with the service's reason, to one who
has not signed or whose organisation has none; another borough's meeting is not found."""

from __future__ import annotations

import io
import re

import pytest
from api_support import CAMDEN, isa_body
from pypdf import PdfReader

from gvm.domain.meetings import CONFIDENTIALITY_TEXT, CONFIDENTIALITY_VERSION

YOS, HOUSING = "Camden Youth Offending Service", "Camden Housing"


def attendee_id(page_text: str, name: str) -> int:
    found = re.search(rf'/attendees/(\d+)/pack">Pack of {re.escape(name)}<', page_text)
    assert found is not None, name
    return int(found.group(1))


def schedule(pages, first: str = "2024-07-02", count: int = 1) -> list[int]:
    """Schedule through the form; the ids of the borough's meetings, earliest first."""
    done = pages["lead"].post("/meetings", {"borough_code": CAMDEN, "first": first,
                                            "count": str(count)})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/meetings?borough={CAMDEN}"
    listing = pages["lead"].get(done.headers["location"])
    return [int(i) for i in re.findall(r'href="/meetings/(\d+)"', listing.text)]


@pytest.fixture(scope="module")
def meeting(pages) -> int:
    """A Camden meeting with the analyst (signed), a YOS representative (signed, ISA in
    force), a housing representative (signed, no ISA) and a YOS one who has not signed."""
    meeting_id = schedule(pages)[0]
    lead = pages["lead"]
    for form in ({"username": "analyst"}, {"name": "Jo Bloggs", "organisation": YOS},
                 {"name": "Sam Field", "organisation": HOUSING},
                 {"name": "Kim Unsigned", "organisation": YOS}):
        added = lead.post(f"/meetings/{meeting_id}/attendees", form)
        assert added.status_code == 303, added.text
    assert pages.api["dpo"].post("/isas", json=isa_body()).status_code == 201
    text = lead.get(f"/meetings/{meeting_id}").text
    for name in ("analyst", "Jo Bloggs", "Sam Field"):
        signed = lead.post(f"/meetings/{meeting_id}/attendees/{attendee_id(text, name)}"
                           "/signature", {"version": CONFIDENTIALITY_VERSION,
                                          "read_out_by": "lead", "signed": "yes"})
        assert signed.status_code == 303, signed.text
    return meeting_id


def test_the_lead_schedules_four_weekly_meetings(pages):
    form = pages["lead"].get("/meetings")
    assert form.status_code == 200 and 'action="/meetings"' in form.text
    ids = schedule(pages, "2025-01-07", 3)
    listing = pages["lead"].get(f"/meetings?borough={CAMDEN}").text
    for day in ("2025-01-07", "2025-02-04", "2025-03-04"):
        assert day in listing
    assert len(ids) >= 3
    clash = pages["lead"].post("/meetings", {"borough_code": CAMDEN, "first": "2025-02-04"})
    assert clash.status_code == 409 and "already meets on 2025-02-04" in clash.text
    bad = pages["lead"].post("/meetings", {"borough_code": CAMDEN, "first": "soon"})
    assert bad.status_code == 422 and "first" in bad.text


def test_analysts_read_meetings_but_only_the_lead_has_the_forms(pages, meeting):
    lead = pages["lead"].get(f"/meetings/{meeting}").text
    assert f'action="/meetings/{meeting}/actions"' in lead
    analyst = pages["analyst"].get(f"/meetings/{meeting}")
    assert analyst.status_code == 200 and "Jo Bloggs" in analyst.text
    assert "/actions" not in analyst.text and "/signature" not in analyst.text
    refused = pages["analyst"].post(f"/meetings/{meeting}/actions", {
        "description": "x", "owner": "y", "due_on": "2024-08-01"})
    assert refused.status_code == 403


def test_the_meeting_page_shows_the_agreement_and_each_signature(pages, meeting):
    text = pages["lead"].get(f"/meetings/{meeting}").text
    assert CONFIDENTIALITY_TEXT[:60] in text and CONFIDENTIALITY_VERSION in text
    assert text.count("read out by lead") == 3
    assert f"/attendees/{attendee_id(text, 'Kim Unsigned')}/signature" in text
    again = pages["lead"].post(f"/meetings/{meeting}/attendees/"
                               f"{attendee_id(text, 'Jo Bloggs')}/signature",
                               {"version": CONFIDENTIALITY_VERSION, "signed": "yes"})
    assert again.status_code == 409 and "already signed" in again.text
    unticked = pages["lead"].post(f"/meetings/{meeting}/attendees/"
                                  f"{attendee_id(text, 'Kim Unsigned')}/signature",
                                  {"version": CONFIDENTIALITY_VERSION})
    assert unticked.status_code == 422 and "signed" in unticked.text
    old = pages["lead"].post(f"/meetings/{meeting}/attendees/"
                             f"{attendee_id(text, 'Kim Unsigned')}/signature",
                             {"version": "2020-1", "signed": "yes"})
    assert old.status_code == 422 and "version" in old.text
    assert "Kim Unsigned" in pages["lead"].get(f"/meetings/{meeting}").text


def test_attendees_need_a_user_or_a_named_representative(pages, meeting):
    lead = pages["lead"]
    neither = lead.post(f"/meetings/{meeting}/attendees", {})
    assert neither.status_code == 422 and "username" in neither.text
    nobody = lead.post(f"/meetings/{meeting}/attendees", {"username": "no-such-user"})
    assert nobody.status_code == 422 and "no such active user" in nobody.text
    twice = lead.post(f"/meetings/{meeting}/attendees", {"username": "analyst"})
    assert twice.status_code == 409


def test_actions_with_owners_and_due_dates(pages, meeting):
    lead = pages["lead"]
    done = lead.post(f"/meetings/{meeting}/actions", {
        "description": "Offer a youth worker meeting", "owner": "Jo Bloggs",
        "due_on": "2024-07-30", "person_id": "P1"})
    assert done.status_code == 303
    text = lead.get(f"/meetings/{meeting}").text
    assert "Offer a youth worker meeting" in text and "2024-07-30" in text
    early = lead.post(f"/meetings/{meeting}/actions", {
        "description": "too early", "owner": "x", "due_on": "2024-07-01"})
    assert early.status_code == 422 and "due on" in early.text
    elsewhere = lead.post(f"/meetings/{meeting}/actions", {
        "description": "about a Hackney person", "owner": "x", "due_on": "2024-08-01",
        "person_id": "P3"})
    assert elsewhere.status_code == 404


def test_a_signed_police_attendee_gets_the_pack_as_a_page_and_a_pdf(pages, meeting):
    text = pages["analyst"].get(f"/meetings/{meeting}").text
    who = attendee_id(text, "analyst")
    before = pages.api.audit_head()
    shown = pages["analyst"].get(f"/meetings/{meeting}/attendees/{who}/pack")
    assert shown.status_code == 200
    assert "gangs meeting, 2024-07-02" in shown.text and "Pack for</dt><dd>analyst" in shown.text
    logged = pages.api.audit_after(before)
    assert [e.event.operation.value for e in logged] == ["consultation"]
    assert logged[0].event.detail["view"] == "meeting pack" and logged[0].event.actor == "analyst"
    pdf = pages["analyst"].get(f"/meetings/{meeting}/attendees/{who}/pack.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="meeting-{meeting}-pack-{who}.pdf"')
    assert pdf.headers["cache-control"] == "no-store"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "gangs meeting, 2024-07-02" in words


def test_a_partner_with_an_isa_in_force_gets_a_pack_cut_to_it(pages, meeting):
    text = pages["lead"].get(f"/meetings/{meeting}").text
    before = pages.api.audit_head()
    shown = pages["lead"].get(f"/meetings/{meeting}/attendees/"
                              f"{attendee_id(text, 'Jo Bloggs')}/pack")
    assert shown.status_code == 200 and "Fields under the ISA" in shown.text
    assert [e.event.operation.value for e in pages.api.audit_after(before)] == ["disclosure"]


@pytest.mark.parametrize(("name", "reason"), [
    ("Kim Unsigned", "has not signed"),
    ("Sam Field", "no ISA in force for this borough"),
])
def test_the_pack_is_refused_with_the_reason(pages, meeting, name, reason):
    text = pages["lead"].get(f"/meetings/{meeting}").text
    who = attendee_id(text, name)
    before = pages.api.audit_head()
    for suffix in ("pack", "pack.pdf"):
        refused = pages["lead"].get(f"/meetings/{meeting}/attendees/{who}/{suffix}")
        assert refused.status_code == 409 and reason in refused.text
        assert refused.headers["content-type"].startswith("text/html")
    assert pages.api.audit_after(before) == []  # nothing produced, nothing disclosed


def test_another_borough_s_meeting_is_not_found(pages, meeting):
    text = pages["lead"].get(f"/meetings/{meeting}").text
    who = attendee_id(text, "analyst")
    for path in (f"/meetings/{meeting}", f"/meetings/{meeting}/attendees/{who}/pack",
                 f"/meetings/{meeting}/attendees/{who}/pack.pdf", f"/meetings?borough={CAMDEN}",
                 "/meetings/999999"):
        found = pages["analyst_b"].get(path)
        assert found.status_code == 404, path
        assert "no such record in your scope" in found.text
    assert "Jo Bloggs" not in pages["analyst_b"].get("/meetings").text


def test_force_wide_analysts_pick_a_borough(pages, meeting):
    picker = pages["force"].get("/meetings")
    assert picker.status_code == 200 and f'<option value="{CAMDEN}">Camden</option>' in picker.text
    listing = pages["force"].get(f"/meetings?borough={CAMDEN}")
    assert listing.status_code == 200 and f'href="/meetings/{meeting}"' in listing.text
    assert 'action="/meetings"' not in listing.text  # reading only
    assert pages["force"].get("/meetings?borough=nowhere").status_code == 404
