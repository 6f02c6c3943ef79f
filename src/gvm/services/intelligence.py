"""Use cases: record a new intelligence item (a collection) and correct or re-grade one
(an alteration), each validated by the same field rules as a bundle import (SPEC 4,
R-MUSIC) and logged with what changed, by field name only (R-LOG)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from gvm.authz import Actor, Permission, may_see_borough
from gvm.domain.audit import Operation
from gvm.domain.model import Intelligence
from gvm.domain.sharing import DisclosableField as F
from gvm.interchange.errors import ProblemLog, TooManyProblems
from gvm.interchange.events import validate_intelligence
from gvm.interchange.fields import Context
from gvm.interchange.sources import Table
from gvm.services.access import NOT_IN_SCOPE, InvalidInput, check, event, justified
from gvm.services.errors import NotFound
from gvm.services.ports import RecordsUnitOfWork, RecordsUnitOfWorkFactory
from gvm.services.retention import ErasureNotice

# What a correction may change; the person an item is about never changes (record anew).
CORRECTABLE = ("date", "gang_id", "category", "source_id", "source_type", "source_grade",
               "intel_grade", "handling_code", "summary")
_COLUMNS = ("intel_id", "date", "person_id", "gang_id", "category", "source_id",
            "source_type", "source_grade", "intel_grade", "handling_code", "summary")
GANGS_LABEL = "the register's gangs in your scope"


@dataclass(frozen=True, slots=True)
class Correction:
    item: Intelligence
    changed: tuple[str, ...]  # field names, never values
    notices: tuple[ErasureNotice, ...] = ()  # to each earlier recipient (R-ACCURACY)


# Disclosed fields that carry an intelligence item, or a score it may count towards.
CARRIES_INTELLIGENCE = frozenset({
    F.INTELLIGENCE_SUMMARY_GRADED, F.INTELLIGENCE_SUMMARY, F.SCORE_EXPLANATION,
    F.HARM_SCORE, F.HARM_BAND, F.VICTIM_SCORE, F.VICTIM_BAND})


def _correction_notices(uow: RecordsUnitOfWork, item: Intelligence, changed: tuple[str, ...],
                        today: date) -> tuple[ErasureNotice, ...]:
    """A notice to every organisation that received the item (or a score it counts
    towards), naming the person and item by id and the fields by name only."""
    by_org: dict[str, list[tuple[int, datetime]]] = {}
    for recipient in uow.recipients_of(item.person_id):
        record = uow.disclosure(recipient.disclosure_id)
        if record is not None and set(record.fields) & CARRIES_INTELLIGENCE:
            by_org.setdefault(recipient.organisation, []).append(
                (recipient.disclosure_id, recipient.made_at))
    notices = []
    for org, refs in sorted(by_org.items()):
        listed = ", ".join(f"disclosure #{d} of {at.date().isoformat()}" for d, at in refs)
        notices.append(ErasureNotice(org, item.person_id, tuple(d for d, _ in refs), (
            f"To {org}: intelligence item {item.intel_id} of the register record of person "
            f"{item.person_id}, which you received in {listed}, was corrected on "
            f"{today.isoformat()} ({', '.join(changed)}). Correct any copy you hold and "
            "rely only on the corrected record (DPA 2018 s.38(4)-(5)).")))
    return tuple(notices)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _validated(values: Mapping[str, object], gang_known: bool, today: date) -> Intelligence:
    """One item through the importer's intelligence rules; InvalidInput names the fields."""
    ctx = Context(ProblemLog(), today)
    person_id = _text(values["person_id"])
    ctx.people = {person_id: person_id}
    gang_id = _text(values.get("gang_id"))
    ctx.gangs = {gang_id: gang_id} if gang_known and gang_id else {}
    ctx.gangs_label = GANGS_LABEL
    row = tuple(_text(values.get(column)) for column in _COLUMNS)
    try:
        found = validate_intelligence(Table("intelligence", iter([(1, row)])), ctx)
    except TooManyProblems:
        found = []
    problems = [(p.column or "body", p.message) for p in ctx.log.problems]
    if not problems and found and found[0].date > today:
        problems.append(("date", "intelligence cannot be dated in the future"))
    if problems or not found:
        raise InvalidInput(problems or [("body", "not a valid intelligence item")])
    return found[0]


def _gang_visible(uow: RecordsUnitOfWork, actor: Actor, gang_id: str | None) -> bool:
    if not gang_id:
        return False
    borough = uow.gang_borough(gang_id)
    return borough is not None and may_see_borough(actor, borough)


def _person_in_scope(uow: RecordsUnitOfWork, actor: Actor, person_id: str) -> None:
    person = uow.person(person_id)
    if person is None or not may_see_borough(actor, person.borough_code):
        raise NotFound(NOT_IN_SCOPE.format("person"))


def record_intelligence(
    uow_factory: RecordsUnitOfWorkFactory, actor: Actor, *, person_id: str, dated: date,
    category: str, source_id: str, source_type: str, source_grade: str, intel_grade: str,
    handling_code: str, summary: str = "", gang_id: str | None = None,
    justification: str, today: date | None = None,
) -> Intelligence:
    """A new graded intelligence item about a person in the actor's scope; logged as a
    collection. The gang, when given, must be one the actor may see."""
    check(actor, Permission.INTELLIGENCE_WRITE)
    try:  # a missing reason is reported together with the fields' problems
        reason, missing = justified(justification), []
    except InvalidInput as e:
        reason, missing = "", e.problems
    values = {"intel_id": f"INT-{uuid.uuid4().hex[:16].upper()}", "date": dated,
              "person_id": person_id, "gang_id": gang_id, "category": category,
              "source_id": source_id, "source_type": source_type,
              "source_grade": source_grade, "intel_grade": intel_grade,
              "handling_code": handling_code, "summary": summary}
    with uow_factory() as uow:
        _person_in_scope(uow, actor, person_id)
        try:
            item = _validated(values, _gang_visible(uow, actor, gang_id),
                              today or date.today())
        except InvalidInput as e:
            raise InvalidInput([*e.problems, *missing]) from None
        if missing:
            raise InvalidInput(missing)
        uow.add_intelligence(item)
        uow.append_audit(event(
            actor, Operation.COLLECTION, justification=reason, record_type="person",
            record_ids=[item.person_id],
            detail={"intelligence": item.intel_id, "category": item.category.value,
                    "grade": f"{item.source_grade.value}{item.intel_grade.value}"
                             f"{item.handling_code.value}"}))
        uow.commit()
    return item


def correct_intelligence(
    uow_factory: RecordsUnitOfWorkFactory, actor: Actor, intel_id: str, *,
    changes: Mapping[str, object], justification: str, today: date | None = None,
) -> Correction:
    """Correct or re-grade an item; logged as an alteration naming the changed fields.
    `changes` maps field names of CORRECTABLE to new values (gang_id may be None)."""
    check(actor, Permission.INTELLIGENCE_WRITE)
    reason = justified(justification)
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise InvalidInput([(name, "this field cannot be corrected") for name in unknown])
    with uow_factory() as uow:
        current = uow.intelligence_item(intel_id)
        if current is None:
            raise NotFound(NOT_IN_SCOPE.format("intelligence item"))
        person = uow.person(current.person_id)
        if person is None or not may_see_borough(actor, person.borough_code):
            raise NotFound(NOT_IN_SCOPE.format("intelligence item"))
        values: dict[str, object] = {c: getattr(current, c) for c in _COLUMNS}
        values.update(changes)
        gang_id = _text(values.get("gang_id")) or None
        gang_known = _gang_visible(uow, actor, gang_id) or (
            gang_id is not None and gang_id == current.gang_id)  # an existing link stays
        item = replace(_validated(values, gang_known, today or date.today()),
                       intel_id=current.intel_id)
        changed = tuple(c for c in CORRECTABLE if getattr(item, c) != getattr(current, c))
        if not changed:
            raise InvalidInput([("body", "nothing to change: every field given equals the "
                                 "stored value")])
        uow.replace_intelligence(item)
        notices = _correction_notices(uow, item, changed, today or date.today())
        detail: dict[str, object] = {"intelligence": item.intel_id, "fields": list(changed)}
        if notices:
            detail["recipients_notified"] = [n.organisation for n in notices]
            detail["disclosure_ids"] = sorted(d for n in notices for d in n.disclosure_ids)
        uow.append_audit(event(actor, Operation.ALTERATION, justification=reason,
                               record_type="person", record_ids=[item.person_id],
                               detail=detail))
        uow.commit()
    return Correction(item, changed, notices)
