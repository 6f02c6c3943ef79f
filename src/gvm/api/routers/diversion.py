"""Diversion (R-DIVERT): who on a borough's register is flagged for support, and their
referrals to support services with the outcome."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import (
    FIRST_SCORING_DATE,
    LAST_SCORING_DATE,
    MAX_ID,
    SCORING_DATE_DOC,
    IsoDay,
)
from gvm.api.schemas.meetings import (
    FlaggedOut,
    OutcomeIn,
    ReferralIn,
    ReferralOut,
    SupportListOut,
)
from gvm.authz import Actor, Permission
from gvm.domain.diversion import Referral
from gvm.services import diversion

router = APIRouter(tags=["diversion"])

Writer = Annotated[Actor, require(Permission.REFERRAL_WRITE)]


def referral_out(r: Referral) -> ReferralOut:
    return ReferralOut(referral_id=r.referral_id, person_id=r.person_id,
                       organisation=r.organisation, referred_on=r.referred_on,
                       referred_by=r.referred_by,
                       outcome=None if r.outcome is None else r.outcome.value,
                       outcome_on=r.outcome_on)


@router.get("/register/{borough_code}/support", response_model=SupportListOut,
            responses=error_responses(401, 403, 404, 422),
            summary="People on the register flagged for support")
def flagged(borough_code: Annotated[str, Path(pattern=r"^E09[0-9]{6}$")],
            register: RegisterDep, actor: Annotated[Actor, require(Permission.REGISTER_READ)],
            as_of: Annotated[date | None, IsoDay, Query(
                ge=FIRST_SCORING_DATE, le=LAST_SCORING_DATE,
                json_schema_extra=SCORING_DATE_DOC)] = None) -> SupportListOut:
    """Harm score zero on `as_of` (default today), with their referrals; logged as a
    consultation."""
    day = as_of or date.today()
    found = diversion.flagged_for_support(register.unit_of_work, actor, borough_code, day,
                                          register.policy, register.catalogue)
    people = [FlaggedOut(person_id=f.person_id, victim_band=f.victim_band,
                         in_custody=f.in_custody,
                         referrals=[referral_out(r) for r in f.referrals]) for f in found]
    return SupportListOut(borough_code=borough_code, as_of=day, count=len(people),
                          people=people)


@router.post("/referrals", status_code=status.HTTP_201_CREATED, response_model=ReferralOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Refer someone on the register to a support service")
def refer(body: ReferralIn, register: RegisterDep, actor: Writer) -> ReferralOut:
    return referral_out(diversion.refer_for_support(
        register.unit_of_work, actor, body.person_id, organisation=body.organisation,
        referred_on=body.referred_on))


@router.post("/referrals/{referral_id}/outcome", response_model=ReferralOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Record a referral's outcome")
def outcome(referral_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: OutcomeIn,
            register: RegisterDep, actor: Writer) -> ReferralOut:
    """Once per referral (409 after)."""
    return referral_out(diversion.record_outcome(
        register.unit_of_work, actor, referral_id, outcome=body.outcome.value,
        outcome_on=body.outcome_on))
