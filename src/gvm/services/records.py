"""Use cases of the register's read side: boroughs, people search, a person's profile and
gangs. Each checks the actor's permission and scope (R-ACCESS) and logs every look at
personal data as a consultation (R-LOG).

The order of a consultation, and why. The reads happen in a read-only unit of work (on
SQLite a DEFERRED transaction: a snapshot that neither waits for nor holds up a writer);
then `commit_audit` ends that read transaction and logs the consultation in a short write
transaction of its own, shared with the consultations of concurrent requests (group
commit, gvm.storage.audit_writer), and returns only once that transaction has committed.
Only then is the result returned. So nothing is ever shown that was not logged first: if
the audit commit fails, the use case raises and the caller gets an error, not the record.
The entry names what was shown, read from one consistent snapshot; the log entry is
committed an instant after that snapshot, never before it. The audit entry is the only
write of a consultation, so nothing else needs to share its transaction; holding SQLite's
single write lock for the reads too (as one read-plus-write transaction would) is what
made every request queue behind every other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from gvm import reference
from gvm.authz import Actor, Permission, may_see_borough
from gvm.domain.audit import Operation
from gvm.domain.model import (
    Alias,
    Borough,
    CustodyPeriod,
    Intelligence,
    Offence,
    Person,
    category_labels,
)
from gvm.domain.policy import Policy
from gvm.domain.register import RegisterStatus
from gvm.domain.scoring import ScoreResult, score_person
from gvm.domain.sharing import Recipient
from gvm.domain.views import GangSummary, PersonHit, PersonQuery
from gvm.services.access import (
    NOT_IN_SCOPE,
    InvalidInput,
    check,
    check_borough,
    event,
    justified,
    scope_boroughs,
)
from gvm.services.errors import NotFound
from gvm.services.ports import RecordsUnitOfWorkFactory

MAX_SEARCH_RESULTS = 200
SEARCH_JUSTIFICATION = "search"


@dataclass(frozen=True, slots=True)
class BoroughAccess:
    borough: Borough
    visible: bool  # may this actor see the borough's people and gangs


@dataclass(frozen=True, slots=True)
class Profile:
    """What a consultation of one person shows: facts (offences, custody) apart from
    assessments (intelligence, scores), and the person's categories (R-CATEGORY)."""

    person: Person
    aliases: tuple[Alias, ...]
    categories: tuple[str, ...]  # convicted, suspect, victim, witness
    score: ScoreResult  # both scores, bands, explanation, eligibility, custody on as_of
    offences: tuple[Offence, ...]
    intelligence: tuple[Intelligence, ...]
    custody: tuple[CustodyPeriod, ...]
    register: RegisterStatus | None  # None: never decided on
    disclosures: tuple[Recipient, ...] = ()  # to whom the record went, oldest first


@dataclass(frozen=True, slots=True)
class CohortEntry:
    person: PersonHit
    since: datetime  # on the register since


def list_boroughs(actor: Actor) -> list[BoroughAccess]:
    """The 33 boroughs (public reference data), each marked visible or not to the actor."""
    check(actor, Permission.BOROUGH_READ)
    return [BoroughAccess(b, may_see_borough(actor, code))
            for code, b in sorted(reference.boroughs().items())]


def search_people(
    uow_factory: RecordsUnitOfWorkFactory, actor: Actor, *, name: str | None = None,
    alias: str | None = None, date_of_birth: date | None = None, person_id: str | None = None,
    borough: str | None = None, limit: int = 50,
) -> list[PersonHit]:
    """People matching every criterion given, only among the boroughs the actor may see.
    The search and the ids it returned are logged as a consultation."""
    check(actor, Permission.PERSON_SEARCH)
    if not 1 <= limit <= MAX_SEARCH_RESULTS:
        raise InvalidInput([("limit", f"expected 1 to {MAX_SEARCH_RESULTS}")])
    query = PersonQuery(name=(name or "").strip() or None, alias=(alias or "").strip() or None,
                        date_of_birth=date_of_birth, person_id=(person_id or "").strip() or None,
                        boroughs=scope_boroughs(actor, borough), limit=limit)
    if not query.has_criteria:
        raise InvalidInput([("name", "give a name, alias, date of birth or person id")])
    criteria = [k for k in ("name", "alias", "date_of_birth", "person_id")
                if getattr(query, k) is not None]
    with uow_factory(read_only=True) as uow:
        hits = uow.search_people(query)
        uow.commit_audit(event(
            actor, Operation.CONSULTATION, justification=SEARCH_JUSTIFICATION,
            record_type="person", record_ids=[h.person_id for h in hits],
            detail={"view": "search", "criteria": criteria, "borough": borough,
                    "results": len(hits)}))
    return hits


def view_profile(
    uow_factory: RecordsUnitOfWorkFactory, actor: Actor, person_id: str, *, justification: str,
    as_of: date, policy: Policy, catalogue: Mapping[str, str],
) -> Profile:
    """One person's record and scores on `as_of`, logged with the justification. A person
    outside the actor's scope is reported exactly like one who does not exist."""
    check(actor, Permission.PERSON_VIEW)
    reason = justified(justification)
    with uow_factory(read_only=True) as uow:
        person = uow.person(person_id)
        if person is None or not may_see_borough(actor, person.borough_code):
            raise NotFound(NOT_IN_SCOPE.format("person"))
        records = uow.person_records(person_id, known=True)
        aliases = tuple(uow.aliases(person_id))
        status = uow.register_entry(person_id)
        disclosures = tuple(uow.recipients_of(person_id))
        score = score_person(records, as_of, policy, catalogue)
        uow.commit_audit(event(  # returns once committed; raises (nothing shown) if not
            actor, Operation.CONSULTATION, justification=reason, record_type="person",
            record_ids=[person_id],
            detail={"view": "profile", "as_of": as_of.isoformat(), "policy": policy.label}))
    return Profile(person=person, aliases=aliases,
                   categories=tuple(category_labels(records.offences)), score=score,
                   offences=records.offences, intelligence=records.intelligence,
                   custody=records.custody, register=status, disclosures=disclosures)


def list_gangs(uow_factory: RecordsUnitOfWorkFactory, actor: Actor, *,
               borough: str | None = None) -> list[GangSummary]:
    """Gangs of the actor's boroughs (or of one of them), with member counts. Gang names
    and counts are not anyone's personal data: not logged."""
    check(actor, Permission.GANG_READ)
    boroughs = scope_boroughs(actor, borough)
    with uow_factory(read_only=True) as uow:
        return uow.gangs(None if boroughs is None else list(boroughs))



def register_cohort(uow_factory: RecordsUnitOfWorkFactory, actor: Actor, borough_code: str
                    ) -> list[CohortEntry]:
    """Everyone on a borough's register now (R-HUMAN decisions), with their latest
    bands; read, then logged as a consultation (see the module's docstring)."""
    check(actor, Permission.REGISTER_READ)
    check_borough(actor, borough_code)
    with uow_factory(read_only=True) as uow:
        members = {m.person_id: m for m in uow.register_cohort(borough_code)}
        hits = uow.people_summaries(list(members))
        uow.commit_audit(event(
            actor, Operation.CONSULTATION, justification="register list", record_type="person",
            record_ids=[h.person_id for h in hits],
            detail={"view": "register", "borough": borough_code, "results": len(hits)}))
    return [CohortEntry(h, members[h.person_id].since) for h in hits]
