"""Use cases of the data protection officer: query the s.62 log (itself logged: who
looked at whose log entries) and verify its hash chain (R-LOG)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from gvm.authz import Actor, Permission
from gvm.domain.audit import Operation
from gvm.services.access import InvalidInput, check, event
from gvm.services.ports import RecordsUnitOfWorkFactory

MAX_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class AuditFilter:
    person_id: str | None = None
    actor: str | None = None
    operation: Operation | None = None
    since: date | None = None  # from this day (UTC), inclusive
    until: date | None = None  # to this day (UTC), inclusive
    after_seq: int | None = None  # paging cursor: entries after this one
    limit: int = 100

    def used(self) -> dict[str, Any]:
        """The filters given, for the log line (ids and codes only)."""
        return {k: (v.isoformat() if isinstance(v, date) else str(v))
                for k, v in (("person_id", self.person_id), ("actor", self.actor),
                             ("operation", self.operation), ("from", self.since),
                             ("to", self.until))
                if v is not None}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_entries(uow_factory: RecordsUnitOfWorkFactory, actor: Actor, filters: AuditFilter
                  ) -> list[Any]:
    """Entries matching every filter, in order. The query is logged as a consultation of
    the log (naming the person whose entries were asked for, if any)."""
    check(actor, Permission.AUDIT_READ)
    if not 1 <= filters.limit <= MAX_ENTRIES:
        raise InvalidInput([("limit", f"expected 1 to {MAX_ENTRIES}")])
    if filters.since and filters.until and filters.since > filters.until:
        raise InvalidInput([("to", "must not be before from")])
    with uow_factory(read_only=True) as uow:
        found = uow.audit_search(
            record_id=filters.person_id, actor=filters.actor, operation=filters.operation,
            since=_day_start(filters.since) if filters.since else None,
            # to the last day there is: no bound (the day after it is no date)
            until=None if filters.until in (None, date.max)
            else _day_start(filters.until + timedelta(days=1)),
            after_seq=filters.after_seq, limit=filters.limit)
        uow.commit_audit(event(
            actor, Operation.CONSULTATION, justification="audit log query",
            record_type="audit_log",
            record_ids=[filters.person_id] if filters.person_id else [],
            detail={"view": "audit entries", "filters": filters.used(),
                    "results": len(found)}))
    return found


def verify_audit(uow_factory: RecordsUnitOfWorkFactory, actor: Actor) -> Any:
    """Recompute the hash chain (no personal data involved: not logged)."""
    check(actor, Permission.AUDIT_VERIFY)
    with uow_factory(read_only=True) as uow:
        return uow.verify_audit()
