"""Who may call what (R-ACCESS): every route declares one permission, the allow/deny
matrix of every route by every role, cross-borough requests are 404, CSRF on cookie
writes, bearer tokens and their scopes, and the OpenAPI document."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from api_support import AS_OF, CAMDEN, DEFAULT_POLICY, HACKNEY, intelligence_body, isa_body

from gvm.api.deps import api_routes, declared_permissions, is_public
from gvm.authz import Permission
from gvm.services.accounts import create_api_token

ROLES = ("anonymous", "analyst", "lead", "force", "partner", "dpo", "admin")
V1 = "/api/v1"

# Expected status of each route for each role, in ROLES order, when the request is
# otherwise valid for that role (their own borough's records). Logout comes last.
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", f"{V1}/health"):                     (200, 200, 200, 200, 200, 200, 200),
    ("GET", f"{V1}/ready"):                      (200, 200, 200, 200, 200, 200, 200),
    ("POST", f"{V1}/auth/login"):                (401, 401, 401, 401, 401, 401, 401),
    ("GET", f"{V1}/auth/me"):                    (401, 200, 200, 200, 200, 200, 200),
    ("GET", f"{V1}/boroughs"):                   (401, 200, 200, 200, 200, 200, 200),
    ("POST", f"{V1}/people/search"):             (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/people/{{person_id}}/views"): (401, 200, 200, 200, 403, 403, 403),
    ("GET", f"{V1}/gangs"):                      (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/intelligence"):              (401, 201, 201, 201, 403, 403, 403),
    ("PATCH", f"{V1}/intelligence/{{intel_id}}"): (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/scores/runs"):               (401, 201, 201, 201, 403, 403, 403),
    ("GET", f"{V1}/scores/runs/{{run_id}}"):     (401, 200, 200, 200, 403, 403, 403),
    ("GET", f"{V1}/register/{{borough_code}}"):  (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/register/decisions"):        (401, 403, 201, 403, 403, 403, 403),
    ("GET", f"{V1}/audit/entries"):              (401, 403, 403, 403, 403, 200, 403),
    ("GET", f"{V1}/audit/verify"):               (401, 403, 403, 403, 403, 200, 200),
    ("POST", f"{V1}/isas"):                      (401, 403, 403, 403, 403, 201, 201),
    ("GET", f"{V1}/isas"):                       (401, 200, 200, 200, 403, 200, 200),
    ("POST", f"{V1}/disclosures/preview"):       (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/disclosures"):               (401, 201, 201, 201, 403, 403, 403),
    ("GET", f"{V1}/disclosures"):                (401, 403, 403, 403, 200, 200, 403),
    ("POST", f"{V1}/disclosures/{{disclosure_id}}/acknowledgement"):
                                                 (401, 403, 403, 403, 200, 403, 403),
    ("GET", f"{V1}/disclosures/{{disclosure_id}}"): (401, 403, 403, 403, 200, 403, 403),
    ("GET", f"{V1}/disclosures/{{disclosure_id}}/export"):
                                                 (401, 403, 403, 403, 200, 403, 403),
    # governance: reviews, erasure, subject requests (R-REVIEW, R-RETENTION, R-SUBJECT)
    ("POST", f"{V1}/reviews"):                   (401, 403, 201, 403, 403, 403, 403),
    ("GET", f"{V1}/reviews/{{review_id}}"):      (401, 403, 200, 403, 403, 403, 403),
    ("POST", f"{V1}/reviews/{{review_id}}/decisions"):
                                                 (401, 403, 201, 403, 403, 403, 403),
    ("POST", f"{V1}/reviews/{{review_id}}/closure"):
                                                 (401, 403, 200, 403, 403, 403, 403),
    ("POST", f"{V1}/people/{{person_id}}/erasure"): (401, 403, 200, 403, 403, 403, 403),
    ("POST", f"{V1}/subjects/{{person_id}}/report"): (401, 403, 403, 403, 403, 200, 403),
    ("POST", f"{V1}/removal-requests"):          (401, 403, 403, 403, 403, 201, 403),
    ("POST", f"{V1}/removal-requests/{{request_id}}/answer"):
                                                 (401, 403, 403, 403, 403, 200, 403),
    # meetings (R-MEETING, R-CONFIDENTIAL)
    ("POST", f"{V1}/meetings"):                  (401, 403, 201, 403, 403, 403, 403),
    ("GET", f"{V1}/meetings"):                   (401, 200, 200, 200, 403, 403, 403),
    ("GET", f"{V1}/meetings/{{meeting_id}}"):    (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/meetings/{{meeting_id}}/attendees"):
                                                 (401, 403, 201, 403, 403, 403, 403),
    ("POST", f"{V1}/meetings/{{meeting_id}}/attendees/{{attendee_id}}/signature"):
                                                 (401, 403, 200, 403, 403, 403, 403),
    ("GET", f"{V1}/meetings/{{meeting_id}}/attendees/{{attendee_id}}/pack"):
                                                 (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/meetings/{{meeting_id}}/actions"):
                                                 (401, 403, 201, 403, 403, 403, 403),
    # diversion (R-DIVERT); a referral's outcome is recorded once, so the second is 409
    ("GET", f"{V1}/register/{{borough_code}}/support"):
                                                 (401, 200, 200, 200, 403, 403, 403),
    ("POST", f"{V1}/referrals"):                 (401, 201, 201, 201, 403, 403, 403),
    ("POST", f"{V1}/referrals/{{referral_id}}/outcome"):
                                                 (401, 200, 409, 409, 403, 403, 403),
    ("GET", f"{V1}/oversight/equality"):         (401, 403, 403, 200, 403, 200, 403),
    ("GET", f"{V1}/oversight/equality.csv"):     (401, 403, 403, 200, 403, 200, 403),
    ("GET", f"{V1}/oversight/quarterly"):        (401, 403, 403, 200, 403, 200, 403),
    ("GET", f"{V1}/oversight/backtest"):         (401, 403, 403, 200, 403, 200, 403),
    ("POST", f"{V1}/oversight/whatif"):          (401, 403, 403, 200, 403, 200, 403),
    ("GET", f"{V1}/oversight/gangs"):            (401, 403, 403, 200, 403, 200, 403),
    ("POST", f"{V1}/auth/logout"):               (401, 204, 204, 204, 204, 204, 204),
}
PUBLIC = {("GET", f"{V1}/health"), ("GET", f"{V1}/ready"), ("POST", f"{V1}/auth/login")}


def _request(key: tuple[str, str], ids: dict[str, Any]) -> dict[str, Any]:
    """A request that is valid for any role (the records are in Camden)."""
    method, path = key
    person = "P6" if path.endswith("/erasure") else "P1"  # P6: used by nothing else here
    path = path.removeprefix(V1).format(person_id=person, intel_id="I8",
                                        borough_code=CAMDEN, **ids)
    disclosure = {"isa_id": ids["isa_id"], "person_ids": ["P1"],
                  "fields": ["names", "harm_band"], "as_of": AS_OF,
                  "justification": "matrix check"}
    why = "matrix check of the route"
    m, a = ids["meeting_id"], ids["attendee_id"]
    bodies = {
        "/auth/login": {"username": "nobody", "password": "not a password",
                        "totp_code": "000000"},
        "/people/search": {"name": "a"},
        "/people/P1/views": {"justification": "matrix check", "as_of": AS_OF},
        "/intelligence": intelligence_body(),
        "/intelligence/I8": {"summary": uuid.uuid4().hex, "justification": "matrix"},
        "/scores/runs": {"as_of": AS_OF},
        "/register/decisions": {"person_id": "P4", "decision": "include", "as_of": AS_OF,
                                "rationale": "two graded sources corroborate"},
        "/isas": isa_body(),
        "/disclosures/preview": disclosure,
        "/disclosures": disclosure if method == "POST" else None,
        "/reviews": {"borough_code": CAMDEN, "as_of": AS_OF},
        f"/reviews/{ids['review_id']}/decisions": {"person_id": "P4", "decision": "retain",
                                                   "rationale": why},
        "/people/P6/erasure": {"rationale": why},
        "/removal-requests": {"person_id": "P1"},
        "/subjects/P1/report": {},
        f"/removal-requests/{ids['request_id']}/answer": {"outcome": "retained",
                                                          "rationale": why},
        "/meetings": {"borough_code": CAMDEN, "first": "2030-01-01"} if method == "POST"
        else None,
        f"/meetings/{m}/attendees": {"username": "lead"},
        f"/meetings/{m}/attendees/{a}/signature": {},
        f"/meetings/{m}/actions": {"description": why, "owner": "lead",
                                   "due_on": "2030-01-15"},
        "/referrals": {"person_id": "P4", "organisation": "Camden Mentoring",
                       "referred_on": AS_OF},
        f"/referrals/{ids['referral_id']}/outcome": {"outcome": "engaged",
                                                     "outcome_on": AS_OF},
        "/oversight/whatif": {"as_of": AS_OF, "proposed_policy": DEFAULT_POLICY},
    }
    queries = {"/oversight/quarterly": {"quarter": "2024Q2"},
               **{f"/oversight/{name}": {"as_of": AS_OF} for name in
                  ("equality", "equality.csv", "backtest", "gangs")}}
    if path == "/meetings" and method == "GET":
        queries["/meetings"] = {"borough": CAMDEN}
    return {"method": method, "path": path, "json": bodies.get(path),
            "params": queries.get(path)}


def _note_ids(ids: dict[str, Any], response: Any) -> None:
    """Ids the later routes of the matrix act on, from what the earlier ones made."""
    if not response.is_success or "json" not in response.headers.get("content-type", ""):
        return
    body = response.json()
    if not isinstance(body, dict):
        return
    for made in [body, *body.get("meetings", [])]:
        for key in ("review_id", "request_id", "meeting_id", "attendee_id", "referral_id"):
            if key in made:
                ids[key] = made[key]


def test_every_route_declares_exactly_one_permission_or_is_public(api):
    routes = api_routes(api.app)
    assert len(routes) == len(MATRIX)
    for method, path, route in routes:
        if (method, path) in PUBLIC:
            assert is_public(route) and declared_permissions(route) == [], path
        else:
            assert not is_public(route), path
            assert len(declared_permissions(route)) == 1, (method, path)


def test_matrix_covers_every_route(api):
    assert {(m, p) for m, p, _ in api_routes(api.app)} == set(MATRIX)


def test_allow_deny_matrix(api):
    run_id = api["analyst"].post("/scores/runs", json={"as_of": AS_OF}).json()["run_id"]
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa_id, "person_ids": ["P1"], "fields": ["names"], "as_of": AS_OF,
        "justification": "matrix check"})
    ids = {"run_id": run_id, "isa_id": isa_id, "disclosure_id": made.json()["disclosure_id"],
           "review_id": 0, "request_id": 0, "meeting_id": 0, "attendee_id": 0,
           "referral_id": 0}
    sessions = dict(api.sessions)
    got: dict[tuple[str, str], tuple[int, ...]] = {}
    for key in MATRIX:
        if key[1].endswith("/auth/logout"):  # fresh sessions: keep the module's alive
            sessions = {r: api.anonymous() if r == "anonymous" else api.sign_in(r, ahead=1)
                        for r in ROLES}
        statuses = []
        for role in ROLES:
            response = sessions[role].request(**_request(key, ids))
            _note_ids(ids, response)
            statuses.append(response.status_code)
        got[key] = tuple(statuses)
    assert got == MATRIX


def test_cross_borough_is_404_like_unknown(api):
    analyst = api["analyst"]
    view = {"justification": "checking"}
    assert analyst.post("/people/P3/views", json=view).status_code == 404
    assert (analyst.post("/people/P3/views", json=view).json()
            == analyst.post("/people/P404/views", json=view).json())
    assert api["analyst_b"].post("/people/P1/views", json=view).status_code == 404
    assert api["analyst_b"].post("/people/P3/views", json=view).status_code == 200
    assert analyst.get("/gangs", params={"borough": HACKNEY}).status_code == 404
    assert analyst.get(f"/register/{HACKNEY}").status_code == 404
    assert analyst.post("/intelligence",
                        json=intelligence_body(person_id="P3")).status_code == 404
    assert analyst.patch("/intelligence/I7", json={"summary": "x",
                                                   "justification": "x"}).status_code == 404
    assert analyst.post("/scores/runs", json={"as_of": AS_OF,
                                              "borough": HACKNEY}).status_code == 404
    assert api["lead"].post("/register/decisions", json={
        "person_id": "P3", "decision": "include",
        "rationale": "two graded sources corroborate"}).status_code == 404


def test_cookie_writes_need_the_csrf_header(api):
    analyst = api["analyst"]
    assert analyst.post("/people/search", json={"name": "a"}, csrf=False).status_code == 403
    wrong = analyst.post("/people/search", json={"name": "a"}, csrf=False,
                         headers={"X-CSRF-Token": "not-the-token"})
    assert wrong.status_code == 403
    assert analyst.patch("/intelligence/I8", json={"summary": "x", "justification": "x"},
                         csrf=False).status_code == 403
    assert analyst.get("/gangs").status_code == 200  # safe methods need none
    assert analyst.post("/people/search", json={"name": "a"}).status_code == 200


def test_bearer_tokens_need_no_csrf_and_keep_their_scopes(api):
    token = create_api_token(api.register.unit_of_work, username="analyst", name="ci")
    client = api.client()
    bearer = {"Authorization": f"Bearer {token}"}
    r = client.post(f"{V1}/people/search", json={"name": "a"}, headers=bearer)
    assert r.status_code == 200 and r.json()["count"] >= 1
    narrow = create_api_token(api.register.unit_of_work, username="analyst", name="search",
                              scopes=frozenset({Permission.PERSON_SEARCH, Permission.SELF}))
    narrowed = {"Authorization": f"Bearer {narrow}"}
    assert client.post(f"{V1}/people/search", json={"name": "a"},
                       headers=narrowed).status_code == 200
    assert client.get(f"{V1}/gangs", headers=narrowed).status_code == 403
    assert client.get(f"{V1}/gangs", headers={"Authorization": "Bearer gvm_nope"}
                      ).status_code == 401
    assert client.get(f"{V1}/gangs", headers={"Authorization": "Basic abc"}).status_code == 401


@pytest.mark.parametrize("role", ["partner", "dpo", "admin"])
def test_roles_without_operational_access_never_reach_personal_data(api, role):
    session = api[role]
    for method, path, body in [
        ("POST", "/people/search", {"name": "a"}),
        ("POST", "/people/P1/views", {"justification": "curious"}),
        ("GET", f"/register/{CAMDEN}", None),
        ("GET", "/gangs", None),
    ]:
        r = session.request(method, path, json=body)
        assert r.status_code == 403 and "needs register:" in r.json()["detail"]


def test_openapi_documents_every_route_and_its_errors(api):
    spec = api.app.openapi()
    assert spec["info"]["title"] and spec["info"]["version"]
    assert {t["name"] for t in spec["tags"]} >= {"people", "register", "audit"}
    for method, path, route in api_routes(api.app):
        operation = spec["paths"][path][method.lower()]
        codes = set(operation["responses"])
        assert operation["tags"], path
        if (method, path) not in PUBLIC:
            assert {"401", "403"} <= codes, (method, path)
        if route.dependant.path_params or route.dependant.query_params or \
                route.dependant.body_params:
            assert "422" in codes, (method, path)
        if route.dependant.path_params:
            assert "404" in codes, (method, path)
    assert "409" in spec["paths"][f"{V1}/register/decisions"]["post"]["responses"]
    problem = spec["components"]["schemas"]["ProblemOut"]["properties"]
    assert "input" not in problem  # validation errors never echo values
