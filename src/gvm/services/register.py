"""Use cases: put a person on the register or take them off (R-HUMAN, R-THRESHOLD).

Only a named gang lead of the person's borough decides, with a written rationale, on
the score computed there and then; the decision, the score it was made on (with the
policy's hash) and the audit event are one transaction. Nothing else writes the
register's entries: scoring (gvm.services.scoring.rescore) only stores scores, so the
score never adds or removes anyone by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime

from gvm.authz import Actor, Permission, has_permission, may_access_person
from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.errors import NotEligible
from gvm.domain.model import PersonRecords
from gvm.domain.policy import Policy
from gvm.domain.register import (
    MIN_RATIONALE_CHARS,
    CohortMember,
    Decision,
    DecisionKind,
    RegisterState,
    RegisterStatus,
)
from gvm.domain.scoring import score_person
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.ports import RegisterUnitOfWork, RegisterUnitOfWorkFactory

NO_SUCH_PERSON = "no such person"

__all__ = ["CohortMember", "Decision", "RegisterStatus", "cohort", "decide_inclusion",
           "decide_removal", "register_status", "remove_in"]


def decide_inclusion(uow_factory: RegisterUnitOfWorkFactory, person_id: str, *, actor: Actor,
                     rationale: str, as_of: date, policy: Policy, catalogue: Mapping[str, str],
                     now: datetime | None = None) -> Decision:
    """Put the person on the register. Refused (NotEligible, with the threshold's reason)
    unless they meet the inclusion threshold on `as_of` (R-THRESHOLD)."""
    return _decide(uow_factory, person_id, DecisionKind.INCLUDE, actor=actor,
                   rationale=rationale, as_of=as_of, policy=policy, catalogue=catalogue,
                   now=now)


def decide_removal(uow_factory: RegisterUnitOfWorkFactory, person_id: str, *, actor: Actor,
                   rationale: str, as_of: date, policy: Policy, catalogue: Mapping[str, str],
                   now: datetime | None = None) -> Decision:
    """Take the person off the register; no threshold applies. Their records stay until
    erased (R-RETENTION), which is a separate step."""
    return _decide(uow_factory, person_id, DecisionKind.REMOVE, actor=actor,
                   rationale=rationale, as_of=as_of, policy=policy, catalogue=catalogue,
                   now=now)


def _checked_rationale(rationale: str) -> str:
    text = (rationale or "").strip()
    if len(text) < MIN_RATIONALE_CHARS:
        raise InvalidInput([("rationale", f"a rationale of at least {MIN_RATIONALE_CHARS} "
                             "characters is required: the decision is a named person's, "
                             "with its reasons (R-HUMAN)")])
    return text


def _decide(uow_factory: RegisterUnitOfWorkFactory, person_id: str, kind: DecisionKind, *,
            actor: Actor, rationale: str, as_of: date, policy: Policy,
            catalogue: Mapping[str, str], now: datetime | None) -> Decision:
    if not has_permission(actor, Permission.REGISTER_DECIDE):
        raise Forbidden("only a borough gang lead decides who is on the register (R-HUMAN)")
    text = _checked_rationale(rationale)
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        decision = _apply(uow, person_id, kind, actor=actor, text=text, as_of=as_of,
                          policy=policy, catalogue=catalogue, now=now)
        uow.commit()
    return decision


def remove_in(uow: RegisterUnitOfWork, person_id: str, *, actor: Actor, rationale: str,
              as_of: date, policy: Policy, catalogue: Mapping[str, str], now: datetime
              ) -> Decision:
    """`decide_removal` inside the caller's unit of work (a quarterly review's 'remove'
    decision): same checks, decision and audit event; the caller commits."""
    if not has_permission(actor, Permission.REGISTER_DECIDE):
        raise Forbidden("only a borough gang lead decides who is on the register (R-HUMAN)")
    return _apply(uow, person_id, DecisionKind.REMOVE, actor=actor,
                  text=_checked_rationale(rationale), as_of=as_of, policy=policy,
                  catalogue=catalogue, now=now)


def _apply(uow: RegisterUnitOfWork, person_id: str, kind: DecisionKind, *, actor: Actor,
           text: str, as_of: date, policy: Policy, catalogue: Mapping[str, str],
           now: datetime) -> Decision:
    records = _records_in_scope(uow, person_id, actor)
    result = score_person(records, as_of, policy, catalogue)
    current = uow.register_entry(person_id)
    if kind is DecisionKind.INCLUDE and not result.eligible:
        uow.append_audit(_event(actor, Operation.CONSULTATION, person_id, text,
                                outcome="inclusion refused: not eligible", as_of=as_of,
                                policy=policy))
        uow.commit()  # the reason shown is a look at the person's record: logged
        raise NotEligible(f"not eligible for the register: {result.eligibility.reason}")
    if kind is DecisionKind.REMOVE and (current is None
                                        or current.status is not RegisterState.ON):
        raise InvalidInput([("decision", "this person is not on the register")])
    decision = Decision(
        decision_id=0, person_id=person_id, decision=kind, decided_by=actor.username,
        decided_by_role=actor.role.value, decided_at=now, rationale=text, as_of=as_of,
        harm_units=result.harm_units, victim_units=result.victim_units,
        eligible=result.eligible, policy_version=policy.label,
        policy_hash=policy.content_hash)
    state = RegisterState.ON if kind is DecisionKind.INCLUDE else RegisterState.OFF
    decision_id = uow.save_register_decision(decision, state)
    uow.append_audit(_event(actor, Operation.ALTERATION, person_id, text,
                            outcome=kind.value, as_of=as_of, policy=policy,
                            decision_id=decision_id))
    return replace(decision, decision_id=decision_id)


def _records_in_scope(uow: RegisterUnitOfWork, person_id: str, actor: Actor
                      ) -> PersonRecords:
    """The person's records, or NotFound when unknown or outside the actor's borough:
    the two are not told apart (R-ACCESS)."""
    person = uow.person(person_id)
    if person is None or not may_access_person(actor, Permission.REGISTER_DECIDE,
                                               person.borough_code):
        raise NotFound(NO_SUCH_PERSON)
    records = uow.person_records(person_id)
    if records is None:
        raise NotFound(NO_SUCH_PERSON)
    return records


def _event(actor: Actor, operation: Operation, person_id: str, rationale: str, *,
           outcome: str, as_of: date, policy: Policy, decision_id: int | None = None
           ) -> AuditEvent:
    # The score itself stays out of the log: it is an assessment of the person, kept in
    # register_decisions and erased with them; the log keeps ids, dates and the policy.
    detail: dict[str, object] = {"decision": outcome, "as_of": as_of.isoformat(),
                                 "policy": policy.label, "policy_hash": policy.content_hash}
    if decision_id is not None:
        detail["decision_id"] = decision_id
    return AuditEvent(actor=actor.username, actor_role=actor.role.value, operation=operation,
                      justification=rationale, record_type="person", record_ids=(person_id,),
                      detail=detail)


def register_status(uow_factory: RegisterUnitOfWorkFactory, person_id: str
                    ) -> RegisterStatus | None:
    """The person's current entry (None: never decided). The caller checks access."""
    with uow_factory() as uow:
        return uow.register_entry(person_id)


def cohort(uow_factory: RegisterUnitOfWorkFactory, borough_code: str) -> list[CohortMember]:
    """(person_id, status, since) of everyone on the borough's register now. The caller
    checks access."""
    with uow_factory() as uow:
        return uow.register_cohort(borough_code)
