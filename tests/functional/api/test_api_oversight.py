"""The oversight reports through the web API (issue 6; R-EQUALITY, R-PUBLISH, R-LOG), on
SQLite and PostgreSQL: hand-checked figures on the API bundle, aggregates only (no
person's id, name or date of birth in any answer), each run in the audit log, and bad
input refused with the field named. Who may call them is in test_api_access's matrix."""

from __future__ import annotations

import csv
import io
import re

import pytest
from api_support import AS_OF, BUNDLE, CAMDEN, DEFAULT_POLICY, problems

# Everything personal in the bundle: surnames, forenames, dates of birth, person ids.
_PEOPLE = [line.split(",") for line in BUNDLE["people.csv"].splitlines()[1:]]
PERSONAL = [v for row in _PEOPLE for v in row[1:4]]
PERSON_IDS = re.compile(r"\bP[1-6]\b")


def assert_aggregate(text: str) -> None:
    for value in PERSONAL:  # as whole words: "Bo" is a forename, "Borough" is not
        assert not re.search(rf"\b{re.escape(value)}\b", text), value
    assert not PERSON_IDS.search(text), PERSON_IDS.search(text)


def _logged(api, seq: int, report: str) -> dict:
    got = [e.event for e in api.audit_after(seq) if e.event.detail.get("report") == report]
    assert len(got) == 1, report
    event = got[0]
    assert event.operation.value == "combination" and event.record_type == "report"
    assert event.actor == "dpo" and event.record_ids == ()
    return event.detail


def test_equality_json_and_csv(api):
    head = api.audit_head()
    r = api["dpo"].get("/oversight/equality", params={"as_of": AS_OF, "cohort": "eligible"})
    assert r.status_code == 200
    assert_aggregate(r.text)
    body = r.json()
    rows = [x for x in body["rows"] if x["area"] == "London" and x["breakdown"] == "all"]
    # Suspects of in-scope violence in the 36 months to 2024-06-30: P1 alone (E1 and
    # E3; E2 falls on the window's open end), who is Black.
    black = next(x for x in rows if x["group"] == "Black")
    assert (black["suspects_n"], black["suspects_count"]) == (1, 1)
    assert sum(x["count"] for x in rows) == rows[0]["cohort_n"] > 0
    assert {x["as_of"] for x in body["trend"]} >= {"2024-03-31", AS_OF}
    assert _logged(api, head, "equality")["cohort"] == "eligible"
    one = api["dpo"].get("/oversight/equality.csv", params={"as_of": AS_OF,
                                                              "borough": CAMDEN})
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/csv")
    assert_aggregate(one.text)
    table = list(csv.DictReader(io.StringIO(one.text)))
    assert table and {x["area"] for x in table} == {CAMDEN}


def test_quarterly_release_suppresses(api):
    r = api["dpo"].get("/oversight/quarterly", params={"quarter": "2024q2",
                                                       "cohort": "eligible"})
    assert r.status_code == 200
    assert_aggregate(r.text)
    body = r.json()
    assert body["quarter"] == "2024Q2" and body["as_of"] == AS_OF and body["total"] >= 1
    for table in body["tables"]:
        for line in table["lines"][1:]:
            assert all(c == "[c]" or not 1 <= int(c) <= 4 for c in line[1:]), line


def test_backtest_summary(api):
    head = api.audit_head()
    r = api["dpo"].get("/oversight/backtest", params={"as_of": "2023-06-30"})
    assert r.status_code == 200
    assert_aggregate(r.text)
    body = r.json()
    # involved after 2023-06-30 within 12 months: E1 (2024-01-10) P1 and P2
    assert body["coverage"]["involved"] == 2
    assert {x["harm_band"] for x in body["calibration"]} >= {"Red", "Zero", "all"}
    assert _logged(api, head, "backtest")["involved"] == 2


def test_whatif_counts_only(api):
    head = api.audit_head()
    proposed = DEFAULT_POLICY.replace("amber_from = 250", "amber_from = 400")
    r = api["dpo"].post("/oversight/whatif", json={"as_of": AS_OF,
                                                   "proposed_policy": proposed})
    assert r.status_code == 200
    assert_aggregate(r.text)
    body = r.json()
    assert sum(t["count"] for t in body["transitions"] if t["direction"] == "up") == 0
    assert body["cohort_current"] == body["cohort_proposed"]
    detail = _logged(api, head, "policy what-if")
    assert detail["people_listed"] == 0
    bad = api["dpo"].post("/oversight/whatif", json={"as_of": AS_OF,
                                                     "proposed_policy": "not = [toml"})
    assert problems(bad) == {"proposed_policy"}


def test_gang_network(api):
    head = api.audit_head()
    r = api["dpo"].get("/oversight/gangs", params={"as_of": AS_OF, "months": 12})
    assert r.status_code == 200
    assert_aggregate(r.text)
    body = r.json()
    members = {n["gang_id"]: n["members"] for n in body["nodes"]}
    # membership intelligence in the 24 months to as_of: G1 P1, P4, P6; G2 P3
    assert members == {"G1": 3, "G2": 1}
    # E1 is P1 (G1) against P2, who belongs to no gang: no violence between gangs
    assert body["edges"] == [] and body["totals"]["incidents"] == 0
    assert _logged(api, head, "gang picture")["incidents"] == 0
    camden = api["dpo"].get("/oversight/gangs", params={"as_of": AS_OF,
                                                          "borough": CAMDEN}).json()
    assert [n["gang_id"] for n in camden["nodes"]] == ["G1"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/oversight/equality", {"as_of": "2024-13-01"}, "as_of"),
    ("/oversight/equality", {"as_of": AS_OF, "borough": "E0900007"}, "borough"),
    ("/oversight/quarterly", {"quarter": "2024Q5"}, "quarter"),
    ("/oversight/backtest", {"as_of": AS_OF, "horizon_months": 0}, "horizon_months"),
    ("/oversight/gangs", {"as_of": AS_OF, "borough": "E09000099"}, "borough"),
])
def test_bad_input_names_the_field(api, path, params, field):
    assert problems(api["dpo"].get(path, params=params)) == {field}
