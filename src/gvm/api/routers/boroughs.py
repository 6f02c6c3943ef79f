"""GET /boroughs: the 33 London boroughs and which of them the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from gvm.api.deps import require
from gvm.api.errors import error_responses
from gvm.api.schemas.register import BoroughOut
from gvm.authz import Actor, Permission
from gvm.services import records

router = APIRouter(prefix="/boroughs", tags=["boroughs"])


@router.get("", response_model=list[BoroughOut], responses=error_responses(401, 403),
            summary="List boroughs")
def list_boroughs(actor: Annotated[Actor, require(Permission.BOROUGH_READ)]
                  ) -> list[BoroughOut]:
    return [BoroughOut(code=a.borough.code, name=a.borough.name,
                       population=a.borough.population, visible=a.visible)
            for a in records.list_boroughs(actor)]
