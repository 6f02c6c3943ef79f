"""Shared checks of the use cases the web API calls: permission (Forbidden), scope
(NotFound, so a refusal never reveals that a record exists) and the audit event of an
actor's operation (R-ACCESS, R-LOG)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gvm import reference
from gvm.authz import Actor, Permission, has_permission, may_see_borough
from gvm.authz.policy import is_force_wide, visible_boroughs
from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.errors import GvmError
from gvm.services.errors import Forbidden, NotFound

NOT_IN_SCOPE = "no such {} in your scope"


class InvalidInput(GvmError):
    """Submitted values were refused. `problems` pairs each field with what is expected;
    the submitted value is never repeated (it may be personal data)."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.problems))


def check(actor: Actor, permission: Permission) -> None:
    if not has_permission(actor, permission):
        raise Forbidden(f"your role may not do this (needs {permission.value})")


def check_borough(actor: Actor, borough_code: str, what: str = "borough") -> None:
    """NotFound unless the actor may see the borough's operational data."""
    if borough_code not in reference.boroughs() or not may_see_borough(actor, borough_code):
        raise NotFound(NOT_IN_SCOPE.format(what))


def scope_boroughs(actor: Actor, borough: str | None = None) -> tuple[str, ...] | None:
    """The boroughs a query may read: one (checked), all the actor's, or None meaning
    every borough (force-wide roles, no filter)."""
    if borough is not None:
        check_borough(actor, borough)
        return (borough,)
    if is_force_wide(actor):
        return None
    return tuple(visible_boroughs(actor, reference.boroughs()))


def event(actor: Actor, operation: Operation, *, justification: str, record_type: str,
          record_ids: Iterable[str] = (), detail: Mapping[str, Any] | None = None
          ) -> AuditEvent:
    return AuditEvent(actor=actor.username, actor_role=actor.role.value, operation=operation,
                      justification=justification, record_type=record_type,
                      record_ids=tuple(record_ids), detail=dict(detail or {}))


def justified(justification: str | None) -> str:
    """A viewing or changing of a record needs a reason (R-LOG)."""
    text = (justification or "").strip()
    if not text:
        raise InvalidInput([("justification", "a justification is required: access to a "
                             "record is logged with its reason (R-LOG)")])
    return text
