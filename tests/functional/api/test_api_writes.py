"""The web API's writing routes (intelligence, score runs, register decisions) and the
oversight routes: each one's success and validation errors, on SQLite and PostgreSQL
(issue: the service; R-HUMAN, R-THRESHOLD, R-MUSIC, R-LOG)."""

from __future__ import annotations

import uuid

import pytest
from api_support import AS_OF, CAMDEN, HACKNEY, intelligence_body, problems

from gvm.api.middleware import CONTENT_SECURITY_POLICY


def test_record_intelligence(api):
    r = api["analyst"].post("/intelligence", json=intelligence_body(summary="a blade"))
    assert r.status_code == 201
    item = r.json()
    assert item["intel_id"].startswith("INT-") and item["person_id"] == "P5"
    assert (item["source_grade"], item["intel_grade"], item["handling_code"]) == ("1", "B", "P")
    member = api["analyst"].post("/intelligence", json=intelligence_body(
        category="gang_membership", gang_id="G1"))
    assert member.status_code == 201 and member.json()["gang_id"] == "G1"


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"category": "drill_music"}, "category", "R-MUSIC"),
    ({"category": "gang_membership"}, "gang_id", "needs a gang_id"),
    ({"category": "gang_membership", "gang_id": "G2"}, "gang_id", "unknown gang_id"),
    ({"source_grade": "4"}, "source_grade", "source grade"),
    ({"intel_grade": "F"}, "intel_grade", "intelligence grade"),
    ({"handling_code": "X"}, "handling_code", "handling code"),
    ({"source_type": "rumour"}, "source_type", "expected"),
    ({"date": "2999-01-01"}, "date", "future"),
    ({"date": "01/01/2024"}, "date", "date"),
    ({"justification": ""}, "justification", ""),
    ({"person_id": ""}, "person_id", ""),
])
def test_record_intelligence_validation(api, overrides, field, message):
    r = api["analyst"].post("/intelligence", json=intelligence_body(**overrides))
    assert field in problems(r)
    assert message in r.text


def test_record_intelligence_about_someone_out_of_scope_is_404(api):
    r = api["analyst"].post("/intelligence", json=intelligence_body(person_id="P3"))
    assert r.status_code == 404
    assert r.json() == api["analyst"].post(
        "/intelligence", json=intelligence_body(person_id="P404")).json()


def test_correct_intelligence(api):
    summary = f"corrected {uuid.uuid4().hex}"
    r = api["analyst"].patch("/intelligence/I8", json={
        "summary": summary, "intel_grade": "A", "justification": "grade reviewed"})
    assert r.status_code == 200, r.text
    assert r.json()["item"]["summary"] == summary
    changed = set(r.json()["changed"])  # the grade may already be A (order-independent)
    assert "summary" in changed and changed <= {"summary", "intel_grade"}


@pytest.mark.parametrize(("body", "field"), [
    ({"intel_grade": "Z", "justification": "x"}, "intel_grade"),
    ({"summary": "x"}, "justification"),
    ({"person_id": "P1", "justification": "x"}, "person_id"),  # the subject never changes
    ({"category": "gang_membership", "gang_id": None, "justification": "x"}, "gang_id"),
    ({"date": "2024-04-01", "justification": "no change"}, "body"),
])
def test_correct_intelligence_validation(api, body, field):
    assert field in problems(api["analyst"].patch("/intelligence/I8", json=body))


def test_correct_intelligence_out_of_scope_or_unknown_is_404(api):
    body = {"summary": "x", "justification": "x"}
    assert api["analyst"].patch("/intelligence/I7", json=body).status_code == 404
    assert api["analyst"].patch("/intelligence/NOPE", json=body).status_code == 404


def test_score_runs(api):
    mine = api["analyst"].post("/scores/runs", json={"as_of": AS_OF})
    assert mine.status_code == 201
    run = mine.json()
    assert run["scope"] == CAMDEN and run["people"] == 5
    assert sum(run["harm_bands"].values()) == sum(run["victim_bands"].values()) == 5
    assert run["eligible"] >= 2 and run["policy_version"]
    got = api["analyst"].get(f"/scores/runs/{run['run_id']}")
    assert got.status_code == 200 and got.json() == run
    everyone = api["force"].post("/scores/runs", json={"as_of": AS_OF}).json()
    assert everyone["scope"] is None and everyone["people"] == 6
    assert api["analyst"].get(f"/scores/runs/{everyone['run_id']}").status_code == 404
    assert api["analyst_b"].get(f"/scores/runs/{run['run_id']}").status_code == 404
    assert api["analyst"].post("/scores/runs", json={"as_of": AS_OF,
                                                     "borough": HACKNEY}).status_code == 404
    assert api["analyst"].get("/scores/runs/999999").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({}, "as_of"), ({"as_of": "2024-02-30"}, "as_of"),
    ({"as_of": AS_OF, "borough": "E99"}, "borough"),
])
def test_score_run_validation(api, body, field):
    assert field in problems(api["analyst"].post("/scores/runs", json=body))
    assert "run_id" in problems(api["analyst"].get("/scores/runs/0"))


def test_register_decisions_and_cohort(api):
    lead = api["lead"]
    included = lead.post("/register/decisions", json={
        "person_id": "P6", "decision": "include", "rationale": "corroborated by two sources",
        "as_of": AS_OF})
    assert included.status_code == 201, included.text
    assert included.json()["decided_by"] == "lead" and included.json()["eligible"] is True
    cohort = api["analyst"].get(f"/register/{CAMDEN}").json()
    assert cohort["borough_code"] == CAMDEN and "P6" in [p["person_id"] for p in cohort["people"]]
    profile = api["analyst"].post("/people/P6/views", json={"justification": "review"}).json()
    assert profile["register_status"]["status"] == "on"
    removed = lead.post("/register/decisions", json={
        "person_id": "P6", "decision": "remove", "rationale": "no longer meets the threshold"})
    assert removed.status_code == 201
    assert "P6" not in [p["person_id"] for p in api["analyst"].get(
        f"/register/{CAMDEN}").json()["people"]]


def test_inclusion_refused_below_threshold_is_409_with_reason(api):
    r = api["lead"].post("/register/decisions", json={
        "person_id": "P2", "decision": "include", "rationale": "score is high enough"})
    assert r.status_code == 409 and "source" in r.json()["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({"person_id": "P1", "decision": "maybe", "rationale": "long enough reason"}, "decision"),
    ({"person_id": "P1", "decision": "include", "rationale": "short"}, "rationale"),
    ({"person_id": "P1", "decision": "include"}, "rationale"),
    ({"person_id": "P2", "decision": "remove", "rationale": "not on it at all"}, "decision"),
])
def test_decision_validation(api, body, field):
    assert field in problems(api["lead"].post("/register/decisions", json=body))


def test_register_scope(api):
    assert api["analyst"].get(f"/register/{HACKNEY}").status_code == 404
    assert "borough_code" in problems(api["analyst"].get("/register/camden"))
    assert api["lead_b"].post("/register/decisions", json={
        "person_id": "P1", "decision": "include",
        "rationale": "corroborated by two sources"}).status_code == 404


def test_audit_entries_and_verify(api):
    dpo = api["dpo"]
    r = dpo.get("/audit/entries", params={"limit": 5})
    assert r.status_code == 200 and r.json()["count"] == 5 and r.json()["next_after"] == 5
    assert [e["seq"] for e in r.json()["entries"]] == [1, 2, 3, 4, 5]
    assert dpo.get("/audit/verify").json()["ok"] is True
    assert api["admin"].get("/audit/verify").status_code == 200
    assert "limit" in problems(dpo.get("/audit/entries", params={"limit": 0}))
    assert "operation" in problems(dpo.get("/audit/entries", params={"operation": "reading"}))
    assert "from" in problems(dpo.get("/audit/entries", params={"from": "yesterday"}))
    assert "to" in problems(dpo.get("/audit/entries", params={"from": "2024-02-01",
                                                               "to": "2024-01-01"}))


def test_security_headers_and_no_store(api):
    r = api["analyst"].get("/boroughs")
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    refused = api["anonymous"].get("/boroughs")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


def test_request_body_over_one_mebibyte_is_413(api):
    big = b'{"name": "' + b"x" * (1 << 20) + b'"}'
    r = api["analyst"].post("/people/search", content=big,
                            headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
