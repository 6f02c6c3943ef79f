"""Use cases of removal and retention (R-RETENTION, R-ACCURACY, R-HUMAN).

Erasure is a gang lead's recorded decision for a person of their borough who is off the
register (or was never on it): before the person's records are deleted (by cascade, from
every table that holds their data), the earlier recipients of their record are listed
and a notice is written for each, naming nothing but the person id and the disclosure
references; the erasure is logged with the recipients notified. The audit log keeps ids
only, so it survives intact. Candidates never put on the register are proposed for
erasure once their newest record leaves the policy's retention window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from gvm.authz import Actor, Permission, may_access_person
from gvm.domain.audit import Operation
from gvm.domain.children import is_child
from gvm.domain.errors import GvmError
from gvm.domain.policy import Policy
from gvm.domain.register import MIN_RATIONALE_CHARS, RegisterState
from gvm.domain.reviews import candidate_due_for_erasure
from gvm.services.access import InvalidInput, check, event
from gvm.services.errors import NotFound
from gvm.services.ports import ReviewsUnitOfWorkFactory

NO_SUCH_PERSON = "no such person"


class StillOnRegister(GvmError):
    """Erasure refused: the person is on the register; a removal decision comes first."""


@dataclass(frozen=True, slots=True)
class ErasureNotice:
    """What goes to one earlier recipient (R-ACCURACY): the person id and the disclosure
    references only, never the data itself."""

    organisation: str
    person_id: str
    disclosure_ids: tuple[int, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Erasure:
    person_id: str
    erased_at: datetime
    notices: tuple[ErasureNotice, ...]
    guardian_notice: str | None = None  # to the parent or guardian of a child


@dataclass(frozen=True, slots=True)
class ErasureCandidate:
    person_id: str
    borough_code: str
    newest_record: date | None


def _notice_text(organisation: str, person_id: str, refs: list[tuple[int, datetime]],
                 erased_on: date) -> str:
    listed = ", ".join(f"disclosure #{d} of {at.date().isoformat()}" for d, at in refs)
    return (f"To {organisation}: the register record of person {person_id}, which you "
            f"received in {listed}, was erased on {erased_on.isoformat()}. Erase or "
            "correct any copy you hold and do not rely on it further (DPA 2018 "
            "s.38(4)-(5)).")


def erase_person(uow_factory: ReviewsUnitOfWorkFactory, actor: Actor, person_id: str, *,
                 rationale: str, guardian: str | None = None, now: datetime | None = None
                 ) -> Erasure:
    """Erase the person's personal data (R-RETENTION) and return the notices for every
    earlier recipient of their record (R-ACCURACY). Only a gang lead of their borough,
    with a rationale, for a person who is not on the register."""
    check(actor, Permission.REGISTER_DECIDE)
    text = (rationale or "").strip()
    if len(text) < MIN_RATIONALE_CHARS:
        raise InvalidInput([("rationale", f"a rationale of at least {MIN_RATIONALE_CHARS} "
                             "characters is required (R-HUMAN)")])
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        person = uow.person(person_id)
        if person is None or not may_access_person(actor, Permission.REGISTER_DECIDE,
                                                   person.borough_code):
            raise NotFound(NO_SUCH_PERSON)
        to = (guardian or "").strip()[:200]
        child = is_child(person.date_of_birth, now.date())
        if child and not to:
            raise InvalidInput([("guardian", "this person is a child: name the parent or "
                                 "guardian the erasure notice goes to")])
        entry = uow.register_entry(person_id)
        if entry is not None and entry.status is RegisterState.ON:
            raise StillOnRegister("this person is on the register: record a removal "
                                  "decision before erasing their data (R-HUMAN)")
        by_org: dict[str, list[tuple[int, datetime]]] = {}
        for recipient in uow.recipients_of(person_id):
            by_org.setdefault(recipient.organisation, []).append(
                (recipient.disclosure_id, recipient.made_at))
        notices = tuple(
            ErasureNotice(org, person_id, tuple(d for d, _ in refs),
                          _notice_text(org, person_id, refs, now.date()))
            for org, refs in sorted(by_org.items()))
        uow.erase_person(person_id)
        uow.append_audit(event(
            actor, Operation.ERASURE, justification=text, record_type="person",
            record_ids=[person_id],
            detail={"borough": person.borough_code,
                    "was_on_register": entry is not None,
                    "recipients_notified": [n.organisation for n in notices],
                    "disclosure_ids": sorted(d for n in notices for d in n.disclosure_ids),
                    **({"to_guardian": True} if child else {})}))
        uow.commit()
    # The guardian's name is not kept once the child's record is gone: it is only in the
    # notice handed back to send (the log says a guardian was told).
    note = (f"To {to}, as parent or guardian of person {person_id}: their record on the "
            f"gangs violence register was erased on {now.date().isoformat()}, and every "
            "organisation that received it has been told to erase it too.") if child else None
    return Erasure(person_id, now, notices, note)


def candidates_due_for_erasure(uow_factory: ReviewsUnitOfWorkFactory, today: date,
                               policy: Policy) -> list[ErasureCandidate]:
    """People never on the register whose newest record (offence, intelligence or
    custody date; an open custody period counts as today) is older than the policy's
    candidate retention window (R-RETENTION). Ids only: the erasure itself is a lead's
    decision."""
    with uow_factory(read_only=True) as uow:
        rows = uow.never_on_register()
        in_custody = uow.open_custody()
    out = []
    for person_id, borough, newest in rows:
        if person_id in in_custody:
            continue
        if candidate_due_for_erasure(newest, today, policy.candidate_retention_months):
            out.append(ErasureCandidate(person_id, borough, newest))
    return out
