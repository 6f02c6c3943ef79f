"""A gang lead's register decision from the profile page: include or remove, with a
rationale (R-HUMAN), through gvm.services.register. A refusal by the threshold comes
back as a page with the reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission
from gvm.services import register as register_service
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/people")


@router.post("/{person_id}/decisions")
def decide(request: Request, register: RegisterDep,
           person_id: Annotated[str, Path(min_length=1, max_length=64)],
           actor: Annotated[Actor, require(Permission.REGISTER_DECIDE)],
           decision: Annotated[Literal["include", "remove"], Form()],
           rationale: Annotated[str, Form(max_length=2000)] = "",
           as_of: Annotated[date | None, Form()] = None) -> Response:
    decide_fn = (register_service.decide_inclusion if decision == "include"
                 else register_service.decide_removal)
    made = decide_fn(register.unit_of_work, person_id, actor=actor, rationale=rationale,
                     as_of=as_of or date.today(), policy=register.policy,
                     catalogue=register.catalogue)
    return page(request, "decided.html", title="Decision recorded", person_id=person_id,
                decision=made)
