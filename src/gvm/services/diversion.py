"""Use cases of diversion (R-DIVERT, R-LOG, R-ACCESS): the people of a borough's register
flagged for support (harm score zero), and their referrals to support services, each
with its organisation, date and, in time, its outcome. Every read and write is logged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from gvm.authz import Actor, Permission, may_see_borough
from gvm.domain.audit import Operation
from gvm.domain.diversion import Referral, ReferralError, check_outcome, needs_support
from gvm.domain.policy import Policy
from gvm.domain.register import RegisterState
from gvm.domain.scoring import score_person
from gvm.domain.sharing import refuse_court
from gvm.services.access import NOT_IN_SCOPE, InvalidInput, check, check_borough, event
from gvm.services.errors import NotFound
from gvm.services.ports import MeetingsUnitOfWork, MeetingsUnitOfWorkFactory

DIVERSION_JUSTIFICATION = "diversion: support for people not drawn into violence (R-DIVERT)"


@dataclass(frozen=True, slots=True)
class Flagged:
    """Someone on the register with harm score zero, and their referrals so far."""

    person_id: str
    victim_band: str
    in_custody: bool
    referrals: tuple[Referral, ...]


def _person_in_scope(uow: MeetingsUnitOfWork, actor: Actor, person_id: str) -> None:
    person = uow.person(person_id)
    if person is None or not may_see_borough(actor, person.borough_code):
        raise NotFound(NOT_IN_SCOPE.format("person"))


def refer_for_support(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, person_id: str,
                      *, organisation: str, referred_on: date, now: datetime | None = None
                      ) -> Referral:
    """Record a referral of someone on the register to a support service."""
    check(actor, Permission.REFERRAL_WRITE)
    org = (organisation or "").strip()
    if not org or len(org) > 200:
        raise InvalidInput([("organisation", "name the support service (1-200 characters)")])
    refuse_court(org, "organisation")
    now = now or datetime.now(UTC)
    if referred_on > now.date():
        raise InvalidInput([("referred_on", "must not be in the future")])
    with uow_factory() as uow:
        _person_in_scope(uow, actor, person_id)
        entry = uow.register_entry(person_id)
        if entry is None or entry.status is not RegisterState.ON:
            raise ReferralError("only people on the register are referred from it (R-DIVERT)")
        referral_id = uow.add_referral(person_id=person_id, organisation=org,
                                       referred_on=referred_on, referred_by=actor.username,
                                       recorded_at=now)
        uow.append_audit(event(actor, Operation.COLLECTION,
                               justification=DIVERSION_JUSTIFICATION, record_type="person",
                               record_ids=[person_id],
                               detail={"referral_id": referral_id,
                                       "referred_on": referred_on.isoformat()}))
        uow.commit()
    return Referral(referral_id, person_id, org, referred_on, actor.username, now)


def record_outcome(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor, referral_id: int, *,
                   outcome: str, outcome_on: date) -> Referral:
    """Record what came of the referral, once."""
    check(actor, Permission.REFERRAL_WRITE)
    with uow_factory() as uow:
        found: Referral | None = uow.referral(referral_id)
        if found is None:
            raise NotFound(NOT_IN_SCOPE.format("referral"))
        _person_in_scope(uow, actor, found.person_id)
        kind = check_outcome(found, outcome, outcome_on)
        if not uow.record_referral_outcome(referral_id, outcome=kind, outcome_on=outcome_on,
                                           outcome_by=actor.username):
            raise ReferralError("this referral already has an outcome")
        uow.append_audit(event(actor, Operation.ALTERATION,
                               justification=DIVERSION_JUSTIFICATION, record_type="person",
                               record_ids=[found.person_id],
                               detail={"referral_id": referral_id, "outcome": kind.value}))
        uow.commit()
    return Referral(found.referral_id, found.person_id, found.organisation, found.referred_on,
                    found.referred_by, found.recorded_at, kind, outcome_on, actor.username)


def flagged_for_support(uow_factory: MeetingsUnitOfWorkFactory, actor: Actor,
                        borough_code: str, as_of: date, policy: Policy,
                        catalogue: Mapping[str, str]) -> list[Flagged]:
    """The borough's people on the register with harm score zero on `as_of`, with their
    referrals; reading their records is a consultation, logged."""
    check(actor, Permission.REGISTER_READ)
    check_borough(actor, borough_code)
    with uow_factory() as uow:
        members = [m.person_id for m in uow.register_cohort(borough_code)]
        found = []
        for person_id in members:
            records = uow.person_records(person_id)
            if records is None:
                continue
            result = score_person(records, as_of, policy, catalogue)
            if needs_support(result.harm_units):
                found.append((person_id, result))
        referrals: dict[str, list[Referral]] = {}
        for r in uow.referrals_of([pid for pid, _ in found]):
            referrals.setdefault(r.person_id, []).append(r)
        uow.append_audit(event(actor, Operation.CONSULTATION,
                               justification=DIVERSION_JUSTIFICATION, record_type="person",
                               record_ids=members,
                               detail={"view": "support flags", "borough": borough_code,
                                       "as_of": as_of.isoformat()}))
        uow.commit()
    return [Flagged(pid, r.victim_band, r.in_custody, tuple(referrals.get(pid, ())))
            for pid, r in found]
