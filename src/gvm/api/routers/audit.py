"""The s.62 audit log for the data protection officer: query (itself logged) and verify.
There is deliberately no route that changes or deletes an entry."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import MAX_ID, NO_NUL, IsoDay
from gvm.api.schemas.oversight import AuditEntriesOut, AuditEntryOut, VerifyOut
from gvm.authz import Actor, Permission
from gvm.domain.audit import Operation
from gvm.services import oversight

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/entries", response_model=AuditEntriesOut,
            responses=error_responses(401, 403, 422), summary="Query the audit log")
def entries(
    register: RegisterDep, actor: Annotated[Actor, require(Permission.AUDIT_READ)],
    person_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description=(
        "Entries naming this person id (ids are opaque)"))] = None,
    user: Annotated[str | None, Query(alias="actor", max_length=100, pattern=NO_NUL,
                                      description="Entries by this user")] = None,
    operation: Operation | None = None,
    since: Annotated[date | None, IsoDay, Query(alias="from",
                                                description="From this day (UTC)")] = None,
    until: Annotated[date | None, IsoDay, Query(alias="to", description="To this day (UTC), "
                                        "inclusive")] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID,
                                       description="Entries after this seq")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditEntriesOut:
    """In order; the query itself is logged (a consultation of the log)."""
    found = oversight.audit_entries(register.unit_of_work, actor, oversight.AuditFilter(
        person_id=person_id, actor=user, operation=operation, since=since, until=until,
        after_seq=after, limit=limit))
    out = [AuditEntryOut(seq=e.seq, at=e.at, actor=e.event.actor,
                         actor_role=e.event.actor_role, operation=e.event.operation.value,
                         justification=e.event.justification,
                         record_type=e.event.record_type, record_ids=list(e.event.record_ids),
                         recipient=e.event.recipient, detail=dict(e.event.detail), hash=e.hash)
           for e in found]
    return AuditEntriesOut(count=len(out), entries=out,
                           next_after=out[-1].seq if len(out) == limit else None)


@router.get("/verify", response_model=VerifyOut, responses=error_responses(401, 403),
            summary="Verify the hash chain")
def verify(register: RegisterDep,
           actor: Annotated[Actor, require(Permission.AUDIT_VERIFY)]) -> VerifyOut:
    r = oversight.verify_audit(register.unit_of_work, actor)
    return VerifyOut(ok=r.ok, checked=r.checked, first_broken_seq=r.first_broken_seq,
                     reason=r.reason, head_seq=r.head_seq, head_hash=r.head_hash)
