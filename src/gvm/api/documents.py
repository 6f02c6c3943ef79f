"""The JSON of the routes under the heaviest load (a person's profile, search hits), built
as plain dicts from the domain values and serialised by pydantic-core in one call.

Why not the response models: building a model validates it, field by field and item by
item, and a profile holds some fifty items; that cost more than reading the profile
(docs/PERFORMANCE.md). The models still document the routes (`response_model`), and the
tests check that every document is exactly its model's JSON (tests/functional/api/
test_api_documents.py), so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic_core import to_json

from gvm.domain.model import Intelligence
from gvm.domain.scoring import ExplanationItem
from gvm.domain.views import PersonHit
from gvm.services.records import Profile

Document = dict[str, Any]


def json_response(document: Any) -> Response:
    """`document` (dicts, lists, dates, strings, numbers) as a JSON response."""
    return Response(to_json(document), media_type="application/json")


def hit_document(h: PersonHit) -> Document:
    return {"person_id": h.person_id, "surname": h.surname, "forenames": h.forenames,
            "date_of_birth": h.date_of_birth, "borough_code": h.borough_code,
            "harm_band": h.harm_band, "victim_band": h.victim_band,
            "scored_as_of": h.scored_as_of}


def intelligence_document(i: Intelligence) -> Document:
    return {"intel_id": i.intel_id, "person_id": i.person_id, "date": i.date,
            "gang_id": i.gang_id, "category": i.category.value, "source_id": i.source_id,
            "source_type": i.source_type.value, "source_grade": i.source_grade.value,
            "intel_grade": i.intel_grade.value, "handling_code": i.handling_code.value,
            "summary": i.summary}


def _items(items: tuple[ExplanationItem, ...]) -> list[Document]:
    return [{"kind": i.kind, "ref": i.ref, "date": i.date, "detail": i.detail,
             "weight": i.weight, "factor": i.factor, "points": i.points, "reason": i.reason}
            for i in items]


def profile_document(p: Profile) -> Document:
    """What ProfileOut documents: identity, facts apart from assessments (R-CATEGORY)."""
    s, person, register = p.score, p.person, p.register
    return {
        "person": {"person_id": person.person_id, "surname": person.surname,
                   "forenames": person.forenames, "date_of_birth": person.date_of_birth,
                   "borough_code": person.borough_code},
        "aliases": [{"surname": a.surname, "forenames": a.forenames} for a in p.aliases],
        "categories": list(p.categories),
        "as_of": s.as_of,
        "facts": {
            "offences": [{"event_id": o.event_id, "date": o.date,
                          "ho_offence_code": o.ho_offence_code, "role": o.role.value,
                          "outcome": None if o.outcome is None else o.outcome.value}
                         for o in p.offences],
            "custody": [{"start_date": c.start_date, "end_date": c.end_date}
                        for c in p.custody],
            "in_custody": s.in_custody,
        },
        "assessments": {
            "intelligence": [intelligence_document(i) for i in p.intelligence],
            "harm": {"score": s.harm_score, "band": s.harm_band, "items": _items(s.harm_items)},
            "victim": {"score": s.victim_score, "band": s.victim_band,
                       "items": _items(s.victim_items)},
            "eligibility": {"eligible": s.eligibility.eligible, "reason": s.eligibility.reason,
                            "qualifying": list(s.eligibility.qualifying),
                            "sources": list(s.eligibility.sources)},
            "policy_version": s.policy_version,
            "policy_hash": s.policy_hash,
        },
        "register_status": None if register is None else {
            "status": register.status.value, "since": register.since,
            "decided_by": register.decided_by, "rationale": register.rationale},
    }
