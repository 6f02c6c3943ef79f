"""The data protection officer's audit log browser (R-LOG): the chain's verification
status, and entries filtered by person, user, operation and period. The filters are a
POST form (a person id is nobody's business in a URL or a proxy log); each query is
itself logged by gvm.services.oversight."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission, has_permission
from gvm.domain.audit import Operation
from gvm.services import oversight
from gvm.services.access import InvalidInput
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/oversight")
Dpo = Annotated[Actor, require(Permission.AUDIT_READ)]
PAGE_SIZE = 100
Text = Annotated[str, Form(max_length=100)]


def _render(request: Request, register: RegisterDep, actor: Actor, *, entries=None,
            values: dict[str, str] | None = None, problems: dict[str, str] | None = None):
    chain = (oversight.verify_audit(register.unit_of_work, actor)
             if has_permission(actor, Permission.AUDIT_VERIFY) else None)
    return page(request, "audit.html", status_code=422 if problems else 200,
                title="Audit log", chain=chain, entries=entries, values=values or {},
                problems=problems or {}, operations=list(Operation), page_size=PAGE_SIZE)


@router.get("/audit")
def audit(request: Request, register: RegisterDep, actor: Dpo) -> Response:
    return _render(request, register, actor)


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([(field, "enter a date as YYYY-MM-DD")]) from None


@router.post("/audit")
def search(request: Request, register: RegisterDep, actor: Dpo, person_id: Text = "",
           user: Text = "", operation: Text = "", since: Text = "", until: Text = "",
           after_seq: Annotated[int | None, Form(ge=0)] = None) -> Response:
    values = {"person_id": person_id, "user": user, "operation": operation,
              "since": since, "until": until}
    try:
        if operation and operation not in {o.value for o in Operation}:
            raise InvalidInput([("operation", "choose one of the list")])
        entries = oversight.audit_entries(register.unit_of_work, actor, oversight.AuditFilter(
            person_id=person_id.strip() or None, actor=user.strip() or None,
            operation=Operation(operation) if operation else None,
            since=_day(since, "since"), until=_day(until, "until"), after_seq=after_seq,
            limit=PAGE_SIZE))
    except InvalidInput as e:
        return _render(request, register, actor, values=values, problems=dict(e.problems))
    return _render(request, register, actor, entries=entries, values=values)
