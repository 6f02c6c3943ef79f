"""The web API's read routes (health, auth, boroughs, people, gangs): each one's success
and validation errors, on SQLite and PostgreSQL (issue: the service; R-ACCESS,
R-CATEGORY). The writing routes are in test_api_writes."""

from __future__ import annotations

import pytest
from api_support import AS_OF, CAMDEN, HACKNEY, SURNAME, problems

from gvm.authz import Role
from gvm.services.accounts import SIGN_IN_FAILED


def _analyst() -> tuple[Role, str]:
    return (Role.BOROUGH_ANALYST, CAMDEN)


def test_health_is_public(api):
    r = api["anonymous"].get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_ready_is_public_and_reads_the_database(api):
    r = api["anonymous"].get("/ready")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_login_sets_a_strict_http_only_cookie(api):
    api.add_user("login_user", *_analyst())
    client = api.client()
    r = client.post("/api/v1/auth/login", json={
        "username": "login_user", "password": "correct horse battery staple",
        "totp_code": api.code("login_user")})
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["role"] == "borough_analyst" and body["user"]["borough_code"] == CAMDEN
    assert body["csrf_token"] and "register:person:view" in body["user"]["permissions"]
    cookie = r.headers["set-cookie"].lower()
    assert "gvm_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # dev mode; Secure everywhere else
    assert client.get("/api/v1/auth/me").json()["username"] == "login_user"


def test_login_refusals_are_one_generic_401(api):
    anonymous = api["anonymous"]
    wrong_password = anonymous.post("/auth/login", json={
        "username": "analyst", "password": "wrong password here", "totp_code": "123456"})
    unknown_user = anonymous.post("/auth/login", json={
        "username": "nobody", "password": "whatever it is", "totp_code": "123456"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json() == {"detail": SIGN_IN_FAILED}
    assert problems(anonymous.post("/auth/login", json={"username": "analyst",
                                                        "password": "x"})) == {"totp_code"}
    assert problems(anonymous.post("/auth/login", json={
        "username": "analyst", "password": "x", "totp_code": "12ab56"})) == {"totp_code"}


def test_logout_ends_the_session(api):
    api.add_user("leaving_user", *_analyst())
    session = api.sign_in("leaving_user")
    assert session.get("/auth/me").status_code == 200
    r = session.post("/auth/logout")
    assert r.status_code == 204
    assert session.get("/auth/me").status_code == 401


def test_me(api):
    body = api["force"].get("/auth/me").json()
    assert body["role"] == "force_analyst" and body["borough_code"] is None
    assert api["anonymous"].get("/auth/me").status_code == 401


def test_boroughs_marks_the_callers_scope(api):
    rows = {b["code"]: b for b in api["analyst"].get("/boroughs").json()}
    assert len(rows) == 33 and rows[CAMDEN]["name"] == "Camden"
    assert [c for c, b in rows.items() if b["visible"]] == [CAMDEN]
    assert all(b["visible"] for b in api["force"].get("/boroughs").json())
    assert not any(b["visible"] for b in api["partner"].get("/boroughs").json())


@pytest.mark.parametrize(("criteria", "expected"), [
    ({"name": "ZANZ"}, ["P1"]),
    ({"name": "ada zanzibarova"}, ["P1"]),
    ({"name": f"{SURNAME}, Ada"}, ["P1"]),
    ({"name": "berton"}, ["P5"]),
    ({"alias": "adaeze"}, ["P1"]),
    ({"date_of_birth": "2006-07-15"}, ["P2"]),
    ({"person_id": "P4"}, ["P4"]),
    ({"name": "a", "date_of_birth": "2003-05-05"}, ["P4"]),
    ({"name": "marchbanks"}, []),  # Hackney: outside the Camden analyst's scope
    ({"person_id": "P3"}, []),
    ({"name": "%"}, []),  # LIKE wildcards are taken literally
])
def test_search_within_scope(api, criteria, expected):
    r = api["analyst"].post("/people/search", json=criteria)
    assert r.status_code == 200
    assert [h["person_id"] for h in r.json()["results"]] == expected
    assert r.json()["count"] == len(expected)


def test_search_force_wide_sees_every_borough_and_bands(api):
    api["force"].post("/scores/runs", json={"as_of": AS_OF})
    r = api["force"].post("/people/search", json={"name": "marchbanks"}).json()
    assert [h["person_id"] for h in r["results"]] == ["P3"]
    assert r["results"][0]["borough_code"] == HACKNEY
    assert r["results"][0]["victim_band"] == "Red"  # 5475 days: homicide victim
    assert r["results"][0]["scored_as_of"] == AS_OF


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),  # no criterion
    ({"borough": CAMDEN}, "name"),
    ({"date_of_birth": "15/07/2006"}, "date_of_birth"),
    ({"name": "x", "limit": 0}, "limit"),
    ({"name": "x", "limit": 201}, "limit"),
    ({"name": "x" * 201}, "name"),
    ({"name": "x", "surname": SURNAME}, "surname"),  # unknown fields are refused
    ({"name": "x", "borough": "Camden"}, "borough"),
])
def test_search_validation(api, body, field):
    assert field in problems(api["analyst"].post("/people/search", json=body))


def test_profile_separates_facts_from_assessments(api):
    r = api["analyst"].post("/people/P1/views",
                            json={"justification": "case review", "as_of": AS_OF})
    assert r.status_code == 200
    p = r.json()
    assert p["person"] == {"person_id": "P1", "surname": SURNAME, "forenames": "Ada",
                           "date_of_birth": "2004-03-01", "borough_code": CAMDEN}
    assert "ethnicity" not in p["person"] and "sex" not in p["person"]
    assert p["aliases"] == [{"surname": "Zanzi", "forenames": "Adaeze"}]
    assert p["categories"] == ["convicted", "suspect"]  # R-CATEGORY
    assert [o["event_id"] for o in p["facts"]["offences"]] == ["E2", "E3", "E1"]
    assert p["facts"]["in_custody"] is False and len(p["facts"]["custody"]) == 1
    a = p["assessments"]
    assert {i["intel_id"] for i in a["intelligence"]} >= {"I1", "I2", "I3"}
    assert {"source_grade", "intel_grade", "handling_code"} <= set(a["intelligence"][0])
    assert a["harm"]["band"] == "Amber" and a["harm"]["score"] == 647.5
    counted = [i["points"] for i in a["harm"]["items"] if i["reason"] == "counted"]
    assert sum(counted) == a["harm"]["score"]
    assert {i["reason"] for i in a["harm"]["items"]} >= {"counted", "outside window"}
    assert a["eligibility"]["eligible"] is True
    assert a["policy_version"] and len(a["policy_hash"]) == 64
    assert p["as_of"] == AS_OF


def test_profile_of_a_victim_witness_in_custody(api):
    victim = api["analyst"].post("/people/P2/views", json={"justification": "safeguarding",
                                                           "as_of": AS_OF}).json()
    assert victim["categories"] == ["victim", "witness"]
    assert victim["assessments"]["victim"]["score"] == 465.0
    hackney = api["analyst_b"].post("/people/P3/views", json={"justification": "review"})
    assert hackney.status_code == 200 and hackney.json()["facts"]["in_custody"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({}, "justification"),
    ({"justification": "   "}, "justification"),
    ({"justification": "x" * 501}, "justification"),
    ({"justification": "ok", "as_of": "tomorrow"}, "as_of"),
])
def test_profile_validation(api, body, field):
    assert field in problems(api["analyst"].post("/people/P1/views", json=body))


def test_gangs(api):
    assert [g["gang_id"] for g in api["analyst"].get("/gangs").json()] == ["G1"]
    everyone = {g["gang_id"]: g for g in api["force"].get("/gangs").json()}
    assert set(everyone) >= {"G1", "G2"} and everyone["G2"]["members"] == 1
    one = api["force"].get("/gangs", params={"borough": HACKNEY}).json()
    assert [g["gang_id"] for g in one] == ["G2"]
    assert api["analyst"].get("/gangs", params={"borough": HACKNEY}).status_code == 404
    assert "borough" in problems(api["analyst"].get("/gangs", params={"borough": "x"}))
