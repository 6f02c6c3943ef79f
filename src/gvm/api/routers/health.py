"""GET /health: is the service up; GET /ready: can it serve, its database answering
(both public, no personal data: for load balancers and service managers)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from gvm import __version__
from gvm.api.deps import PUBLIC, RegisterDep
from gvm.api.errors import error_responses

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    version: str


@router.get("/health", dependencies=[PUBLIC], response_model=HealthOut,
            summary="Service health")
def health() -> HealthOut:
    return HealthOut(status="ok", version=__version__)


class ReadyOut(BaseModel):
    status: str


@router.get("/ready", dependencies=[PUBLIC], response_model=ReadyOut,
            responses=error_responses(503), summary="Service readiness: the database answers")
async def ready(register: RegisterDep) -> ReadyOut:
    await register.run(register.ready)  # unreachable or busy: 503 (gvm.api.errors)
    return ReadyOut(status="ready")
