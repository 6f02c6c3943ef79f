"""Diversion (R-DIVERT): people on the register who have not been drawn into violence
(harm score zero) are flagged for support, and their referrals to support services are
tracked with an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from gvm.domain.errors import GvmError

SUPPORT_FLAG = "harm score zero: refer for support (R-DIVERT)"


class ReferralError(GvmError):
    """A referral rule refuses the request."""


class ReferralOutcome(StrEnum):
    ENGAGED = "engaged"  # taking part in the support offered
    COMPLETED = "completed"
    DECLINED = "declined"
    NOT_TAKEN_UP = "not_taken_up"  # the service could not make contact or had no place


def needs_support(harm_units: int) -> bool:
    """Flagged for support: on the register with a harm score of zero."""
    return harm_units == 0


@dataclass(frozen=True, slots=True)
class Referral:
    referral_id: int
    person_id: str
    organisation: str  # the support service
    referred_on: date
    referred_by: str
    recorded_at: datetime
    outcome: ReferralOutcome | None = None
    outcome_on: date | None = None
    outcome_by: str | None = None

    def as_line(self) -> dict[str, str | None]:
        """The referral as it appears in reviews and meeting packs (ids, dates, outcome)."""
        return {"referral_id": str(self.referral_id), "person_id": self.person_id,
                "organisation": self.organisation, "referred_on": self.referred_on.isoformat(),
                "outcome": None if self.outcome is None else self.outcome.value,
                "outcome_on": None if self.outcome_on is None else self.outcome_on.isoformat()}


def check_outcome(referral: Referral, outcome: str, on: date) -> ReferralOutcome:
    """The outcome to record, or ReferralError: once per referral, not before it."""
    try:
        kind = ReferralOutcome(outcome)
    except ValueError:
        raise ReferralError("outcome: expected one of "
                            + ", ".join(o.value for o in ReferralOutcome)) from None
    if referral.outcome is not None:
        raise ReferralError("this referral already has an outcome")
    if on < referral.referred_on:
        raise ReferralError("outcome_on: must not be before the referral date")
    return kind
