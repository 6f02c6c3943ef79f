"""The cohort review, sharing and the audit log over HTTP on both backends: one
decision per person with a rationale and the review's close (R-REVIEW, R-HUMAN); the
disclosure preview showing exactly what would go, then the disclosure as a download
(R-ISA, R-SELECTED, R-LOG); the partner's acknowledgement before the sheet (R-NOT-SOLE);
the DPO's filtered log with its chain status (R-LOG)."""

from __future__ import annotations

from api_support import AS_OF, SURNAME, isa_body

from gvm.domain.audit import Operation


def _events(api, head: int) -> list:
    return [e.event for e in api.audit_after(head)]


def test_a_review_one_decision_per_person_then_closed(api, pages):
    lead = pages["lead"]  # the module's only review of Camden
    assert api["lead"].post("/register/decisions", json={
        "person_id": "P6", "decision": "include", "as_of": AS_OF,
        "rationale": "two graded sources corroborate"}).status_code in (201, 409)
    start = lead.get("/reviews")
    assert start.status_code == 200 and "Open the review" in start.text
    opened = lead.post("/reviews", {"as_of": AS_OF})
    assert opened.status_code == 303
    path = opened.headers["location"]
    shown = lead.get(path)
    assert 'id="line-P6"' in shown.text and "0 of 1 decided" in shown.text
    short = lead.post(path + "/decisions", {"person_id": "P6", "decision": "retain",
                                            "rationale": "ok"},
                      headers={"HX-Request": "true"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert short.text.lstrip().startswith('<section class="review-line"')  # the partial
    refused = lead.post(path + "/close")
    assert refused.status_code == 409 and "no decision yet" in refused.text
    head = api.audit_head()
    done = lead.post(path + "/decisions", {"person_id": "P6", "decision": "retain",
                                           "rationale": "still corroborated by police"},
                     headers={"HX-Request": "true"})
    assert done.status_code == 200 and "Decided: retain" in done.text
    assert "data-focus-next" in done.text  # the script moves focus to the next person
    assert any(e.operation is Operation.ALTERATION and e.record_ids == ("P6",)
               for e in _events(api, head))
    assert lead.post(path + "/close").status_code == 303
    assert "closed" in lead.get(path).text


def test_a_review_of_another_borough_is_not_found(api, pages):
    other = pages["lead"].get("/reviews/999")
    assert other.status_code == 404


def test_the_preview_shows_what_would_go_and_sends_nothing(api, pages):
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    detail = pages["analyst"].get(f"/sharing/isas/{isa_id}")
    assert "Camden Youth Offending Service" in detail.text and "Prepare a disclosure" in detail.text
    head = api.audit_head()
    form = {"people": "P1\nP4", "fields": ["names", "harm_band", "date_of_birth"],
            "as_of": AS_OF, "justification": "referral panel"}
    preview = pages["analyst"].post(f"/sharing/isas/{isa_id}/preview", form)
    assert preview.status_code == 200 and "Nothing has been sent" in preview.text
    assert SURNAME in preview.text and "Withheld" in preview.text
    assert "2004-03-01" not in preview.text  # date of birth is not permitted
    [seen] = _events(api, head)
    assert seen.operation is Operation.CONSULTATION and set(seen.record_ids) == {"P1", "P4"}
    made = pages["analyst"].post(f"/sharing/isas/{isa_id}/disclosures", form)
    assert made.status_code == 200
    assert made.headers["content-disposition"].startswith('attachment; filename="disclosure-')
    assert SURNAME in made.text and "2004-03-01" not in made.text
    sent = _events(api, head)[-1]
    assert sent.operation is Operation.DISCLOSURE
    assert sent.recipient == "Camden Youth Offending Service"
    outside = pages["analyst"].post(f"/sharing/isas/{isa_id}/preview", {
        **form, "people": "P3"})
    assert outside.status_code == 404  # Hackney's person: not in the analyst's scope
    assert pages["partner"].get(f"/sharing/isas/{isa_id}").status_code == 403


def test_a_partner_acknowledges_before_downloading(api, pages):
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa_id, "person_ids": ["P1"], "fields": ["names"], "as_of": AS_OF,
        "justification": "panel"}).json()["disclosure_id"]
    partner = pages["partner"]
    listed = partner.get("/sharing/received")
    assert f"#{made}" in listed.text and SURNAME not in listed.text  # ids only
    early = partner.get(f"/sharing/received/{made}/export")
    assert early.status_code == 409 and "acknowledge" in early.text
    assert partner.post(f"/sharing/received/{made}/acknowledgement").status_code == 303
    sheet = partner.get(f"/sharing/received/{made}/export")
    assert sheet.status_code == 200 and SURNAME in sheet.text
    assert sheet.text.lstrip("\ufeff").startswith("Condition,")


def test_the_audit_log_browser_filters_and_verifies(api, pages):
    dpo = pages["dpo"]
    start = dpo.get("/oversight/audit")
    assert 'id="chain-status"' in start.text and "Hash chain verified" in start.text
    head = api.audit_head()
    found = dpo.post("/oversight/audit", {"person_id": "P1", "operation": "consultation"})
    assert found.status_code == 200 and "entries" in found.text
    [logged] = _events(api, head)
    assert logged.record_type == "audit_log" and logged.record_ids == ("P1",)
    bad = dpo.post("/oversight/audit", {"since": "yesterday"})
    assert bad.status_code == 422 and 'id="since-error"' in bad.text
    backwards = dpo.post("/oversight/audit", {"since": "2024-02-01", "until": "2024-01-01"})
    assert backwards.status_code == 422 and "must not be before" in backwards.text
    assert pages["admin"].get("/oversight/audit").status_code == 403
    assert pages["analyst_b"].post("/oversight/audit", {}).status_code == 403
