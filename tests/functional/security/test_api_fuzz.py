"""Fuzzing the web API against its own OpenAPI document with schemathesis, as each role
(R-ACCESS, R-LOG): for every operation, generated requests (valid and invalid) never
get a 5xx, every response matches what the document says of that operation (status code,
content type, headers, body schema), and no error body carries a name or date of birth
from the register.

Bounded for CI: GVM_FUZZ_EXAMPLES valid and as many invalid requests (default 2) to each
operation the role may call, one of each to the others. A release runs it longer, e.g.
`GVM_FUZZ_EXAMPLES=200 python -m pytest tests/functional/security/test_api_fuzz.py`
(docs/SECURITY.md)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import schemathesis
from api_support import BUNDLE, CAMDEN, USERS
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from gvm.api.deps import api_routes, declared_permissions, is_public
from gvm.authz import ROLE_PERMISSIONS
from gvm.services.accounts import create_api_token

EXAMPLES = int(os.environ.get("GVM_FUZZ_EXAMPLES", "2"))
ROLES = [*USERS, "anonymous"]
# No shrinking in CI, where the budget is time; a release run shrinks to the smallest case.
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if EXAMPLES > 50 else [])
# CI's few examples are the same every run (a rare case must not pass one run and fail
# the next); a run with more examples (GVM_FUZZ_EXAMPLES) explores new ones each time.
DERANDOMIZE = "GVM_FUZZ_EXAMPLES" not in os.environ


def _personal_data() -> list[str]:
    """Every surname, forename and date of birth in the register's bundle."""
    found = []
    for name in ("people.csv", "aliases.csv"):
        header, *rows = BUNDLE[name].splitlines()
        columns = header.split(",")
        for row in rows:
            record = dict(zip(columns, row.split(","), strict=True))
            found += [record[c] for c in ("surname", "forenames", "date_of_birth")
                      if c in record]
    return sorted({v.lower() for v in found if v})


PERSONAL = re.compile("|".join(rf"\b{re.escape(v)}\b" for v in _personal_data()), re.I)
# Rules across fields that JSON Schema cannot say, checked by the service with a 422
# naming the field: a schema-valid request may be refused there, and only there.
CROSS_FIELD = {
    "GET /api/v1/audit/entries": "`to` must not be before `from`",
    "POST /api/v1/meetings/{meeting_id}/attendees": "a username, or a name and organisation",
    "POST /api/v1/meetings/{meeting_id}/actions": "due on or after the meeting",
    "POST /api/v1/referrals": "referred_on not in the future",
    "POST /api/v1/referrals/{referral_id}/outcome": "not before the referral",
    "POST /api/v1/subjects/{person_id}/report": "a child's needs a guardian",
    "POST /api/v1/people/{person_id}/erasure": "a child's needs a guardian",
    "POST /api/v1/removal-requests/{request_id}/answer": "answered once",
    "POST /api/v1/oversight/whatif": "a proposed policy that parses",
}


@pytest.fixture(scope="module")
def schema(api):
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)


@pytest.fixture(scope="module")
def tokens(api) -> dict[str, str]:
    return {user: create_api_token(api.register.unit_of_work, username=user, name="fuzz")
            for user in USERS}


def _no_personal_data_in_errors(response: Any) -> None:
    if response.status_code >= 400:
        leaked = PERSONAL.findall(response.text)
        assert not leaked, f"{response.status_code} body names {leaked}"


def _fuzz(operation: Any, headers: dict[str, str], examples: int) -> None:
    """Generated requests to one operation, valid and invalid, each response checked."""
    excluded = ([schemathesis.checks.positive_data_acceptance]
                if operation.label in CROSS_FIELD else [])

    @settings(max_examples=examples * 2, deadline=None, database=None, phases=PHASES,
              derandomize=DERANDOMIZE, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    def fuzz(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, excluded_checks=excluded)
        _no_personal_data_in_errors(response)

    fuzz()


def _permitted(api: Any, role: str) -> set[str]:
    """The operations (as schemathesis labels them) the role may call."""
    granted = ROLE_PERMISSIONS[USERS[role][0]] if role in USERS else frozenset()
    return {f"{method} {path}" for method, path, route in api_routes(api.app)
            if is_public(route) or set(declared_permissions(route)) <= granted}


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_to_its_documented_contract(api, schema, tokens, role):
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {o.label for o in operations} == {f"{m} {p}" for m, p, _ in api_routes(api.app)}
    permitted = _permitted(api, role)
    failures: list[str] = []
    for operation in operations:
        # A refused role is answered before its input is read: a couple of tries suffice.
        examples = EXAMPLES if operation.label in permitted else 1
        try:
            _fuzz(operation, headers, examples)
        except Exception as e:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {e}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/people/search", {"name": "ab\x00c"}),  # PostgreSQL cannot compare NUL
    ("POST", "/auth/login", {"username": "a\x00", "password": "x", "totp_code": "123456"}),
    ("GET", f"/scores/runs/{2**63}", None),  # no driver binds it
    ("GET", f"/disclosures/{2**31}", None),  # beyond PostgreSQL's INTEGER
    ("POST", "/scores/runs", {"as_of": "0001-01-01"}),  # no years before it to look back
    ("POST", "/people/P1/views", {"justification": "\v"}),  # blank once stripped
    ("GET", "/audit/entries?actor=a%00", None),  # PostgreSQL cannot compare NUL
    ("GET", "/audit/entries?person_id=P%00", None),
    ("GET", f"/register/{CAMDEN}/support?as_of=0001-01-01", None),  # no years to look back
    # A day is YYYY-MM-DD (format: date); pydantic read numbers as days since 1970.
    ("GET", "/audit/entries?to=0.0", None),
    ("GET", f"/oversight/equality?as_of=1700000000&borough={CAMDEN}", None),
    ("POST", "/scores/runs", {"as_of": 0}),
    ("POST", "/scores/runs", {"as_of": "2024-06-30T00:00"}),
])
def test_inputs_the_fuzzer_found_are_refused_as_malformed(api, method, path, body):
    """Each was a 500 or an undocumented answer before (R-ACCESS: nothing half done)."""
    session = api["partner" if path.startswith("/disclosures") else
                  "dpo" if path.startswith("/audit") else "force"]
    r = session.request(method, path, json=body)
    assert r.status_code == 422, r.text


def test_a_body_that_is_not_utf8_is_a_documented_422(api):
    r = api["force"].request("POST", "/people/search", content=b"\xff\xfe{",
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"]


def test_the_last_day_there_is_ends_an_audit_query(api):
    """`to` is inclusive: its next day, the query's bound, does not exist after 9999-12-31
    (was a 500 on both backends)."""
    everything = api["dpo"].get("/audit/entries", params={"limit": 1000}).json()["count"]
    r = api["dpo"].get("/audit/entries", params={"to": "9999-12-31", "limit": 1000})
    assert r.status_code == 200 and r.json()["count"] >= everything > 0
