"""GET /health: is the service up (public, no personal data)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from gvm import __version__
from gvm.api.deps import PUBLIC

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    version: str


@router.get("/health", dependencies=[PUBLIC], response_model=HealthOut,
            summary="Service health")
def health() -> HealthOut:
    return HealthOut(status="ok", version=__version__)
