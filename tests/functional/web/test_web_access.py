"""Who may open which page (R-ACCESS): every route of the application, API and pages,
declares exactly one permission or is public, and the allow/deny matrix of every page by
every role. A page a role may not open answers a 403 page; nobody signed in is sent to
the sign-in page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from api_support import AS_OF, CAMDEN, isa_body
from pages import Pages
from test_api_access import MATRIX as API_MATRIX

from gvm.api.deps import app_routes, declared_permissions, is_public
from gvm.authz import Actor, Role
from gvm.services import reviews

ROLES = ("anonymous", "analyst", "lead", "force", "partner", "dpo", "admin")
SIGN_IN = 303  # not signed in: redirected to the sign-in page

# GET pages: expected status per role, in ROLES order (their own borough's records).
WEB_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/sign-in"):                       (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/sign-in"):                      (403, 403, 403, 403, 403, 403, 403),
    ("GET", "/"):                              (SIGN_IN, 200, 200, 200, 200, 200, 200),
    ("GET", "/dashboard"):                     (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("GET", "/people/search"):                 (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("POST", "/people/search"):                (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("GET", "/people/{person_id}"):            (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("POST", "/people/{person_id}"):           (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("GET", "/people/{person_id}/intelligence"): (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("POST", "/people/{person_id}/intelligence"): (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("POST", "/people/{person_id}/decisions"): (SIGN_IN, 403, 200, 403, 403, 403, 403),
    # Meetings (no meeting exists here: 404 to those who may read one; a lead's empty
    # form is refused as incomplete).
    ("GET", "/meetings"):                      (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("POST", "/meetings"):                     (SIGN_IN, 403, 422, 403, 403, 403, 403),
    ("GET", "/meetings/{meeting_id}"):         (SIGN_IN, 404, 404, 404, 403, 403, 403),
    ("POST", "/meetings/{meeting_id}/attendees"): (SIGN_IN, 403, 422, 403, 403, 403, 403),
    ("POST", "/meetings/{meeting_id}/attendees/{attendee_id}/signature"):
        (SIGN_IN, 403, 422, 403, 403, 403, 403),
    ("POST", "/meetings/{meeting_id}/actions"): (SIGN_IN, 403, 422, 403, 403, 403, 403),
    ("GET", "/meetings/{meeting_id}/attendees/{attendee_id}/pack"):
        (SIGN_IN, 404, 404, 404, 403, 403, 403),
    ("GET", "/meetings/{meeting_id}/attendees/{attendee_id}/pack.pdf"):
        (SIGN_IN, 404, 404, 404, 403, 403, 403),
    ("GET", "/oversight/equality"):            (SIGN_IN, 403, 403, 200, 403, 200, 403),
    ("GET", "/reviews"):                       (SIGN_IN, 403, 303, 403, 403, 403, 403),
    ("POST", "/reviews"):                      (SIGN_IN, 403, 409, 403, 403, 403, 403),
    ("GET", "/reviews/{review_id}"):           (SIGN_IN, 403, 200, 403, 403, 403, 403),
    ("POST", "/reviews/{review_id}/decisions"): (SIGN_IN, 403, 303, 403, 403, 403, 403),
    ("POST", "/reviews/{review_id}/close"):    (SIGN_IN, 403, 303, 403, 403, 403, 403),
    ("GET", "/sharing/isas"):                  (SIGN_IN, 200, 200, 200, 403, 200, 200),
    ("GET", "/sharing/isas/{isa_id}"):         (SIGN_IN, 200, 200, 200, 403, 200, 200),
    ("POST", "/sharing/isas/{isa_id}/preview"): (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("POST", "/sharing/isas/{isa_id}/disclosures"): (SIGN_IN, 200, 200, 200, 403, 403, 403),
    ("GET", "/sharing/received"):              (SIGN_IN, 403, 403, 403, 200, 403, 403),
    ("POST", "/sharing/received/{disclosure_id}/acknowledgement"):
                                               (SIGN_IN, 403, 403, 403, 303, 403, 403),
    ("GET", "/sharing/received/{disclosure_id}/export"):
                                               (SIGN_IN, 403, 403, 403, 200, 403, 403),
    ("GET", "/oversight/audit"):               (SIGN_IN, 403, 403, 403, 403, 200, 403),
    ("POST", "/oversight/audit"):              (SIGN_IN, 403, 403, 403, 403, 200, 403),
    # last: it ends the sessions
    ("POST", "/sign-out"):                     (SIGN_IN, 303, 303, 303, 303, 303, 303),
}
PUBLIC_PAGES = {("GET", "/sign-in"), ("POST", "/sign-in")}


def _request(method: str, path: str, ids: dict[str, int]) -> dict[str, Any]:
    """A request valid for any role that may make it (Camden's records)."""
    person = "P6" if path.endswith("/decisions") else "P1"
    disclosure = {"people": "P1", "fields": ["names", "harm_band"], "as_of": AS_OF,
                  "justification": "matrix check"}
    bodies = {
        "/reviews": {"as_of": AS_OF},
        "/reviews/{review_id}/decisions": {"person_id": "P4", "decision": "retain",
                                           "rationale": "still corroborated"},
        "/sharing/isas/{isa_id}/preview": disclosure,
        "/sharing/isas/{isa_id}/disclosures": disclosure,
        "/oversight/audit": {"person_id": "P1"},
        "/people/search": {"name": "a"},
        "/people/{person_id}": {"reason": "matrix check", "as_of": AS_OF},
        "/people/{person_id}/intelligence": {
            "date": "2024-05-01", "category": "weapon_access", "source_id": "S9",
            "source_type": "police", "source_grade": "1", "intel_grade": "B",
            "handling_code": "P", "summary": "seen", "justification": "matrix check"},
        "/people/{person_id}/decisions": {"decision": "include", "as_of": AS_OF,
                                          "rationale": "two graded sources corroborate"},
    }
    return {"path": path.format(borough_code=CAMDEN, person_id=person, meeting_id=1,
                                attendee_id=1, **ids),
            **({"data": bodies.get(path)} if method == "POST" else {})}


def test_every_route_declares_exactly_one_permission_or_is_public(api):
    for method, path, route in app_routes(api.app):
        if (method, path) in PUBLIC_PAGES or path.startswith("/api/"):
            continue  # the API's own test checks its routes
        assert not is_public(route), path
        assert len(declared_permissions(route)) == 1, (method, path)
    for key in PUBLIC_PAGES:
        route = next(r for m, p, r in app_routes(api.app) if (m, p) == key)
        assert is_public(route) and declared_permissions(route) == []


def test_the_matrices_cover_every_route(api):
    assert {(m, p) for m, p, _ in app_routes(api.app)} == set(WEB_MATRIX) | set(API_MATRIX)


def _world(api) -> dict[str, int]:
    """P4 on Camden's register and its review open; an ISA and a disclosure to the
    partner's organisation."""
    lead = api["lead"]
    assert lead.post("/register/decisions", json={
        "person_id": "P4", "decision": "include", "as_of": AS_OF,
        "rationale": "two graded sources corroborate"}).status_code == 201
    opened = reviews.open_review(api.register.unit_of_work, Actor(
        user_id=0, username="lead", role=Role.GANG_LEAD, borough_code=CAMDEN), CAMDEN,
        date.fromisoformat(AS_OF), api.register.policy, api.register.catalogue)
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa_id, "person_ids": ["P1"], "fields": ["names"], "as_of": AS_OF,
        "justification": "matrix check"}).json()
    return {"review_id": opened.review_id, "isa_id": isa_id,
            "disclosure_id": made["disclosure_id"]}


def test_allow_deny_matrix(api, pages):
    ids = _world(api)
    sessions = {role: pages[role] for role in ROLES}
    got = {}
    for (method, path) in WEB_MATRIX:
        if path == "/sign-out":  # fresh sessions of fresh users, so the others stay alive
            sessions = {role: Pages(pages.api) if role == "anonymous" else pages.fresh(role)
                        for role in ROLES}
        got[(method, path)] = tuple(
            (sessions[role].get if method == "GET" else sessions[role].post)(
                **_request(method, path, ids)).status_code for role in ROLES)
    assert got == WEB_MATRIX


@pytest.mark.parametrize("role", ["partner", "dpo", "admin"])
def test_roles_without_register_work_see_no_register_pages(pages, role):
    start = pages[role].get("/")
    assert start.status_code == 200
    assert 'href="/people/search"' not in start.text and 'href="/dashboard"' not in start.text
