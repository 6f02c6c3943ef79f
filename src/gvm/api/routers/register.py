"""The register: a borough's cohort, and a supervisor's decision to include or remove a
person (R-HUMAN: never by score alone)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.routers.people import hit_out
from gvm.api.schemas.register import CohortMemberOut, CohortOut, DecisionIn, DecisionOut
from gvm.authz import Actor, Permission
from gvm.domain.policy import SCORE_SCALE
from gvm.services import records
from gvm.services import register as register_service

router = APIRouter(prefix="/register", tags=["register"])


@router.get("/{borough_code}", response_model=CohortOut,
            responses=error_responses(401, 403, 404, 422), summary="A borough's register")
def cohort(borough_code: Annotated[str, Path(pattern=r"^E09[0-9]{6}$")], register: RegisterDep,
           actor: Annotated[Actor, require(Permission.REGISTER_READ)]) -> CohortOut:
    """Everyone on the borough's register now; logged as a consultation."""
    entries = records.register_cohort(register.unit_of_work, actor, borough_code)
    people = [CohortMemberOut(**hit_out(e.person).model_dump(), on_register_since=e.since)
              for e in entries]
    return CohortOut(borough_code=borough_code, count=len(people), people=people)


@router.post("/decisions", status_code=status.HTTP_201_CREATED, response_model=DecisionOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Include or remove a person")
def decide(body: DecisionIn, register: RegisterDep,
           actor: Annotated[Actor, require(Permission.REGISTER_DECIDE)]) -> DecisionOut:
    """A gang lead's decision with a rationale, on the score as of `as_of`. Inclusion
    needs the threshold met (409 with the reason otherwise); logged as an alteration."""
    decide_fn = (register_service.decide_inclusion if body.decision == "include"
                 else register_service.decide_removal)
    d = decide_fn(register.unit_of_work, body.person_id, actor=actor, rationale=body.rationale,
                  as_of=body.as_of or date.today(), policy=register.policy,
                  catalogue=register.catalogue)
    return DecisionOut(decision_id=d.decision_id, person_id=d.person_id,
                       decision=d.decision.value, decided_by=d.decided_by,
                       decided_at=d.decided_at, as_of=d.as_of,
                       harm_score=d.harm_units / SCORE_SCALE,
                       victim_score=d.victim_units / SCORE_SCALE, eligible=d.eligible,
                       policy_version=d.policy_version)
