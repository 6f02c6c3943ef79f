"""People: search (names and dates of birth go in the body, never the URL) and the
justified view of one person's profile (R-LOG, R-CATEGORY)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Response

from gvm.api.deps import RegisterDep, require
from gvm.api.documents import (
    hit_document,
    intelligence_document,
    json_response,
    profile_document,
)
from gvm.api.errors import error_responses
from gvm.api.schemas.people import (
    IntelligenceOut,
    PersonHitOut,
    ProfileOut,
    SearchIn,
    SearchOut,
    ViewIn,
)
from gvm.authz import Actor, Permission
from gvm.domain.model import Intelligence
from gvm.domain.views import PersonHit
from gvm.services import records

router = APIRouter(prefix="/people", tags=["people"])

PersonId = Annotated[str, Path(min_length=1, max_length=64, description="Register id")]


def hit_out(h: PersonHit) -> PersonHitOut:
    return PersonHitOut(**hit_document(h))


def intelligence_out(i: Intelligence) -> IntelligenceOut:
    return IntelligenceOut(**intelligence_document(i))


@router.post("/search", response_model=SearchOut, responses=error_responses(401, 403, 404, 422),
             summary="Search people in your scope")
async def search(body: SearchIn, register: RegisterDep,
                 actor: Annotated[Actor, require(Permission.PERSON_SEARCH)]) -> Response:
    """Only people of the boroughs you may see. The search and the ids it returned are
    logged as a consultation (justification "search")."""
    hits = await register.run(records.search_people, register.unit_of_work, actor,
                              name=body.name, alias=body.alias,
                              date_of_birth=body.date_of_birth, person_id=body.person_id,
                              borough=body.borough, limit=body.limit)
    return json_response({"count": len(hits), "results": [hit_document(h) for h in hits]})


@router.post("/{person_id}/views", response_model=ProfileOut,
             responses=error_responses(401, 403, 404, 422), summary="View a person's profile")
async def view(person_id: PersonId, body: ViewIn, register: RegisterDep,
               actor: Annotated[Actor, require(Permission.PERSON_VIEW)]) -> Response:
    """A consultation, logged with your justification: identity, aliases, categories,
    facts (offences, custody) apart from assessments (graded intelligence, both scores
    with their explanation, eligibility) and the register status."""
    profile = await register.run(records.view_profile, register.unit_of_work, actor,
                                 person_id, justification=body.justification,
                                 as_of=body.as_of or date.today(), policy=register.policy,
                                 catalogue=register.catalogue)
    return json_response(profile_document(profile))
