"""People: search (names and dates of birth go in the body, never the URL) and the
justified view of one person's profile (R-LOG, R-CATEGORY)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.people import (
    AliasOut,
    AssessmentsOut,
    CustodyOut,
    EligibilityOut,
    ExplanationItemOut,
    FactsOut,
    IntelligenceOut,
    OffenceOut,
    PersonHitOut,
    PersonOut,
    ProfileOut,
    RegisterStatusOut,
    ScoreOut,
    SearchIn,
    SearchOut,
    ViewIn,
)
from gvm.authz import Actor, Permission
from gvm.domain.model import Intelligence
from gvm.domain.scoring import ExplanationItem
from gvm.domain.views import PersonHit
from gvm.services import records

router = APIRouter(prefix="/people", tags=["people"])

PersonId = Annotated[str, Path(min_length=1, max_length=64, description="Register id")]


def json_response(model: BaseModel) -> Response:
    """`model`, already validated when it was built, as JSON. A route that returns a
    Response skips FastAPI's second validation of its response_model, which for a plain
    `def` route is one more threadpool hop per request (the model still documents the
    route). Used by the two routes under the heaviest load: search and view."""
    return Response(model.model_dump_json(), media_type="application/json")


def hit_out(h: PersonHit) -> PersonHitOut:
    return PersonHitOut(person_id=h.person_id, surname=h.surname, forenames=h.forenames,
                        date_of_birth=h.date_of_birth, borough_code=h.borough_code,
                        harm_band=h.harm_band, victim_band=h.victim_band,
                        scored_as_of=h.scored_as_of)


def intelligence_out(i: Intelligence) -> IntelligenceOut:
    return IntelligenceOut(
        intel_id=i.intel_id, person_id=i.person_id, date=i.date, gang_id=i.gang_id,
        category=i.category.value, source_id=i.source_id, source_type=i.source_type.value,
        source_grade=i.source_grade.value, intel_grade=i.intel_grade.value,
        handling_code=i.handling_code.value, summary=i.summary)


def _items(items: tuple[ExplanationItem, ...]) -> list[ExplanationItemOut]:
    return [ExplanationItemOut(kind=i.kind, ref=i.ref, date=i.date, detail=i.detail,
                               weight=i.weight, factor=i.factor, points=i.points,
                               reason=i.reason) for i in items]


def profile_out(p: records.Profile) -> ProfileOut:
    s = p.score
    status = None if p.register is None else RegisterStatusOut(
        status=p.register.status.value, since=p.register.since,
        decided_by=p.register.decided_by, rationale=p.register.rationale)
    return ProfileOut(
        person=PersonOut(person_id=p.person.person_id, surname=p.person.surname,
                         forenames=p.person.forenames, date_of_birth=p.person.date_of_birth,
                         borough_code=p.person.borough_code),
        aliases=[AliasOut(surname=a.surname, forenames=a.forenames) for a in p.aliases],
        categories=list(p.categories),
        as_of=s.as_of,
        facts=FactsOut(
            offences=[OffenceOut(event_id=o.event_id, date=o.date,
                                 ho_offence_code=o.ho_offence_code, role=o.role.value,
                                 outcome=None if o.outcome is None else o.outcome.value)
                      for o in p.offences],
            custody=[CustodyOut(start_date=c.start_date, end_date=c.end_date)
                     for c in p.custody],
            in_custody=s.in_custody),
        assessments=AssessmentsOut(
            intelligence=[intelligence_out(i) for i in p.intelligence],
            harm=ScoreOut(score=s.harm_score, band=s.harm_band, items=_items(s.harm_items)),
            victim=ScoreOut(score=s.victim_score, band=s.victim_band,
                            items=_items(s.victim_items)),
            eligibility=EligibilityOut(eligible=s.eligibility.eligible,
                                       reason=s.eligibility.reason,
                                       qualifying=list(s.eligibility.qualifying),
                                       sources=list(s.eligibility.sources)),
            policy_version=s.policy_version, policy_hash=s.policy_hash),
        register_status=status,
    )


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
    return json_response(SearchOut(count=len(hits), results=[hit_out(h) for h in hits]))


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
    return json_response(profile_out(profile))
