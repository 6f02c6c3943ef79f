"""Attacks on the web API, on SQLite and PostgreSQL, each refused (R-ACCESS, R-LOG):
SQL injection in every search and filter parameter, IDOR across boroughs and partner
organisations, session fixation, brute force, TOTP replay, privilege escalation, path
traversal in path and query parameters, oversized and pathological bodies, and stored
XSS and formula payloads. Page-level XSS and form CSRF are tested with the pages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from api_support import AS_OF, CAMDEN, HACKNEY, PASSWORD, intelligence_body, isa_body
from openpyxl import load_workbook

from gvm.api.app import MAX_BODY_BYTES
from gvm.api.deps import api_routes
from gvm.authz import Permission, Role
from gvm.services.accounts import MAX_FAILED_LOGINS, SIGN_IN_FAILED, create_api_token
from gvm.services.sessions import AccountError

INJECTIONS = ["' OR '1'='1", "'; DROP TABLE people; --", "%' OR 1=1 --", '" OR ""="',
              "1); SELECT pg_sleep(5); --", "%", "_", "\\", "' UNION SELECT * FROM users --"]
LEAKS = ("traceback", "sqlalchemy", "psycopg", "sqlite", "select ", "syntax error")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/x","click")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _no_leak(response) -> None:
    text = response.text.lower()
    assert response.status_code < 500 and not [w for w in LEAKS if w in text], response.text


def _strings(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_strings, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_strings, value)) if value else set()
    return {value} if isinstance(value, str) else set()


def _everyone(api) -> set[str]:
    hits = api["force"].post("/people/search", json={"name": " ", "alias": None,
                                                    "person_id": None, "date_of_birth": None})
    assert hits.status_code == 422  # blank criteria are no criteria, not "everyone"
    ids = set()
    for pid in ("P1", "P2", "P3", "P4", "P5", "P6"):
        r = api["force"].post("/people/search", json={"person_id": pid})
        ids |= {h["person_id"] for h in r.json()["results"]}
    return ids


@pytest.mark.parametrize("field", ["name", "alias", "person_id"])
def test_sql_injection_in_search_finds_nothing_and_breaks_nothing(api, field):
    before = _everyone(api)
    head = api.audit_head()
    for payload in INJECTIONS:
        r = api["force"].post("/people/search", json={field: payload})
        _no_leak(r)
        assert r.status_code == 200 and r.json()["count"] == 0, (payload, r.text)
    assert _everyone(api) == before == {"P1", "P2", "P3", "P4", "P5", "P6"}
    searches = [e.event for e in api.audit_after(head) if e.event.justification == "search"]
    assert len(searches) >= len(INJECTIONS)  # each attempt is itself a logged consultation
    assert api["dpo"].get("/audit/verify").json()["ok"] is True


def test_sql_injection_in_typed_parameters_is_refused_as_malformed(api):
    for payload in INJECTIONS:
        for body in ({"borough": payload, "name": "a"}, {"date_of_birth": payload},
                     {"name": "a", "limit": payload}):
            r = api["force"].post("/people/search", json=body)
            _no_leak(r)
            assert r.status_code == 422
        r = api["force"].get(f"/register/{payload}")
        _no_leak(r)
        assert r.status_code in (404, 422)
        r = api["dpo"].get("/audit/entries", params={"operation": payload})
        assert r.status_code == 422
        r = api["partner"].get("/disclosures/1/export", params={"format": payload})
        assert r.status_code == 422


def test_sql_injection_in_audit_filters_matches_nothing(api):
    for payload in INJECTIONS:
        for key in ("person_id", "actor"):
            r = api["dpo"].get("/audit/entries", params={key: payload})
            _no_leak(r)
            assert r.status_code == 200 and r.json()["count"] == 0, (key, payload)
    assert api["dpo"].get("/audit/entries", params={"person_id": "P1"}).json()["count"] > 0


def test_another_boroughs_records_are_404_like_unknown_ones(api):
    """IDOR: a Camden analyst and gang lead reach no Hackney record by its id; the refused
    attempts are answered as if the record did not exist, and nothing is consulted."""
    run = api["analyst_b"].post("/scores/runs", json={"as_of": AS_OF})
    assert run.status_code == 201
    head = api.audit_head()
    analyst, lead = api["analyst"], api["lead"]
    pairs = [
        (analyst.post("/people/P3/views", json={"justification": "curious"}),
         analyst.post("/people/NOPE/views", json={"justification": "curious"})),
        (analyst.patch("/intelligence/I7", json={"summary": "x", "justification": "fix"}),
         analyst.patch("/intelligence/NOPE", json={"summary": "x", "justification": "fix"})),
        (analyst.get(f"/scores/runs/{run.json()['run_id']}"),
         analyst.get("/scores/runs/999999")),
        (lead.post("/register/decisions", json={"person_id": "P3", "decision": "include",
                                                "rationale": "corroborated twice over"}),
         lead.post("/register/decisions", json={"person_id": "NOPE", "decision": "include",
                                                "rationale": "corroborated twice over"})),
        (analyst.post("/people/search", json={"person_id": "P3"}),
         analyst.post("/people/search", json={"person_id": "NOPE"})),
    ]
    for other, unknown in pairs:
        assert other.status_code == unknown.status_code, other.text
        assert other.json() == unknown.json()
    assert analyst.get(f"/register/{HACKNEY}").status_code == 404
    assert analyst.post("/intelligence", json=intelligence_body(person_id="P3")
                        ).status_code == 404
    named = [e for e in api.audit_after(head) if "P3" in e.event.record_ids]
    assert named == []  # nothing of P3 was consulted or changed


def test_another_organisations_disclosure_is_404(api):
    """IDOR between partners: the housing partner cannot read, export or acknowledge a
    disclosure made to the youth offending service."""
    isa = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa, "person_ids": ["P1"], "fields": ["names"], "as_of": AS_OF,
        "justification": "panel"})
    assert made.status_code == 201, made.text
    did = made.json()["disclosure_id"]
    api.add_user("other_partner", Role.PARTNER, None, "Islington Housing")
    other = api.sign_in("other_partner")
    head = api.audit_head()
    for r in (other.get(f"/disclosures/{did}"), other.get(f"/disclosures/{did}/export"),
              other.post(f"/disclosures/{did}/acknowledgement")):
        assert r.status_code == 404, r.text
    assert did not in {d["disclosure_id"] for d in other.get("/disclosures").json()
                       ["disclosures"]}
    assert api.audit_after(head) == []
    assert api["partner"].get(f"/disclosures/{did}").status_code in (200, 409)


def test_a_session_id_planted_before_sign_in_is_not_the_one_after(api):
    """Session fixation: the attacker plants a session id (an invented one, or their own
    real one) in the victim's browser; signing in issues a fresh session, and the planted
    id never becomes the victim's."""
    api.add_user("fixation_victim", Role.BOROUGH_ANALYST, CAMDEN)
    attackers = api["analyst_b"].client.cookies.get("gvm_session")
    for planted in ("attacker-chosen-session-value", attackers):
        client = api.client()
        client.cookies.set("gvm_session", planted, domain="testserver.local")
        r = client.post("/api/v1/auth/login", json={
            "username": "fixation_victim", "password": PASSWORD,
            "totp_code": api.code("fixation_victim", ahead=0 if planted != attackers else 1)})
        assert r.status_code == 200, r.text
        issued = r.cookies.get("gvm_session")
        assert issued and issued != planted
        assert client.get("/api/v1/auth/me").json()["username"] == "fixation_victim"
        replay = api.client()
        replay.cookies.set("gvm_session", planted, domain="testserver.local")
        me = replay.get("/api/v1/auth/me")
        assert me.status_code == 401 or me.json()["username"] == "analyst_b"


def test_brute_force_locks_the_account_with_the_one_generic_refusal(api):
    api.add_user("brute_target", Role.BOROUGH_ANALYST, CAMDEN)
    anonymous = api["anonymous"]
    for i in range(MAX_FAILED_LOGINS):
        r = anonymous.post("/auth/login", json={"username": "brute_target",
                                                "password": f"guess {i:04d} wrong",
                                                "totp_code": "000000"})
        assert r.status_code == 401 and r.json() == {"detail": SIGN_IN_FAILED}
    right = anonymous.post("/auth/login", json={"username": "brute_target",
                                                "password": PASSWORD,
                                                "totp_code": api.code("brute_target")})
    assert right.status_code == 401 and right.json() == {"detail": SIGN_IN_FAILED}
    assert "set-cookie" not in right.headers


def test_a_totp_code_is_good_for_one_sign_in_only(api):
    api.add_user("replay_target", Role.BOROUGH_ANALYST, CAMDEN)
    body = {"username": "replay_target", "password": PASSWORD,
            "totp_code": api.code("replay_target")}
    assert api.client().post("/api/v1/auth/login", json=body).status_code == 200
    again = api.client().post("/api/v1/auth/login", json=body)
    assert again.status_code == 401 and again.json() == {"detail": SIGN_IN_FAILED}


def test_no_route_lets_a_user_change_a_role(api):
    """Privilege escalation: the API has no account-editing route at all (accounts are
    the CLI's, run by an administrator on the server), and no body accepts a role."""
    paths = {path for _, path, _ in api_routes(api.app)}
    assert not [p for p in paths if any(w in p for w in ("user", "role", "account"))]
    analyst = api["analyst"]
    for method, path in [("PATCH", "/auth/me"), ("PUT", "/auth/me"), ("POST", "/users"),
                         ("PATCH", "/users/analyst")]:
        assert analyst.request(method, path, json={"role": "admin"}).status_code in (404, 405)
    r = api.client().post("/api/v1/auth/login", json={
        "username": "analyst", "password": PASSWORD, "totp_code": "123456", "role": "admin"})
    assert r.status_code == 422  # unknown fields are refused, not ignored
    assert analyst.get("/auth/me").json()["role"] == "borough_analyst"
    assert analyst.get("/audit/entries").status_code == 403


def test_a_tokens_scopes_cannot_exceed_its_role(api):
    with pytest.raises(AccountError, match="scopes beyond the borough_analyst role"):
        create_api_token(api.register.unit_of_work, username="analyst", name="escalate",
                         scopes=frozenset({Permission.PERSON_SEARCH, Permission.AUDIT_READ}))
    token = create_api_token(api.register.unit_of_work, username="analyst", name="all")
    r = api.client().get("/api/v1/audit/entries", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


@pytest.mark.parametrize("path", [
    "/people/..%2F..%2F..%2Fetc%2Fpasswd/views", "/people/%2e%2e/views",
    "/people/....//....//etc/views", "/register/..%2F..%2Faudit%2Fentries",
    "/register/E09000007%2F..%2FE09000012", "/disclosures/..%2F1/export",
    "/scores/runs/..%2F1",
])
def test_path_traversal_in_path_parameters_reaches_nothing(api, path):
    r = api["force"].post(path, json={"justification": "look"}) if path.endswith("views") \
        else api["force"].get(path)
    _no_leak(r)
    assert r.status_code in (404, 405, 422), r.text
    assert "root:" not in r.text


def test_oversized_and_pathological_bodies_are_refused(api):
    force = api["force"]
    big = force.post("/people/search", content=b'{"name": "' + b"a" * MAX_BODY_BYTES + b'"}',
                     headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    nested = force.post("/people/search", content=("[" * 100_000 + "]" * 100_000).encode(),
                        headers={"Content-Type": "application/json"})
    _no_leak(nested)
    assert nested.status_code == 422
    deep = force.post("/people/search",
                      content=json.dumps({"name": "a", "alias": {"x": {"y": [[[1]]]}}}),
                      headers={"Content-Type": "application/json"})
    assert deep.status_code == 422
    many = force.post("/disclosures/preview", json={
        "isa_id": 1, "person_ids": [f"P{i}" for i in range(50_000)], "fields": ["names"],
        "justification": "bulk"})
    assert many.status_code == 422
    long_name = force.post("/people/search", json={"name": "a" * 10_000})
    assert long_name.status_code == 422
    assert force.get("/auth/me").status_code == 200  # still serving


def test_stored_script_and_formula_payloads_are_data_not_code(api):
    """Stored XSS and formula injection through the API's text fields: JSON gives them
    back as inert strings (application/json, nosniff), exports neutralise formulas."""
    payload = f"{FORMULA} {XSS}"
    made = api["analyst"].post("/intelligence", json=intelligence_body(
        person_id="P1", summary=FORMULA + XSS, source_id="S-xss",
        justification=payload))
    assert made.status_code == 201, made.text
    view = api["analyst"].post("/people/P1/views", json={"justification": payload})
    assert view.status_code == 200
    assert view.headers["content-type"] == "application/json"
    assert view.headers["x-content-type-options"] == "nosniff"
    summaries = [i["summary"] for i in view.json()["assessments"]["intelligence"]]
    assert FORMULA + XSS in summaries and "<script>" not in view.text.split('"summary"')[0]
    isa = api["dpo"].post("/isas", json=isa_body(
        handling_conditions=payload, permitted_fields=["person_id", "names",
                                                       "intelligence_summary_graded",
                                                       "intelligence_summary"]))
    assert isa.status_code == 201, isa.text
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa.json()["isa_id"], "person_ids": ["P1"],
        "fields": ["names", "intelligence_summary_graded", "intelligence_summary"],
        "as_of": AS_OF, "justification": "x"})
    assert made.status_code == 201, made.text
    did = made.json()["disclosure_id"]
    partner = api["partner"]
    assert partner.post(f"/disclosures/{did}/acknowledgement").status_code == 200
    got = partner.get(f"/disclosures/{did}").json()
    assert FORMULA + XSS in _strings(got)  # JSON carries the text as it is, as data
    rows = list(csv.reader(io.StringIO(partner.get(
        f"/disclosures/{did}/export", params={"format": "csv"}).content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert any(FORMULA in c for c in cells)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells
    sheet = load_workbook(io.BytesIO(partner.get(
        f"/disclosures/{did}/export", params={"format": "xlsx"}).content)).active
    values = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in values if isinstance(c.value, str))
    assert not [c.value for c in values
                if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    assert any(FORMULA in str(c.value) for c in values)
