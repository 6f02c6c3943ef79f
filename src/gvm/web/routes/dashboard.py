"""The borough dashboard page (gvm.services.dashboard). A borough user sees their own
borough; a force-wide analyst picks one (a GSS code in the query, not personal data)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gvm import reference
from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission
from gvm.services import dashboard
from gvm.services.records import list_boroughs
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter()
Borough = Annotated[str | None, Query(pattern=r"^E09[0-9]{6}$")]


@router.get("/dashboard")
def borough_dashboard(request: Request, register: RegisterDep,
                      actor: Annotated[Actor, require(Permission.REGISTER_READ)],
                      borough: Borough = None, as_of: date | None = None) -> Response:
    """`as_of` (default today) dates the scores and proposals."""
    day = as_of or date.today()
    visible = [b.borough for b in list_boroughs(actor) if b.visible]
    chosen = actor.borough_code or borough
    if chosen is None:
        return page(request, "dashboard.html", title="Borough dashboard", board=None,
                    boroughs=visible, as_of=day)
    board = dashboard.borough_dashboard(register.unit_of_work, actor, chosen,
                                        as_of=day, policy=register.policy,
                                        catalogue=register.catalogue)
    return page(request, "dashboard.html", title="Borough dashboard", board=board,
                boroughs=visible if actor.borough_code is None else [],
                borough=reference.boroughs()[chosen], as_of=day,
                near_days=dashboard.NEAR_DEADLINE_DAYS)
