"""Score runs: run the scorer over your scope (a combination, logged) and read a run's
counts by band (aggregates, not logged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import MAX_ID
from gvm.api.schemas.register import ScoreRunIn, ScoreRunOut
from gvm.authz import Actor, Permission
from gvm.domain.views import ScoreRunSummary
from gvm.services import score_runs

router = APIRouter(prefix="/scores", tags=["scores"])

Scorer = Annotated[Actor, require(Permission.SCORE_RUN)]


def run_out(s: ScoreRunSummary) -> ScoreRunOut:
    return ScoreRunOut(run_id=s.run_id, as_of=s.as_of, scope=s.scope,
                       policy_version=s.policy_version, policy_hash=s.policy_hash,
                       created_at=s.created_at, people=s.people, harm_bands=s.harm_bands,
                       victim_bands=s.victim_bands, eligible=s.eligible,
                       in_custody=s.in_custody)


@router.post("/runs", status_code=status.HTTP_201_CREATED, response_model=ScoreRunOut,
             responses=error_responses(401, 403, 404, 422), summary="Run the scorer")
def run(body: ScoreRunIn, register: RegisterDep, actor: Scorer) -> ScoreRunOut:
    """Borough roles score their own borough; force-wide roles one borough or everyone.
    Scores are decision support: nobody joins or leaves the register by them (R-HUMAN)."""
    return run_out(score_runs.run_scores(register.unit_of_work, actor, as_of=body.as_of,
                                         policy=register.policy,
                                         catalogue=register.catalogue, borough=body.borough))


@router.get("/runs/{run_id}", response_model=ScoreRunOut,
            responses=error_responses(401, 403, 404, 422), summary="A run's counts by band")
def get_run(run_id: Annotated[int, Path(ge=1, le=MAX_ID)], register: RegisterDep,
            actor: Scorer) -> ScoreRunOut:
    return run_out(score_runs.score_run(register.unit_of_work, actor, run_id))
