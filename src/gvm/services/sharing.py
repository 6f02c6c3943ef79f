"""Use cases of information sharing (R-ISA, R-SELECTED, R-NATIONAL, R-NOT-SOLE,
R-NO-COURT, R-ACCURACY, R-LOG, R-ACCESS).

The data protection officer (or an administrator) registers ISAs. An analyst or gang lead
previews and makes a disclosure under an ISA in force: only the fields the ISA permits,
only of people of its boroughs that the analyst may see, with the reliability of what
goes (grades, dates, score explanation, policy, as_of), the not-sole-basis condition and
the ISA's handling conditions; it is logged as a disclosure to the organisation. A
partner user reads only its own organisation's disclosures, after acknowledging the
condition, and never the register itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from gvm import reference
from gvm.authz import Actor, Permission, may_see_borough
from gvm.authz.roles import Role
from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.children import CHILD_ISA_RULE, is_child, serves_children
from gvm.domain.model import HandlingCode, Intelligence, Person, PersonRecords
from gvm.domain.policy import Policy
from gvm.domain.register import RegisterStatus
from gvm.domain.scoring import ScoreResult, score_person
from gvm.domain.sharing import (
    NOT_SOLE_BASIS,
    DisclosableField,
    DisclosureRecord,
    Isa,
    Recipient,
    SharingError,
    disclosable,
    in_force,
    new_isa,
)
from gvm.services.access import NOT_IN_SCOPE, InvalidInput, check, justified
from gvm.services.errors import NotFound

F = DisclosableField
MAX_PEOPLE = 200
NO_SUCH_ISA = "no such ISA"
NO_SUCH_DISCLOSURE = "no such disclosure for your organisation"


class SharingUnitOfWork(Protocol):
    def commit(self) -> None: ...

    def append_audit(self, event: AuditEvent) -> int: ...

    def person(self, person_id: str) -> Person | None: ...

    def person_records(self, person_id: str) -> PersonRecords | None: ...

    def register_entry(self, person_id: str) -> RegisterStatus | None: ...

    def add_isa(self, isa: Any, *, created_by: str, now: datetime) -> int: ...

    def isa(self, isa_id: int) -> Any: ...

    def list_isas(self, organisation: str | None = None) -> list[Any]: ...

    def add_disclosure(self, record: Any, *, made_by_role: str, contents: Any) -> int: ...

    def disclosure(self, disclosure_id: int) -> Any: ...

    def list_disclosures(self, recipient: str | None = None) -> list[Any]: ...

    def disclosure_contents(self, disclosure_id: int) -> dict[str, Any]: ...

    def acknowledge_disclosure(self, disclosure_id: int, *, by: str, at: datetime) -> bool: ...

    def recipients_of(self, person_id: str) -> list[Any]: ...


SharingUnitOfWorkFactory = Callable[[], AbstractContextManager[SharingUnitOfWork]]


@dataclass(frozen=True, slots=True)
class DisclosurePayload:
    """What a recipient gets: the entries of the people disclosed, limited to `fields`,
    with the condition and the reliability information (R-NOT-SOLE, R-ACCURACY)."""

    disclosure_id: int | None  # None for a preview
    isa_id: int
    recipient: str
    made_by: str
    made_at: datetime | None
    as_of: date  # the date the scores and records are taken on
    policy_version: str
    condition: str
    handling_conditions: str
    fields: tuple[str, ...]
    people: tuple[dict[str, Any], ...]
    withheld_fields: tuple[str, ...] = ()  # requested but not permitted by the ISA
    acknowledged_at: datetime | None = None
    expires_on: date | None = None  # the recipient keeps it no longer than its ISA runs

    @property
    def reference(self) -> str:
        """The disclosure's unique reference, quoted in any correspondence about it."""
        return "PREVIEW" if self.disclosure_id is None else f"GVM-D{self.disclosure_id:06d}"


# --- ISAs -------------------------------------------------------------------------------

def register_isa(uow_factory: SharingUnitOfWorkFactory, actor: Actor, *, organisation: str,
                 organisation_type: str, purpose: str, boroughs: Iterable[str],
                 permitted_fields: Iterable[str], handling_conditions: str,
                 start_date: date, end_date: date, now: datetime | None = None) -> Isa:
    """Register an ISA; SharingError for a court, a prosecutor or a sentencing or
    prosecution purpose (R-NO-COURT) and any other rule it breaks."""
    check(actor, Permission.ISA_MANAGE)
    isa = new_isa(organisation=organisation, organisation_type=organisation_type,
                  purpose=purpose, boroughs=boroughs, permitted_fields=permitted_fields,
                  handling_conditions=handling_conditions, start_date=start_date,
                  end_date=end_date, known_boroughs=reference.boroughs())
    with uow_factory() as uow:
        isa_id = uow.add_isa(isa, created_by=actor.username, now=now or datetime.now(UTC))
        uow.append_audit(AuditEvent(  # an ISA names no one: logged as a governance change
            actor=actor.username, actor_role=actor.role.value,
            operation=Operation.ALTERATION, justification="ISA registered (R-ISA)",
            record_type="isa", record_ids=(str(isa_id),),
            detail={"organisation_type": isa.organisation_type.value,
                    "boroughs": sorted(isa.boroughs),
                    "fields": sorted(f.value for f in isa.permitted_fields),
                    "start_date": start_date.isoformat(), "end_date": end_date.isoformat()}))
        uow.commit()
    return replace(isa, isa_id=isa_id)


def list_isas(uow_factory: SharingUnitOfWorkFactory, actor: Actor) -> list[Isa]:
    """Every ISA (they name organisations, never people)."""
    check(actor, Permission.ISA_READ)
    with uow_factory() as uow:
        return list(uow.list_isas())


# --- disclosures ------------------------------------------------------------------------

def _shareable(item: Intelligence, conditions: str) -> bool:
    """Handling code P may be shared; C only with the ISA's conditions attached."""
    return item.handling_code is HandlingCode.P or bool(conditions)


def _entry(person: Person, records: PersonRecords, score: ScoreResult,
           status: RegisterStatus | None, fields: frozenset[DisclosableField],
           as_of: date, conditions: str = "") -> dict[str, Any]:
    """One person's entry: only `fields`, never anything dated after `as_of`, and
    intelligence of handling code C only with `conditions` attached to each item."""
    e: dict[str, Any] = {}
    if F.PERSON_ID in fields:
        e["person_id"] = person.person_id
    if F.NAMES in fields:
        e["surname"], e["forenames"] = person.surname, person.forenames
    if F.DATE_OF_BIRTH in fields:
        e["date_of_birth"] = person.date_of_birth.isoformat()
    if F.BOROUGH in fields:
        e["borough"] = person.borough_code
    if F.HARM_SCORE in fields:
        e["harm_score"] = score.harm_score
    if F.HARM_BAND in fields:
        e["harm_band"] = score.harm_band
    if F.VICTIM_SCORE in fields:
        e["victim_score"] = score.victim_score
    if F.VICTIM_BAND in fields:
        e["victim_band"] = score.victim_band
    if F.SCORE_EXPLANATION in fields:
        e["score_explanation"] = [
            {"score": which, "kind": i.kind, "ref": i.ref, "date": i.date.isoformat(),
             "detail": i.detail, "points": i.points, "reason": i.reason}
            for which, items in (("harm", score.harm_items), ("victim", score.victim_items))
            for i in items]
    if F.CUSTODY_STATUS in fields:
        e["in_custody"] = score.in_custody
    if F.INTELLIGENCE_SUMMARY_GRADED in fields:
        e["intelligence"] = [
            {"intel_id": i.intel_id, "date": i.date.isoformat(), "category": i.category.value,
             "source_grade": i.source_grade.value, "intel_grade": i.intel_grade.value,
             "handling_code": i.handling_code.value,
             **({"conditions": conditions} if i.handling_code is HandlingCode.C else {}),
             **({"summary": i.summary} if F.INTELLIGENCE_SUMMARY in fields else {})}
            for i in sorted(records.intelligence, key=lambda i: (i.date, i.intel_id))
            if i.date <= as_of and _shareable(i, conditions)]
    if F.OFFENCES in fields:
        e["offences"] = [
            {"event_id": o.event_id, "date": o.date.isoformat(),
             "ho_offence_code": o.ho_offence_code, "role": o.role.value,
             "outcome": None if o.outcome is None else o.outcome.value}
            for o in sorted(records.offences, key=lambda o: (o.date, o.event_id))
            if o.date <= as_of]
    if F.REGISTER_STATUS in fields:
        e["register_status"] = None if status is None else status.status.value
    return e


def _checked_request(person_ids: Sequence[str], fields: Sequence[str]
                     ) -> tuple[list[str], list[str]]:
    ids = list(dict.fromkeys(p.strip() for p in person_ids if p and p.strip()))
    if not 1 <= len(ids) <= MAX_PEOPLE:
        raise InvalidInput([("person_ids", f"name 1 to {MAX_PEOPLE} people")])
    wanted = list(dict.fromkeys(fields))
    if not wanted:
        raise InvalidInput([("fields", "name at least one field")])
    return ids, wanted


def _prepare(uow: SharingUnitOfWork, actor: Actor, isa_id: int, person_ids: Sequence[str],
             fields: Sequence[str], *, day: date, as_of: date, policy: Policy,
             catalogue: Mapping[str, str]
             ) -> tuple[Isa, frozenset[DisclosableField], dict[str, dict[str, Any]]]:
    """The ISA, the fields that go and each person's entry; refuses an ISA not in force,
    a person outside the actor's scope (NotFound) or outside the ISA's boroughs."""
    check(actor, Permission.DISCLOSURE_MAKE)
    ids, wanted = _checked_request(person_ids, fields)
    isa: Isa | None = uow.isa(isa_id)
    if isa is None:
        raise NotFound(NO_SUCH_ISA)
    if not in_force(isa, day):
        raise SharingError(f"ISA {isa.isa_id} is not in force on {day.isoformat()}: nothing "
                           "is disclosed without an ISA in force (R-ISA)")
    people: list[Person] = []
    for person_id in ids:
        person = uow.person(person_id)
        if person is None or not may_see_borough(actor, person.borough_code):
            raise NotFound(NOT_IN_SCOPE.format("person"))
        people.append(person)
    allowed: frozenset[DisclosableField] = frozenset()
    for person in people:
        try:
            allowed = disclosable(isa, person.borough_code, wanted, day)
        except SharingError as e:
            raise SharingError(f"{person.person_id}: {e}") from None
    if not allowed:
        raise SharingError(f"ISA {isa.isa_id} permits none of the fields requested "
                           "(R-SELECTED)")
    children = {p.person_id for p in people if is_child(p.date_of_birth, min(as_of, day))}
    if children and not serves_children(isa.purpose, policy.child_isa_purposes):
        raise SharingError(f"{sorted(children)[0]}: {CHILD_ISA_RULE}")
    entries: dict[str, dict[str, Any]] = {}
    for person in people:
        records = uow.person_records(person.person_id) or PersonRecords(person.person_id)
        score = score_person(records, as_of, policy, catalogue)
        entries[person.person_id] = _entry(person, records, score,
                                           uow.register_entry(person.person_id), allowed,
                                           as_of, isa.handling_conditions)
        if person.person_id in children:  # the recipient must know it is a child's data
            entries[person.person_id]["child"] = True
    return isa, allowed, entries


def _withheld(wanted: Sequence[str], allowed: frozenset[DisclosableField]) -> tuple[str, ...]:
    return tuple(sorted(set(wanted) - {f.value for f in allowed}))


def preview_disclosure(uow_factory: SharingUnitOfWorkFactory, actor: Actor, isa_id: int,
                       person_ids: Sequence[str], fields: Sequence[str], *, as_of: date,
                       policy: Policy, catalogue: Mapping[str, str], justification: str,
                       on: date | None = None) -> DisclosurePayload:
    """Exactly what `make_disclosure` would send, without sending it. Showing it to the
    analyst is a consultation, logged."""
    reason = justified(justification)
    day = on or datetime.now(UTC).date()
    with uow_factory() as uow:
        isa, allowed, entries = _prepare(uow, actor, isa_id, person_ids, fields, day=day,
                                         as_of=as_of, policy=policy, catalogue=catalogue)
        uow.append_audit(AuditEvent(
            actor=actor.username, actor_role=actor.role.value,
            operation=Operation.CONSULTATION, justification=reason, record_type="person",
            record_ids=tuple(entries),
            detail={"view": "disclosure preview", "isa_id": isa.isa_id,
                    "fields": sorted(f.value for f in allowed), "as_of": as_of.isoformat()}))
        uow.commit()
    return DisclosurePayload(
        disclosure_id=None, isa_id=isa.isa_id, recipient=isa.organisation,
        made_by=actor.username, made_at=None, as_of=as_of, policy_version=policy.label,
        condition=NOT_SOLE_BASIS, handling_conditions=isa.handling_conditions,
        fields=tuple(sorted(f.value for f in allowed)), people=tuple(entries.values()),
        withheld_fields=_withheld(list(fields), allowed), expires_on=isa.end_date)


def make_disclosure(uow_factory: SharingUnitOfWorkFactory, actor: Actor, isa_id: int,
                    person_ids: Sequence[str], fields: Sequence[str], *, as_of: date,
                    policy: Policy, catalogue: Mapping[str, str], justification: str,
                    now: datetime | None = None) -> DisclosurePayload:
    """Disclose under the ISA: stored with its items and contents, logged as a disclosure
    to the ISA's organisation (R-LOG), in one transaction."""
    reason = justified(justification)
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        isa, allowed, entries = _prepare(uow, actor, isa_id, person_ids, fields,
                                         day=now.date(), as_of=as_of, policy=policy,
                                         catalogue=catalogue)
        sent = tuple(sorted(f.value for f in allowed))
        record = DisclosureRecord(
            disclosure_id=0, isa_id=isa.isa_id, recipient=isa.organisation,
            made_by=actor.username, made_at=now, as_of=as_of, policy_version=policy.label,
            fields=sent, person_ids=tuple(entries), handling_conditions=isa.handling_conditions,
            condition=NOT_SOLE_BASIS, acknowledged_at=None, acknowledged_by=None)
        disclosure_id = uow.add_disclosure(record, made_by_role=actor.role.value,
                                           contents=entries)
        uow.append_audit(AuditEvent(
            actor=actor.username, actor_role=actor.role.value,
            operation=Operation.DISCLOSURE, justification=reason, record_type="person",
            record_ids=tuple(entries), recipient=isa.organisation,
            detail={"disclosure_id": disclosure_id, "isa_id": isa.isa_id, "fields": list(sent),
                    "as_of": as_of.isoformat(), "policy": policy.label}))
        uow.commit()
    return DisclosurePayload(
        disclosure_id=disclosure_id, isa_id=isa.isa_id, recipient=isa.organisation,
        made_by=actor.username, made_at=now, as_of=as_of, policy_version=policy.label,
        condition=NOT_SOLE_BASIS, handling_conditions=isa.handling_conditions, fields=sent,
        people=tuple(entries.values()), withheld_fields=_withheld(list(fields), allowed),
        expires_on=isa.end_date)


def list_disclosures(uow_factory: SharingUnitOfWorkFactory, actor: Actor
                     ) -> list[DisclosureRecord]:
    """What went to whom (ids only): a partner sees its own organisation's, the data
    protection officer every one."""
    check(actor, Permission.DISCLOSURE_LIST)
    with uow_factory() as uow:
        if actor.role is Role.PARTNER:
            if not actor.organisation:
                return []
            return list(uow.list_disclosures(actor.organisation))
        return list(uow.list_disclosures())


def _own(uow: SharingUnitOfWork, actor: Actor, disclosure_id: int) -> DisclosureRecord:
    check(actor, Permission.DISCLOSURE_RECEIVE)
    record: DisclosureRecord | None = uow.disclosure(disclosure_id)
    if record is None or not actor.organisation or record.recipient != actor.organisation:
        raise NotFound(NO_SUCH_DISCLOSURE)
    return record


def acknowledge_disclosure(uow_factory: SharingUnitOfWorkFactory, actor: Actor,
                           disclosure_id: int, now: datetime | None = None
                           ) -> DisclosureRecord:
    """The partner acknowledges the not-sole-basis condition (R-NOT-SOLE). Once: a second
    acknowledgement leaves the first in place."""
    with uow_factory() as uow:
        _own(uow, actor, disclosure_id)
        uow.acknowledge_disclosure(disclosure_id, by=actor.username,
                                   at=now or datetime.now(UTC))
        uow.commit()
        return uow.disclosure(disclosure_id)


def received_disclosure(uow_factory: SharingUnitOfWorkFactory, actor: Actor,
                        disclosure_id: int, *, export: str | None = None
                        ) -> DisclosurePayload:
    """The partner's own disclosure, with its content, once the condition is acknowledged.
    A read is logged as a consultation; an export (`export` names the format) as a
    disclosure to the organisation (R-LOG). An erased person's entry is gone."""
    with uow_factory() as uow:
        record = _own(uow, actor, disclosure_id)
        if record.acknowledged_at is None:
            raise SharingError("acknowledge the condition of this disclosure first: no "
                               "action may rest solely on the register (R-NOT-SOLE)")
        contents = uow.disclosure_contents(disclosure_id)
        isa: Isa | None = uow.isa(record.isa_id)
        detail: dict[str, Any] = {"disclosure_id": disclosure_id, "view": "received"}
        if export is not None:
            detail = {"disclosure_id": disclosure_id, "export": export}
        uow.append_audit(AuditEvent(
            actor=actor.username, actor_role=actor.role.value,
            operation=Operation.CONSULTATION if export is None else Operation.DISCLOSURE,
            justification=f"received under ISA {record.isa_id}", record_type="person",
            record_ids=tuple(contents),
            recipient=None if export is None else record.recipient, detail=detail))
        uow.commit()
    return DisclosurePayload(
        disclosure_id=record.disclosure_id, isa_id=record.isa_id, recipient=record.recipient,
        made_by=record.made_by, made_at=record.made_at, as_of=record.as_of,
        policy_version=record.policy_version, condition=record.condition,
        handling_conditions=record.handling_conditions, fields=record.fields,
        people=tuple(contents.values()), acknowledged_at=record.acknowledged_at,
        expires_on=None if isa is None else isa.end_date)


def recipients_of(uow_factory: SharingUnitOfWorkFactory, person_id: str) -> list[Recipient]:
    """Every earlier recipient of the person's record, oldest first, to notify of a
    correction or an erasure (R-ACCURACY). Survives the erasure itself. The caller checks
    access (correction and erasure do)."""
    with uow_factory() as uow:
        return list(uow.recipients_of(person_id))
