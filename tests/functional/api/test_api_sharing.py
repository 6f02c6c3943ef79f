"""Information sharing through the web API, on SQLite and PostgreSQL (R-ISA,
R-SELECTED, R-NOT-SOLE, R-NO-COURT, R-ACCURACY, R-LOG, R-ACCESS): partners see only their
own organisation's disclosures and never the register; a preview is exactly what is
sent; exports neutralise spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from api_support import AS_OF, CAMDEN, HACKNEY, isa_body
from openpyxl import load_workbook

from gvm.authz import Role
from gvm.domain.model import Bundle, Person, Sex
from gvm.domain.sharing import NOT_SOLE_BASIS

YOS = "Camden Youth Offending Service"
HOUSING = "Hackney Housing"
INJECTION = '=HYPERLINK("http://evil.example/x","click")'


@pytest.fixture(scope="module")
def housing(api):
    """A second partner organisation, with its own ISA and one disclosure to it."""
    api.add_user("housing", Role.PARTNER, None, HOUSING)
    session = api.sign_in("housing")
    isa = api["dpo"].post("/isas", json=isa_body(
        organisation=HOUSING, organisation_type="housing", boroughs=[HACKNEY]))
    assert isa.status_code == 201, isa.text
    made = api["lead_b"].post("/disclosures", json={
        "isa_id": isa.json()["isa_id"], "person_ids": ["P3"], "fields": ["names"],
        "as_of": AS_OF, "justification": "housing panel"})
    assert made.status_code == 201, made.text
    return session, made.json()["disclosure_id"]


def _disclosure(isa_id, people=("P1",), fields=("names", "harm_band")):
    return {"isa_id": isa_id, "person_ids": list(people), "fields": list(fields),
            "as_of": AS_OF, "justification": "multi-agency panel"}


def test_court_and_prosecution_isas_are_refused(api):
    dpo = api["dpo"]
    r = dpo.post("/isas", json=isa_body(purpose="evidence to support prosecution"))
    assert r.status_code == 409 and "R-NO-COURT" in r.json()["detail"]
    r = dpo.post("/isas", json=isa_body(organisation="Crown Prosecution Service"))
    assert r.status_code == 409 and "R-NO-COURT" in r.json()["detail"]
    assert dpo.post("/isas", json=isa_body(organisation_type="court")).status_code == 422


def test_preview_is_exactly_what_is_disclosed(api):
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    body = _disclosure(isa_id, people=("P1", "P4"), fields=("names", "harm_band", "offences"))
    preview = api["analyst"].post("/disclosures/preview", json=body)
    assert preview.status_code == 200, preview.text
    made = api["analyst"].post("/disclosures", json=body)
    assert made.status_code == 201, made.text
    p, m = preview.json(), made.json()
    assert p["disclosure_id"] is None and m["disclosure_id"] > 0
    for key in ("people", "fields", "withheld_fields", "condition", "handling_conditions",
                "recipient", "as_of", "policy_version"):
        assert p[key] == m[key], key
    assert m["fields"] == ["harm_band", "names", "score_explanation"]
    assert m["withheld_fields"] == ["offences"] and m["condition"] == NOT_SOLE_BASIS
    assert {tuple(sorted(e)) for e in m["people"]} == {
        ("forenames", "harm_band", "score_explanation", "surname")}


def test_disclosure_refusals(api):
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    expired = api["dpo"].post("/isas", json=isa_body(end_date="2024-01-31")).json()["isa_id"]
    force, analyst = api["force"], api["analyst"]
    r = force.post("/disclosures", json=_disclosure(isa_id, people=("P1", "P3")))
    assert r.status_code == 409 and "R-SELECTED" in r.json()["detail"]
    assert analyst.post("/disclosures", json=_disclosure(isa_id, people=("P3",))
                        ).status_code == 404
    r = analyst.post("/disclosures", json=_disclosure(expired))
    assert r.status_code == 409 and "not in force" in r.json()["detail"]
    assert analyst.post("/disclosures", json=_disclosure(9999)).status_code == 404


def test_partner_sees_only_its_own_organisations_disclosures(api, housing):
    housing_session, housing_id = housing
    partner = api["partner"]
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    mine = api["lead"].post("/disclosures", json=_disclosure(isa_id)).json()["disclosure_id"]
    listed = partner.get("/disclosures").json()["disclosures"]
    assert mine in {d["disclosure_id"] for d in listed}
    assert housing_id not in {d["disclosure_id"] for d in listed}
    assert {d["recipient"] for d in listed} == {YOS}
    assert [d["disclosure_id"] for d in housing_session.get("/disclosures").json()[
        "disclosures"]] == [housing_id]
    every = {d["disclosure_id"] for d in api["dpo"].get("/disclosures").json()["disclosures"]}
    assert {mine, housing_id} <= every
    # another organisation's disclosure is reported like one that does not exist
    assert partner.get(f"/disclosures/{housing_id}").json() == partner.get(
        "/disclosures/99999").json()
    assert partner.post(f"/disclosures/{housing_id}/acknowledgement").status_code == 404
    assert partner.get(f"/disclosures/{housing_id}/export").status_code == 404
    # the register itself stays closed to partners
    assert partner.post("/people/search", json={"name": "a"}).status_code == 403
    assert partner.post("/people/P1/views", json={"justification": "x"}).status_code == 403
    assert partner.get("/isas").status_code == 403
    # the condition is acknowledged before the content is read (R-NOT-SOLE)
    r = partner.get(f"/disclosures/{mine}")
    assert r.status_code == 409 and "R-NOT-SOLE" in r.json()["detail"]
    ack = partner.post(f"/disclosures/{mine}/acknowledgement")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "partner"
    got = partner.get(f"/disclosures/{mine}").json()
    assert got["people"][0]["surname"] and got["condition"] == NOT_SOLE_BASIS


def test_exports_neutralise_formulas_and_are_logged(api):
    with api.register.unit_of_work() as uow:
        uow.save_bundle(Bundle(people=(Person("P70", INJECTION, "+cmd|' /C calc'!A0",
                                              date(2003, 3, 3), Sex.MALE, None, CAMDEN),)),
                        source_name="injection.csv", sha256="cd" * 32)
        uow.commit()
    isa_id = api["dpo"].post("/isas", json=isa_body()).json()["isa_id"]
    made = api["analyst"].post("/disclosures", json=_disclosure(isa_id, people=("P70",),
                                                                fields=("names",)))
    assert made.status_code == 201, made.text
    did = made.json()["disclosure_id"]
    partner = api["partner"]
    partner.post(f"/disclosures/{did}/acknowledgement")
    head = api.audit_head()
    r = partner.get(f"/disclosures/{did}/export", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["Condition", NOT_SOLE_BASIS]
    cells = [c for row in rows for c in row]
    assert "'" + INJECTION in cells and INJECTION not in cells
    assert "'+cmd|' /C calc'!A0" in cells
    x = partner.get(f"/disclosures/{did}/export", params={"format": "xlsx"})
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in values if isinstance(c.value, str))
    assert "'" + INJECTION in {c.value for c in values}
    assert sheet["B1"].value == NOT_SOLE_BASIS
    logged = [e.event for e in api.audit_after(head)]
    assert [(e.operation.value, e.recipient, e.detail.get("export")) for e in logged] == [
        ("disclosure", YOS, "csv"), ("disclosure", YOS, "xlsx")]
