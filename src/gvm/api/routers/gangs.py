"""GET /gangs: the gangs of the boroughs the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.register import GangOut
from gvm.authz import Actor, Permission
from gvm.services import records

router = APIRouter(prefix="/gangs", tags=["gangs"])


@router.get("", response_model=list[GangOut], responses=error_responses(401, 403, 404, 422),
            summary="List gangs")
def list_gangs(
    register: RegisterDep, actor: Annotated[Actor, require(Permission.GANG_READ)],
    borough: Annotated[str | None, Query(pattern=r"^E09[0-9]{6}$",
                                         description="One borough (GSS code)")] = None,
) -> list[GangOut]:
    """Your borough's gangs (all boroughs' for force-wide roles); a borough outside your
    scope is 404."""
    return [GangOut(gang_id=g.gang_id, name=g.name, borough_code=g.borough_code,
                    members=g.members)
            for g in records.list_gangs(register.unit_of_work, actor, borough=borough)]
