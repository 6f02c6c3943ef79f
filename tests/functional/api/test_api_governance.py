"""Governance through the web API, on SQLite and PostgreSQL: meetings and their packs
(R-MEETING, R-CONFIDENTIAL, R-ISA), referrals (R-DIVERT), cohort reviews (R-REVIEW),
erasure with notices (R-RETENTION, R-ACCURACY) and subject requests (R-SUBJECT), each
logged (R-LOG) and scoped to the caller's borough (R-ACCESS)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from api_support import AS_OF, CAMDEN, SURNAME, isa_body
from pypdf import PdfReader

from gvm.domain.audit import Operation

WHY = "agreed at the borough meeting after discussion"


def _meeting(api, first: str) -> int:
    r = api["lead"].post("/meetings", json={"borough_code": CAMDEN, "first": first,
                                            "count": 2})
    assert r.status_code == 201, r.text
    assert [m["held_on"] for m in r.json()["meetings"]] == [first, _plus_28(first)]
    return r.json()["meetings"][0]["meeting_id"]


def _plus_28(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=28)).isoformat()


def test_a_meeting_pack_only_for_signed_attendees_of_organisations_allowed(api):
    lead = api["lead"]
    assert lead.post("/register/decisions", json={
        "person_id": "P1", "decision": "include", "as_of": AS_OF,
        "rationale": "two graded sources corroborate"}).status_code in (201, 409)
    api["dpo"].post("/isas", json=isa_body())
    meeting_id = _meeting(api, "2031-03-04")
    attendees = {}
    for key, body in (("lead", {"username": "lead"}), ("analyst", {"username": "analyst"}),
                      ("yos", {"name": "Jo Rep", "organisation": "Camden Youth Offending "
                                                                   "Service"}),
                      ("housing", {"name": "Al Rep", "organisation": "Camden Housing"})):
        r = lead.post(f"/meetings/{meeting_id}/attendees", json=body)
        assert r.status_code == 201, r.text
        attendees[key] = r.json()["attendee_id"]
    for key in ("lead", "yos", "housing"):  # the analyst never signs
        r = lead.post(f"/meetings/{meeting_id}/attendees/{attendees[key]}/signature",
                      json={"read_out_by": "lead"})
        assert r.status_code == 200 and r.json()["signed"]
    again = lead.post(f"/meetings/{meeting_id}/attendees/{attendees['lead']}/signature",
                      json={})
    assert again.status_code == 409
    assert lead.post(f"/meetings/{meeting_id}/attendees/{attendees['analyst']}/signature",
                     json={"version": "1999-1"}).status_code == 422

    def pack(key: str, fmt: str = "html"):
        return api["analyst"].get(f"/meetings/{meeting_id}/attendees/{attendees[key]}/pack",
                                  params={"format": fmt})

    head = api.audit_head()
    unsigned, no_isa = pack("analyst"), pack("housing")
    assert unsigned.status_code == 409 and "R-CONFIDENTIAL" in unsigned.json()["detail"]
    assert no_isa.status_code == 409 and "R-ISA" in no_isa.json()["detail"]
    police = pack("lead")
    assert police.status_code == 200 and police.headers["content-type"].startswith("text/html")
    assert SURNAME in police.text and "Cache-Control" in police.headers
    partner = pack("yos", "pdf")
    assert partner.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(partner.content)).pages)
    assert SURNAME in text  # the ISA gives names
    assert "Victim band" not in text and "In custody" not in text  # not in the ISA
    assert "Victim band" in police.text
    logged = [e.event for e in api.audit_after(head)]
    assert [(e.operation, e.recipient) for e in logged] == [
        (Operation.CONSULTATION, None),
        (Operation.DISCLOSURE, "Camden Youth Offending Service")]
    detail = api["force"].get(f"/meetings/{meeting_id}").json()
    assert [a["signed"] for a in detail["attendees"]] == [True, False, True, True]
    assert detail["confidentiality_text"]
    assert api["lead_b"].get(f"/meetings/{meeting_id}").status_code == 404
    assert api["analyst_b"].get(
        f"/meetings/{meeting_id}/attendees/{attendees['lead']}/pack").status_code == 404
    action = lead.post(f"/meetings/{meeting_id}/actions", json={
        "description": "check in with the family", "owner": "lead", "due_on": "2031-03-20",
        "person_id": "P1"})
    assert action.status_code == 201 and action.json()["person_id"] == "P1"


def test_referrals_and_a_review_with_support_flags(api):
    lead = api["lead"]
    lead.post("/register/decisions", json={
        "person_id": "P6", "decision": "include", "as_of": AS_OF,
        "rationale": "two graded sources corroborate"})
    flagged = api["analyst"].get(f"/register/{CAMDEN}/support", params={"as_of": AS_OF})
    assert flagged.status_code == 200
    assert "P6" in [p["person_id"] for p in flagged.json()["people"]]  # harm score zero
    made = api["analyst"].post("/referrals", json={
        "person_id": "P6", "organisation": "Camden Mentoring", "referred_on": AS_OF})
    assert made.status_code == 201, made.text
    assert api["analyst"].post("/referrals", json={
        "person_id": "P2", "organisation": "Camden Mentoring",
        "referred_on": AS_OF}).status_code == 409  # not on the register
    assert api["analyst_b"].post("/referrals", json={
        "person_id": "P6", "organisation": "Camden Mentoring",
        "referred_on": AS_OF}).status_code == 404
    done = api["analyst"].post(f"/referrals/{made.json()['referral_id']}/outcome",
                               json={"outcome": "completed", "outcome_on": AS_OF})
    assert done.json()["outcome"] == "completed"

    review = lead.post("/reviews", json={"borough_code": CAMDEN, "as_of": AS_OF})
    assert review.status_code == 201, review.text
    lines = {line["person_id"]: line for line in review.json()["lines"]}
    assert lines["P6"]["referrals"][0]["outcome"] == "completed"
    assert "refer_for_support" in [p["action"] for p in lines["P6"]["proposals"]]
    review_id = review.json()["review_id"]
    assert lead.post("/reviews", json={"borough_code": CAMDEN}).status_code == 409
    assert lead.post(f"/reviews/{review_id}/closure").status_code == 409  # undecided
    for person_id in lines:
        r = lead.post(f"/reviews/{review_id}/decisions", json={
            "person_id": person_id, "decision": "retain", "rationale": WHY})
        assert r.status_code == 201, r.text
    assert lead.get(f"/reviews/{review_id}").json()["undecided"] == []
    assert lead.post(f"/reviews/{review_id}/closure").status_code == 200
    assert api["lead_b"].get(f"/reviews/{review_id}").status_code == 404


def test_erasure_notifies_recipients_and_the_subject_report_lists_them(api):
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa_id, "person_ids": ["P5"], "fields": ["names", "harm_band"],
        "as_of": AS_OF, "justification": "multi-agency panel"})
    assert made.status_code == 201, made.text
    did = made.json()["disclosure_id"]
    api["partner"].post(f"/disclosures/{did}/acknowledgement")
    pdf = api["partner"].get(f"/disclosures/{did}/export", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"GVM-D{did:06d}" in text and "Pemberton" in text
    request = api["dpo"].post("/removal-requests", json={"person_id": "P5"})
    assert request.status_code == 201 and request.json()["overdue"] is False
    report = api["dpo"].post("/subjects/P5/report", json={}).json()
    assert report["held"] and [d["recipient"] for d in report["disclosures"]] == [
        "Camden Youth Offending Service"]
    assert api["analyst"].post("/subjects/P5/report", json={}).status_code == 403

    erased = api["lead"].post("/people/P5/erasure", json={"rationale": WHY})
    assert erased.status_code == 200, erased.text
    [notice] = erased.json()["notices"]
    assert notice["disclosure_ids"] == [made.json()["disclosure_id"]]
    assert "Pemberton" not in notice["text"]
    assert api["lead"].post("/people/P5/erasure",
                            json={"rationale": WHY}).status_code == 404
    after = api["dpo"].post("/subjects/P5/report", json={}).json()
    assert not after["held"] and after["erased"] and len(after["disclosures"]) == 1
    answered = api["dpo"].post(f"/removal-requests/{request.json()['request_id']}/answer",
                               json={"outcome": "removed", "rationale": "erased in full"})
    assert answered.status_code == 200 and answered.json()["outcome"] == "removed"
    assert api["force"].post("/people/search", json={"name": "Pemberton"}
                             ).json()["count"] == 0
