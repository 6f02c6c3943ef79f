"""A borough through two quarters, end to end through the web API on SQLite and PostgreSQL
(R-HUMAN, R-REVIEW, R-MEETING, R-CONFIDENTIAL, R-ISA, R-NOT-SOLE, R-RETENTION,
R-ACCURACY, R-SUBJECT, R-LOG): people are added, the cohort is reviewed, a meeting is held
at which one attendee does not sign (and gets no pack), a partner exports a disclosure,
the next review removes a person who is then erased with a notice to that partner, and
the subject report lists the export. Afterwards the removed person is in no table, search
or export, and in the audit log only as an id."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from api_support import CAMDEN, isa_body

from gvm.storage import tables

Q2, Q3 = "2024-06-30", "2024-09-30"
WHY = "reviewed at the quarterly cohort review with the partners' information"
YOS = "Camden Youth Offending Service"
GONE = ("Lockwood", "2002-02-02")  # P6's surname and date of birth
IDS_ONLY = {"disclosure_items", "removal_requests"}  # ids kept on purpose


def _review(lead, as_of: str, decisions: dict[str, str]) -> None:
    opened = lead.post("/reviews", json={"borough_code": CAMDEN, "as_of": as_of})
    assert opened.status_code == 201, opened.text
    review_id = opened.json()["review_id"]
    assert sorted(line["person_id"] for line in opened.json()["lines"]) == sorted(decisions)
    for person_id, decision in decisions.items():
        r = lead.post(f"/reviews/{review_id}/decisions", json={
            "person_id": person_id, "decision": decision, "rationale": WHY})
        assert r.status_code == 201, r.text
    assert lead.post(f"/reviews/{review_id}/closure").status_code == 200


def _rows_holding(api, person_id: str) -> set[str]:
    found = set()
    with api.register.database.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            if "person_id" in table.c and conn.execute(
                    sa.select(sa.func.count()).select_from(table)
                    .where(table.c.person_id == person_id)).scalar_one():
                found.add(table.name)
    return found


def test_a_borough_through_two_quarters(api):
    lead, analyst, partner, dpo = api["lead"], api["analyst"], api["partner"], api["dpo"]
    # quarter 2: additions (a named supervisor's decision each) and the review
    for person_id in ("P1", "P4", "P6"):
        r = lead.post("/register/decisions", json={
            "person_id": person_id, "decision": "include", "as_of": Q2,
            "rationale": "two graded sources corroborate membership"})
        assert r.status_code == 201, r.text
    _review(lead, Q2, {"P1": "retain", "P4": "retain", "P6": "retain"})

    # the four-weekly meeting: the partner signs, a representative does not
    isa_id = dpo.post("/isas", json=isa_body()).json()["isa_id"]
    meeting = lead.post("/meetings", json={"borough_code": CAMDEN, "first": "2024-07-02"})
    meeting_id = meeting.json()["meetings"][0]["meeting_id"]
    signed = lead.post(f"/meetings/{meeting_id}/attendees",
                       json={"username": "partner"}).json()["attendee_id"]
    unsigned = lead.post(f"/meetings/{meeting_id}/attendees",
                         json={"name": "Al Rep", "organisation": YOS}).json()["attendee_id"]
    lead.post(f"/meetings/{meeting_id}/attendees/{signed}/signature", json={})
    refused = analyst.get(f"/meetings/{meeting_id}/attendees/{unsigned}/pack")
    assert refused.status_code == 409 and "R-CONFIDENTIAL" in refused.json()["detail"]
    pack = analyst.get(f"/meetings/{meeting_id}/attendees/{signed}/pack")
    assert pack.status_code == 200 and GONE[0] in pack.text  # the ISA gives names

    # a partner export under the ISA
    made = analyst.post("/disclosures", json={
        "isa_id": isa_id, "person_ids": ["P1", "P4", "P6"], "fields": ["names", "harm_band"],
        "as_of": Q2, "justification": "youth offending panel"})
    assert made.status_code == 201, made.text
    disclosure_id = made.json()["disclosure_id"]
    assert partner.post(f"/disclosures/{disclosure_id}/acknowledgement").status_code == 200
    export = partner.get(f"/disclosures/{disclosure_id}/export", params={"format": "csv"})
    assert GONE[0] in export.text

    # P6 asks to be removed; quarter 3: the review removes P6, who is then erased with a
    # notice to the partner, and the request is answered
    request = dpo.post("/removal-requests", json={"person_id": "P6"}).json()
    _review(lead, Q3, {"P1": "retain", "P4": "retain", "P6": "remove"})
    erased = lead.post("/people/P6/erasure", json={"rationale": WHY})
    assert erased.status_code == 200, erased.text
    [notice] = erased.json()["notices"]
    assert notice["organisation"] == YOS and disclosure_id in notice["disclosure_ids"]
    assert len(notice["disclosure_ids"]) == 2  # the export and the meeting pack
    assert not any(g in notice["text"] for g in GONE)

    answered = dpo.post(f"/removal-requests/{request['request_id']}/answer",
                        json={"outcome": "removed", "rationale": "removed and erased"})
    assert answered.json()["outcome"] == "removed"
    report = dpo.post("/subjects/P6/report", json={}).json()
    assert report["erased"] and not report["held"] and report["ever_on_register"]
    assert disclosure_id in [d["disclosure_id"] for d in report["disclosures"]]
    assert [h["decision"] for h in report["register_history"]] == ["include", "remove"]

    # afterwards: in no table, search or export; in the log as an id only
    assert _rows_holding(api, "P6") == IDS_ONLY
    assert api["force"].post("/people/search", json={"name": GONE[0]}).json()["count"] == 0
    assert api["force"].post("/people/search", json={"person_id": "P6"}).json()["count"] == 0
    again = partner.get(f"/disclosures/{disclosure_id}/export", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(again.content.decode("utf-8-sig"))))
    body = rows[rows.index([]) + 2:]
    assert len(body) == 2 and not any(g in again.text for g in GONE)
    next_pack = analyst.get(f"/meetings/{meeting_id}/attendees/{signed}/pack")
    assert not any(g in next_pack.text for g in GONE)
    assert analyst.post("/people/P6/views", json={"justification": "x"}).status_code == 404
    with api.register.database.engine.connect() as conn:
        logged = [r for r in conn.execute(sa.select(tables.audit_log))]
    text = " ".join(str(v) for row in logged for v in row)
    assert "P6" in text and not any(g in text for g in GONE)
    assert api["dpo"].get("/audit/verify").json()["ok"] is True
