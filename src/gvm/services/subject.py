"""Use cases of the people the register is about (R-SUBJECT, R-LOG).

The data protection officer answers a subject access request from the register's own
records: whether the person is or was on the register (for an erased person, from the
audit log, which keeps ids only), what is held on them (counts by kind, and their
categories), and every disclosure of their record (recipient, when, fields, ISA). The
report is logged as a consultation. Removal requests are logged with a 30-day response
deadline, answered once, and flagged when overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from gvm.authz import Actor, Permission
from gvm.domain.audit import Operation
from gvm.domain.children import is_child
from gvm.domain.model import category_labels
from gvm.domain.reviews import (
    RemovalOutcome,
    removal_request_deadline,
    removal_request_overdue,
)
from gvm.services.access import InvalidInput, check, event
from gvm.services.errors import NotFound
from gvm.services.ports import ReviewsUnitOfWorkFactory

SUBJECT_ACCESS = "subject access request"
MAX_PERSON_ID_CHARS = 64


@dataclass(frozen=True, slots=True)
class RegisterHistoryLine:
    decision: str  # include / remove
    decided_at: datetime | None  # None when known only from the audit log
    decided_by: str


@dataclass(frozen=True, slots=True)
class DisclosureLine:
    disclosure_id: int
    recipient: str
    made_at: datetime
    fields: tuple[str, ...]
    isa_id: int


@dataclass(frozen=True, slots=True)
class RemovalRequest:
    request_id: int
    person_id: str
    received_at: datetime
    deadline: date
    outcome: RemovalOutcome | None
    answered_at: datetime | None
    answered_by: str | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class SubjectReport:
    person_id: str
    held: bool  # records are held now
    erased: bool  # an erasure of the person is in the log
    erased_at: datetime | None
    on_register: bool
    ever_on_register: bool
    register_history: tuple[RegisterHistoryLine, ...]
    record_counts: dict[str, int]
    categories: tuple[str, ...]  # victim / suspect / convicted / witness (R-CATEGORY)
    disclosures: tuple[DisclosureLine, ...]
    removal_requests: tuple[RemovalRequest, ...]
    child: bool = False  # under 18 on the report date
    guardian: str | None = None  # the parent or guardian a child's report went to


def _person_id(person_id: str) -> str:
    text = (person_id or "").strip()
    if not text or len(text) > MAX_PERSON_ID_CHARS:
        raise InvalidInput([("person_id", "expected a person id")])
    return text


def _request(stored, today: date) -> RemovalRequest:
    return RemovalRequest(stored.request_id, stored.person_id, stored.received_at,
                          stored.deadline, stored.outcome, stored.answered_at,
                          stored.answered_by,
                          removal_request_overdue(stored.deadline, stored.outcome is not None,
                                                  today))


def subject_report(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor, person_id: str, *,
                   guardian: str | None = None, now: datetime | None = None
                   ) -> SubjectReport:
    """What the register holds on the person and who it went to (R-SUBJECT); logged as a
    consultation with the justification "subject access request" (R-LOG). A report
    about a child goes to their parent or guardian, named in `guardian` and recorded
    with the child's record (policy [children])."""
    check(actor, Permission.SUBJECT_ACCESS)
    person_id = _person_id(person_id)
    now = now or datetime.now(UTC)
    to = (guardian or "").strip()
    if len(to) > 200:
        raise InvalidInput([("guardian", "at most 200 characters")])
    with uow_factory() as uow:
        person = uow.person(person_id)
        child = person is not None and is_child(person.date_of_birth, now.date())
        if child and not to:
            raise InvalidInput([("guardian", "this person is a child: name the parent or "
                                 "guardian the report goes to")])
        if child:
            uow.add_guardian_contact(person_id=person_id, purpose="subject_report",
                                     guardian=to, recorded_by=actor.username, recorded_at=now)
        history: list[RegisterHistoryLine] = []
        erased_at: datetime | None = None
        counts: dict[str, int] = {}
        categories: tuple[str, ...] = ()
        if person is not None:
            history = [RegisterHistoryLine(d.decision.value, d.decided_at, d.decided_by)
                       for d in uow.register_decisions(person_id)]
            counts = {k: v for k, v in uow.record_counts(person_id).items() if v}
            records = uow.person_records(person_id)
            categories = tuple(category_labels(records.offences)) if records else ()
        for entry in uow.audit_search(record_id=person_id):
            e = entry.event
            if person_id not in e.record_ids or e.record_type != "person":
                continue
            if e.operation is Operation.ERASURE:
                erased_at = entry.at
            elif (person is None and e.operation is Operation.ALTERATION
                  and e.detail.get("decision") in ("include", "remove")):
                history.append(RegisterHistoryLine(str(e.detail["decision"]), entry.at,
                                                   e.actor))
        entry_now = uow.register_entry(person_id) if person is not None else None
        disclosures = []
        for recipient in uow.recipients_of(person_id):
            record = uow.disclosure(recipient.disclosure_id)
            disclosures.append(DisclosureLine(
                recipient.disclosure_id, recipient.organisation, recipient.made_at,
                tuple(record.fields) if record is not None else (),
                record.isa_id if record is not None else 0))
        requests = tuple(_request(r, now.date())
                         for r in uow.removal_requests(person_id=person_id))
        uow.append_audit(event(actor, Operation.CONSULTATION, justification=SUBJECT_ACCESS,
                               record_type="person", record_ids=[person_id],
                               detail={"report": "subject_access", "held": person is not None,
                                       "disclosures": len(disclosures),
                                       "to_guardian": child}))
        uow.commit()
    return SubjectReport(
        person_id=person_id, held=person is not None, erased=erased_at is not None,
        erased_at=erased_at,
        on_register=entry_now is not None and entry_now.status.value == "on",
        ever_on_register=any(h.decision == "include" for h in history),
        register_history=tuple(history), record_counts=counts, categories=categories,
        disclosures=tuple(disclosures), removal_requests=requests, child=child,
        guardian=to if child else None)


def log_removal_request(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor, person_id: str,
                        *, received_at: datetime | None = None) -> RemovalRequest:
    """Log a person's request to be removed, due for an answer within 30 days."""
    check(actor, Permission.SUBJECT_ACCESS)
    person_id = _person_id(person_id)
    received_at = received_at or datetime.now(UTC)
    deadline = removal_request_deadline(received_at.date())
    with uow_factory() as uow:
        request_id = uow.add_removal_request(person_id=person_id, received_at=received_at,
                                             deadline=deadline, logged_by=actor.username)
        uow.append_audit(event(actor, Operation.COLLECTION, justification="removal request",
                               record_type="person", record_ids=[person_id],
                               detail={"removal_request_id": request_id,
                                       "deadline": deadline.isoformat()}))
        uow.commit()
    return RemovalRequest(request_id, person_id, received_at, deadline, None, None, None,
                          False)


def answer_removal_request(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor,
                           request_id: int, *, outcome: str, rationale: str,
                           now: datetime | None = None) -> RemovalRequest:
    """Record the answer to a removal request, once, with its reasons (logged)."""
    check(actor, Permission.SUBJECT_ACCESS)
    try:
        kind = RemovalOutcome(outcome)
    except ValueError:
        raise InvalidInput([("outcome", "expected one of "
                             + ", ".join(o.value for o in RemovalOutcome))]) from None
    text = (rationale or "").strip()
    if not text:
        raise InvalidInput([("rationale", "the reasons for the answer are required")])
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        stored = uow.removal_request(request_id)
        if stored is None:
            raise NotFound("no such removal request")
        if not uow.answer_removal_request(request_id, outcome=kind, answered_by=actor.username,
                                          answered_at=now):
            raise InvalidInput([("request_id", "this request is already answered")])
        uow.append_audit(event(actor, Operation.ALTERATION, justification=text,
                               record_type="person", record_ids=[stored.person_id],
                               detail={"removal_request_id": request_id,
                                       "outcome": kind.value}))
        uow.commit()
        stored = uow.removal_request(request_id)
    return _request(stored, now.date())


def overdue_removal_requests(uow_factory: ReviewsUnitOfWorkFactory, today: date
                             ) -> list[RemovalRequest]:
    """Unanswered removal requests past their 30-day deadline (ids and dates only)."""
    with uow_factory(read_only=True) as uow:
        pending = uow.removal_requests(unanswered=True)
    return [r for r in (_request(s, today) for s in pending) if r.overdue]


def removal_requests_due(uow_factory: ReviewsUnitOfWorkFactory, today: date, *,
                         within_days: int) -> list[RemovalRequest]:
    """Unanswered removal requests whose deadline is at most `within_days` away, or
    past (ids and dates only)."""
    with uow_factory(read_only=True) as uow:
        pending = uow.removal_requests(unanswered=True)
    return [r for r in (_request(s, today) for s in pending)
            if (r.deadline - today).days <= within_days]
