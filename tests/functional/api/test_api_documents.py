"""The JSON of the profile view and the search (gvm.api.documents, built without the
response models for speed) is exactly what the models document: each answer, parsed by
its model and written out again, is byte for byte the same. On both backends, for
every person of the test register (offences as suspect, victim and witness, custody
open and closed, aliases, intelligence of every category, on the register and not)."""

from __future__ import annotations

from api_support import AS_OF

from gvm.api.schemas.people import ProfileOut, SearchOut

PEOPLE = ("P1", "P2", "P3", "P4", "P5", "P6")


def test_every_profile_is_exactly_its_documented_json(api):
    decided = api["lead"].post("/register/decisions", json={
        "person_id": "P1", "decision": "include", "as_of": AS_OF,
        "rationale": "corroborated membership, recent weapon intelligence"})
    assert decided.status_code == 201, decided.text
    shown = set()
    for person_id in PEOPLE:
        for as_of in (AS_OF, "2021-07-01"):
            response = api["force"].post(f"/people/{person_id}/views", json={
                "justification": "checking the document", "as_of": as_of})
            assert response.status_code == 200, response.text
            body = response.content
            assert ProfileOut.model_validate_json(body).model_dump_json().encode() == body
            profile = response.json()
            shown.add(profile["register_status"] is not None)
            assert profile["person"]["person_id"] == person_id
    assert shown == {True, False}


def test_every_search_is_exactly_its_documented_json(api):
    for name in ("a", "e", "zanzibarova", "ada", "zzz"):
        response = api["force"].post("/people/search", json={"name": name})
        assert response.status_code == 200, response.text
        body = response.content
        assert SearchOut.model_validate_json(body).model_dump_json().encode() == body
    assert response.json() == {"count": 0, "results": []}
