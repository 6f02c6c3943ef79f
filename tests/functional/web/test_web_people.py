"""The register's pages over HTTP on both backends: the borough dashboard, search, the
justified profile, recording intelligence and a register decision. What each shows,
what it logs (R-LOG) and what it must not show (another borough's people, R-ACCESS;
anything before the justification)."""

from __future__ import annotations

import re

from api_support import AS_OF, CAMDEN, HACKNEY, SURNAME

from gvm.domain.audit import Operation

GOOD_INTEL = {"date": "2024-05-01", "category": "weapon_access", "source_id": "S9",
              "source_type": "police", "source_grade": "1", "intel_grade": "B",
              "handling_code": "P", "summary": "seen with a blade",
              "justification": "patrol report"}


def _events(api, head: int) -> list:
    return [e.event for e in api.audit_after(head)]


def _on_register(api, person_id: str) -> None:
    made = api["lead"].post("/register/decisions", json={
        "person_id": person_id, "decision": "include", "as_of": AS_OF,
        "rationale": "two graded sources corroborate"})
    assert made.status_code in (201, 409), made.text


def test_dashboard_counts_the_borough_register_and_logs_the_look(api, pages):
    for person in ("P1", "P6"):
        _on_register(api, person)
    head = api.audit_head()
    board = pages["lead"].get(f"/dashboard?as_of={AS_OF}")
    assert board.status_code == 200
    assert "Borough dashboard: Camden" in board.text
    assert re.search(r'<p class="big">[1-9]\d*</p>\s*<p>people</p>', board.text)
    assert "Register by band" in board.text and "Flagged for diversion" in board.text
    assert "Marchbanks" not in board.text  # Hackney's
    [entry] = [e for e in _events(api, head) if e.justification == "borough dashboard"]
    assert entry.operation is Operation.CONSULTATION and "P1" in entry.record_ids


def test_force_analysts_choose_a_borough_and_borough_users_cannot(pages):
    picker = pages["force"].get("/dashboard")
    assert picker.status_code == 200 and '<select id="borough"' in picker.text
    hackney = pages["force"].get(f"/dashboard?borough={HACKNEY}&as_of={AS_OF}")
    assert "Borough dashboard: Hackney" in hackney.text
    own = pages["analyst"].get(f"/dashboard?borough={HACKNEY}&as_of={AS_OF}")
    assert "Borough dashboard: Camden" in own.text  # a borough user sees only theirs


def test_search_is_a_post_scoped_to_the_borough_and_logged(api, pages):
    head = api.audit_head()
    for criteria in ({"name": "zanzib"}, {"alias": "Zanzi"}, {"date_of_birth": "2004-03-01"},
                     {"person_id": "P1"}):
        found = pages["analyst"].post("/people/search", criteria)
        assert found.status_code == 200 and 'href="/people/P1"' in found.text, criteria
    hidden = pages["analyst"].post("/people/search", {"name": "Marchbanks"})
    # P3 as a link or a cell, not as two characters anywhere: the page's random CSRF
    # token may hold "P3" by chance
    assert "0 people found" in hidden.text
    assert 'href="/people/P3"' not in hidden.text and ">P3<" not in hidden.text
    assert 'href="/people/P3"' in pages["force"].post("/people/search",
                                                      {"name": "Marchbanks"}).text
    logged = [e for e in _events(api, head) if e.detail.get("view") == "search"]
    assert len(logged) == 6 and all("name" not in str(e.detail.get("borough")) for e in logged)


def test_search_refusals_sit_next_to_the_field(pages):
    empty = pages["analyst"].post("/people/search", {})
    assert empty.status_code == 422 and "give a name, alias" in empty.text
    bad = pages["analyst"].post("/people/search", {"date_of_birth": "1st May"})
    assert bad.status_code == 422
    assert 'id="date_of_birth-error">enter a date as YYYY-MM-DD' in bad.text
    partial = pages["analyst"].post("/people/search", {"name": "zanzib"},
                                    headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<section id="results"')  # the partial only


def test_the_profile_shows_nothing_before_the_justification(api, pages):
    head = api.audit_head()
    asked = pages["analyst"].get("/people/P1")
    assert asked.status_code == 200 and "Why are you opening this record?" in asked.text
    assert SURNAME not in asked.text and "2004-03-01" not in asked.text
    refused = pages["analyst"].post("/people/P1", {"reason": "other", "other_reason": " "})
    assert refused.status_code == 422 and "a justification is required" in refused.text
    assert SURNAME not in refused.text
    assert _events(api, head) == []  # nothing shown, nothing logged


def test_the_profile_after_the_justification(api, pages):
    head = api.audit_head()
    shown = pages["analyst"].post("/people/P1", {"reason": "Safeguarding concern",
                                                 "as_of": AS_OF})
    assert shown.status_code == 200
    text = shown.text
    assert SURNAME in text and "Zanzi" in text  # name and alias
    for part in ("Harm (as offender)", "Risk (as victim)", "<svg class=\"timeline\"",
                 "What counts towards the harm score", "Facts: custody", "2020-01-01",
                 "Assessments: intelligence", "<strong>1AP</strong>", "Disclosure history",
                 '<span class="label">suspect</span>', "Record intelligence"):
        assert part in text, part
    assert "Register decision" not in text  # an analyst does not decide (R-HUMAN)
    [entry] = _events(api, head)
    assert entry.justification == "Safeguarding concern" and entry.record_ids == ("P1",)
    typed = pages["lead"].post("/people/P1", {"reason": "other", "as_of": AS_OF,
                                              "other_reason": "checking a partner's query"})
    assert "Register decision" in typed.text
    assert _events(api, head)[-1].justification == "checking a partner's query"


def test_another_boroughs_person_is_not_found_like_no_one(pages):
    other = pages["analyst"].post("/people/P3", {"reason": "Safeguarding concern"})
    nobody = pages["analyst"].post("/people/NOPE", {"reason": "Safeguarding concern"})
    assert other.status_code == nobody.status_code == 404
    assert other.text == nobody.text
    assert pages["analyst"].post("/people/P3/intelligence", GOOD_INTEL).status_code == 404


def test_intelligence_problems_are_shown_next_to_their_fields(api, pages):
    head = api.audit_head()
    bad = pages["analyst"].post("/people/P5/intelligence", {
        **GOOD_INTEL, "source_grade": "7", "intel_grade": "", "justification": ""})
    assert bad.status_code == 422
    for field in ("source_grade", "intel_grade", "justification"):
        assert f'id="{field}-error"' in bad.text, field
    assert 'value="seen with a blade"' not in bad.text  # a textarea keeps it as text
    assert ">seen with a blade</textarea>" in bad.text  # kept for correction
    future = pages["analyst"].post("/people/P5/intelligence", {**GOOD_INTEL,
                                                               "date": "2999-01-01"})
    assert 'id="date-error">intelligence cannot be dated in the future' in future.text
    assert _events(api, head) == []
    good = pages["analyst"].post("/people/P5/intelligence", GOOD_INTEL)
    assert good.status_code == 200 and "graded <strong>1BP</strong>" in good.text
    [entry] = _events(api, head)
    assert entry.operation is Operation.COLLECTION and entry.record_ids == ("P5",)


def test_a_lead_decides_with_a_rationale(api, pages):
    short = pages["lead"].post("/people/P4/decisions", {"decision": "remove",
                                                        "rationale": "no"})
    assert short.status_code == 422 and "rationale" in short.text
    refused = pages["lead"].post("/people/P2/decisions", {
        "decision": "include", "as_of": AS_OF, "rationale": "two graded sources corroborate"})
    assert refused.status_code == 409 and "not eligible" in refused.text
    assert pages["analyst"].post("/people/P4/decisions", {
        "decision": "include", "rationale": "two graded sources"}).status_code == 403
    assert CAMDEN  # the lead's borough: P2 and P4 are Camden's
