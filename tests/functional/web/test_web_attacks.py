"""Attacks on the pages over HTTP, on both backends (R-ACCESS, R-LOG, R-CONFIDENTIAL):

- stored and reflected XSS: script and markup payloads typed into every text field the
  pages render (meeting actions and owners, attendees' names and organisations, who read
  the agreement out, an ISA's organisation, decision rationale, intelligence summary) and
  sent in every query and path parameter of every page come back escaped, never as
  markup, in every page and in the pack's PDF; and every page carries the CSP that
  forbids inline script anyway;
- CSRF: every state-changing page route of the application, enumerated, refuses a
  request without the session's token (or with a wrong one) and changes nothing;
- IDOR: a meeting, an attendee or a pack of another borough, by id, is not found, the
  same answer as for an id that does not exist, and nothing changes.
"""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import quote

import pytest
from api_support import CAMDEN, HACKNEY, USERS, intelligence_body, isa_body
from pages import Pages
from pypdf import PdfReader
from test_web_meetings import attendee_id

from gvm.api.deps import app_routes, declared_permissions, is_public
from gvm.api.middleware import CONTENT_SECURITY_POLICY
from gvm.authz import Actor, has_permission
from gvm.domain.meetings import CONFIDENTIALITY_VERSION

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
            "'><svg onload=alert(1)>")
MARKUP = re.compile(r"<script>alert|<img src=x|<svg onload", re.I)
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# A PDF runs nothing unless it holds script or an action; opening at a page view (an
# /OpenAction destination array, as fpdf2 writes) is no action.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|AA|SubmitForm|ImportData)\b|/OpenAction\s*<<")
# Users in the order tried for a route: the first holding its permission opens it.
CRAWLERS = ("lead", "dpo", "partner", "admin")
SCRIPT, IMG, SVG = PAYLOADS


def page_routes(app: Any, method: str) -> list[tuple[str, Any]]:
    return [(p, r) for m, p, r in app_routes(app)
            if m == method and not p.startswith("/api/") and not p.startswith("/static")]


def crawler(pages, route: Any) -> Pages:
    permission = declared_permissions(route)[0]
    for name in CRAWLERS:
        role, borough, organisation = USERS[name]
        if has_permission(Actor(0, name, role, borough_code=borough,
                                organisation=organisation), permission):
            return pages[name]
    raise AssertionError(f"no user holds {permission}")


@pytest.fixture(scope="module")
def world(pages) -> dict[str, Any]:
    """Camden meetings A then B (B's pack carries A's actions), every text field typed
    with a payload: A's action and owner; in B, the analyst (signed, read out by a
    payload) and a representative named with a payload, of an organisation named with
    one that has an ISA (signed), and one who has not signed. Rationale and intelligence
    summary through the API."""
    api, lead = pages.api, pages["lead"]
    intel = api["analyst"].post("/intelligence", json=intelligence_body(
        person_id="P1", summary=f"{SCRIPT} {IMG}"))
    assert intel.status_code == 201, intel.text
    api["lead"].post("/register/decisions", json={
        "person_id": "P6", "decision": "include", "rationale": f"{SCRIPT} {SVG}",
        "as_of": "2024-06-30"})
    assert api["dpo"].post("/isas", json=isa_body(organisation=IMG)).status_code == 201
    assert lead.post("/meetings", {"borough_code": CAMDEN, "first": "2024-07-02",
                                   "count": "2"}).status_code == 303
    listing = lead.get(f"/meetings?borough={CAMDEN}").text
    a, b = (int(i) for i in re.findall(r'href="/meetings/(\d+)"', listing)[:2])
    assert lead.post(f"/meetings/{a}/actions", {
        "description": f"{SCRIPT} {IMG}", "owner": SVG, "due_on": "2024-07-20",
        "person_id": "P1"}).status_code == 303
    for form in ({"username": "analyst"}, {"name": SCRIPT, "organisation": IMG},
                 {"name": "Kim Unsigned", "organisation": IMG}):
        assert lead.post(f"/meetings/{b}/attendees", form).status_code == 303
    text = lead.get(f"/meetings/{b}").text
    ids = {name: attendee_id(text, name) for name in ("analyst", "Kim Unsigned")}
    ids["rep"] = int(re.findall(r"/attendees/(\d+)/pack\"", text)[1])
    for who in ("analyst", "rep"):
        assert lead.post(f"/meetings/{b}/attendees/{ids[who]}/signature", {
            "version": CONFIDENTIALITY_VERSION, "read_out_by": SVG,
            "signed": "yes"}).status_code == 303
    hackney = pages["lead_b"]
    assert hackney.post("/meetings", {"borough_code": HACKNEY, "first": "2024-07-03"}
                        ).status_code == 303
    h = int(re.findall(r'href="/meetings/(\d+)"',
                       hackney.get(f"/meetings?borough={HACKNEY}").text)[0])
    assert hackney.post(f"/meetings/{h}/attendees", {"username": "analyst_b"}
                        ).status_code == 303
    h_attendee = int(re.findall(r"/attendees/(\d+)/pack\"",
                                hackney.get(f"/meetings/{h}").text)[0])
    return {"a": a, "b": b, "hackney": h, "hackney_attendee": h_attendee, **ids}


def fill(path: str, world: dict[str, Any], **override: str) -> str:
    values = {"meeting_id": world["b"], "attendee_id": world["rep"], "person_id": "P1",
              "borough_code": CAMDEN, **override}
    return re.sub(r"\{(\w+)\}", lambda m: quote(str(values.get(m.group(1), 1)), safe=""),
                  path)


def assert_inert(response: Any, where: str) -> None:
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, where
    if response.headers.get("content-type", "").startswith("application/pdf"):
        assert not PDF_ACTIVE.search(response.content), where
    else:
        assert not MARKUP.search(response.text), (where, MARKUP.search(response.text))


def test_stored_payloads_come_back_escaped_in_every_page(pages, world):
    for path, route in page_routes(pages.api.app, "GET"):
        if is_public(route):
            continue
        response = crawler(pages, route).get(fill(path, world))
        assert_inert(response, path)
    b = world["b"]
    meeting = pages["lead"].get(f"/meetings/{b}").text
    previous = pages["lead"].get(f"/meetings/{world['a']}").text
    assert ESCAPED in meeting and "&lt;svg onload=alert(1)&gt;" in meeting  # rendered, as text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in meeting
    assert ESCAPED in previous
    for who in ("analyst", "rep"):
        pack = pages["lead"].get(f"/meetings/{b}/attendees/{world[who]}/pack")
        assert pack.status_code == 200 and ESCAPED in pack.text, who
        assert_inert(pack, who)


def test_the_pdf_carries_the_payloads_as_text_only(pages, world):
    pdf = pages["lead"].get(f"/meetings/{world['b']}/attendees/{world['rep']}/pack.pdf")
    assert pdf.status_code == 200
    assert_inert(pdf, "pack.pdf")
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert SCRIPT in words and "onerror=alert(1)" in words  # printed, not interpreted


def test_reflected_payloads_in_query_and_path_parameters_are_escaped(pages, world):
    for path, route in page_routes(pages.api.app, "GET"):
        user = pages["anonymous"] if is_public(route) else crawler(pages, route)
        names = [q.name for q in route.original_route.dependant.query_params]
        for sub in route.original_route.dependant.dependencies:
            names += [q.name for q in sub.query_params]
        for payload in PAYLOADS:
            query = "&".join(f"{n}={quote(payload)}" for n in names)
            assert_inert(user.get(fill(path, world) + (f"?{query}" if query else "")), path)
            params = re.findall(r"\{(\w+)\}", path)
            if params:
                assert_inert(user.get(fill(path, world, **dict.fromkeys(params, payload))),
                             path)


def test_every_state_changing_page_refuses_a_request_without_the_token(pages, world):
    posts = [(p, r) for p, r in page_routes(pages.api.app, "POST") if not is_public(r)]
    assert len(posts) >= 5  # the enumeration sees the forms
    leaving = pages.fresh("lead")  # signing in is logged: before counting
    before = pages.api.audit_head()
    for path, route in posts:
        user = leaving if path == "/sign-out" else crawler(pages, route)
        target = fill(path, world, attendee_id=world["Kim Unsigned"])
        for token in (None, "x" * 43, ""):
            data = None if token is None else {"csrf_token": token}
            refused = user.post(target, data, csrf=False)
            assert refused.status_code == 403 and "did not come from this site" in refused.text, (
                path, token, refused.status_code)
        header = user.post(target, csrf=False, headers={"X-CSRF-Token": "forged"})
        assert header.status_code == 403, path
    assert pages.api.audit_after(before) == []  # nothing was written
    assert "Kim Unsigned" in pages["lead"].get(f"/meetings/{world['b']}").text


VALID_FORMS = {
    "/meetings": {"borough_code": CAMDEN, "first": "2025-06-03"},
    "/meetings/{meeting_id}/attendees": {"name": "Lee Forms", "organisation": "Camden Housing"},
    "/meetings/{meeting_id}/attendees/{attendee_id}/signature": {
        "version": CONFIDENTIALITY_VERSION, "signed": "yes"},
    "/meetings/{meeting_id}/actions": {"description": "call back", "owner": "lead",
                                       "due_on": "2024-08-01"},
}


def test_the_same_forms_with_the_token_are_accepted(pages, world):
    """The refusals above are the token's doing: with it, the same requests succeed."""
    lead = pages["lead"]
    for path, form in VALID_FORMS.items():
        target = fill(path, world, attendee_id=world["Kim Unsigned"])
        assert lead.post(target, form, csrf=False).status_code == 403
        assert lead.post(target, form).status_code == 303, path


@pytest.mark.parametrize("user", ["analyst_b", "lead_b"])
def test_another_borough_s_meetings_by_id_are_not_found(pages, world, user):
    before = pages.api.audit_head()
    session = pages[user]
    missing = session.get("/meetings/987654").text
    for path in ("/meetings/{meeting_id}", "/meetings/{meeting_id}/attendees/{attendee_id}/pack",
                 "/meetings/{meeting_id}/attendees/{attendee_id}/pack.pdf"):
        for meeting in (world["a"], world["b"]):
            got = session.get(fill(path, world, meeting_id=meeting))
            assert got.status_code == 404 and got.text == missing, path
    if user == "lead_b":  # may manage meetings, of Hackney only
        for path, form in VALID_FORMS.items():
            if "{meeting_id}" in path:
                got = session.post(fill(path, world, attendee_id=world["Kim Unsigned"]), form)
                assert got.status_code == 404, path
        assert session.post("/meetings", VALID_FORMS["/meetings"]).status_code == 404
    assert pages.api.audit_after(before) == []


def test_an_attendee_of_another_meeting_is_not_found(pages, world):
    lead, other = pages["lead"], world["hackney_attendee"]
    before = pages.api.audit_head()
    for suffix in ("pack", "pack.pdf"):
        got = lead.get(f"/meetings/{world['b']}/attendees/{other}/{suffix}")
        assert got.status_code == 404, suffix
    signed = lead.post(f"/meetings/{world['b']}/attendees/{other}/signature",
                       {"version": CONFIDENTIALITY_VERSION, "signed": "yes"})
    assert signed.status_code == 404
    assert pages.api.audit_after(before) == []
    hackney = pages["lead_b"].get(f"/meetings/{world['hackney']}").text
    assert "read out by" not in hackney  # the Hackney attendee is still unsigned


def test_search_terms_profile_and_a_refused_form_echo_only_text(pages, world):
    """Reflected through forms: search terms shown back, the intelligence form shown
    again with what was typed when it is refused; stored: the summary in the profile."""
    lead = pages["lead"]
    for payload in PAYLOADS:
        echoed = lead.post("/people/search", {"name": payload, "alias": payload,
                                              "person_id": payload})
        assert echoed.status_code in (200, 422)
        assert_inert(echoed, "search")
        refused = lead.post("/people/P1/intelligence", {"summary": payload,
                                                        "date": "not a date"})
        assert refused.status_code == 422
        assert_inert(refused, "intelligence form")
    assert "&lt;script&gt;" in lead.post("/people/search", {"name": SCRIPT}).text
    profile = lead.post("/people/P1", {"reason": "Quarterly cohort review"})
    assert profile.status_code == 200
    assert_inert(profile, "profile")
    assert f"{ESCAPED} &#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in profile.text
