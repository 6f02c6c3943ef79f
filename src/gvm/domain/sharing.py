"""Information Sharing Agreements and what may be disclosed under them (R-ISA,
R-SELECTED, R-NATIONAL, R-NOT-SOLE, R-NO-COURT, R-ACCURACY). Pure rules: no storage.

A partner organisation receives information only under an ISA in force that names it,
its purpose, the boroughs and the fields it may receive; never the whole register. Courts
and prosecutors are not a kind of partner, and no ISA may serve sentencing or prosecution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from gvm.domain.errors import GvmError

# R-NOT-SOLE: carried by every disclosure, acknowledged by the recipient.
NOT_SOLE_BASIS = (
    "CONDITION OF DISCLOSURE: no action may be instigated solely on the basis that a "
    "person's name is on the gangs violence register. This information must be "
    "corroborated and considered with other information before any action is taken, and "
    "it must not be used in or to influence sentencing or prosecution.")


class SharingError(GvmError):
    """A sharing rule refuses an ISA or a disclosure (the message names the rule)."""


class OrganisationType(StrEnum):
    """Who may be a partner (R-SELECTED, R-NATIONAL). There is deliberately no court,
    prosecutor or Crown Prosecution Service (R-NO-COURT)."""

    LOCAL_AUTHORITY = "local_authority"
    YOUTH_OFFENDING_SERVICE = "youth_offending_service"
    PROBATION = "probation"  # the National Probation Service
    COMMUNITY_REHABILITATION_COMPANY = "community_rehabilitation_company"
    HOUSING = "housing"
    EDUCATION = "education"
    HEALTH = "health"
    POLICE_FORCE = "police_force"  # another police force
    ROCU = "rocu"  # a Regional Organised Crime Unit


class DisclosableField(StrEnum):
    """The fixed catalogue of what an ISA may permit. Anything else is never disclosed."""

    PERSON_ID = "person_id"
    NAMES = "names"
    DATE_OF_BIRTH = "date_of_birth"
    BOROUGH = "borough"
    HARM_SCORE = "harm_score"
    HARM_BAND = "harm_band"
    VICTIM_SCORE = "victim_score"
    VICTIM_BAND = "victim_band"
    SCORE_EXPLANATION = "score_explanation"
    CUSTODY_STATUS = "custody_status"
    INTELLIGENCE_SUMMARY_GRADED = "intelligence_summary_graded"  # grades and dates only
    INTELLIGENCE_SUMMARY = "intelligence_summary"  # adds each item's summary text
    OFFENCES = "offences"  # facts
    REGISTER_STATUS = "register_status"


F = DisclosableField
SCORE_FIELDS = frozenset({F.HARM_SCORE, F.HARM_BAND, F.VICTIM_SCORE, F.VICTIM_BAND})

# R-NO-COURT: words that mark a court, a prosecutor or a sentencing / prosecution purpose.
_COURT_WORDS = re.compile(
    r"\bcourts?\b|prosecut|\bcps\b|crown prosecution|magistrat|sentenc|judiciary|\bjudges?\b"
    r"|tribunal", re.IGNORECASE)
_NO_COURT = ("courts and prosecutors are not valid recipients, and no ISA may have "
             "sentencing or prosecution as its purpose (R-NO-COURT)")


def refuse_court(text: str, what: str) -> None:
    """SharingError if `text` names a court, a prosecutor, sentencing or prosecution."""
    if _COURT_WORDS.search(text or ""):
        raise SharingError(f"{what}: {_NO_COURT}")


@dataclass(frozen=True, slots=True)
class Isa:
    """An Information Sharing Agreement with one partner organisation (R-ISA)."""

    isa_id: int  # 0 until stored
    organisation: str
    organisation_type: OrganisationType
    purpose: str
    boroughs: frozenset[str]
    permitted_fields: frozenset[DisclosableField]
    handling_conditions: str
    start_date: date
    end_date: date


def new_isa(*, organisation: str, organisation_type: str, purpose: str,
            boroughs: Iterable[str], permitted_fields: Iterable[str],
            handling_conditions: str, start_date: date, end_date: date,
            known_boroughs: Iterable[str], isa_id: int = 0) -> Isa:
    """A validated ISA, or SharingError naming the first rule it breaks."""
    organisation = (organisation or "").strip()
    purpose = (purpose or "").strip()
    if not organisation:
        raise SharingError("organisation: required")
    refuse_court(organisation, "organisation")
    try:
        kind = OrganisationType(organisation_type)
    except ValueError:
        raise SharingError(
            "organisation_type: expected one of " + ", ".join(t.value for t in OrganisationType)
            + "; " + _NO_COURT) from None
    if len(purpose) < 10:
        raise SharingError("purpose: state the purpose of the sharing (at least 10 characters)")
    refuse_court(purpose, "purpose")
    codes = frozenset(boroughs)
    unknown = codes - frozenset(known_boroughs)
    if not codes or unknown:
        raise SharingError("boroughs: name at least one borough, by GSS code (E09...)")
    try:
        fields = frozenset(DisclosableField(f) for f in permitted_fields)
    except ValueError:
        raise SharingError("permitted_fields: expected fields of the catalogue: "
                           + ", ".join(f.value for f in DisclosableField)) from None
    if not fields:
        raise SharingError("permitted_fields: name at least one field")
    if fields & SCORE_FIELDS and F.SCORE_EXPLANATION not in fields:
        raise SharingError("permitted_fields: scores go only with their explanation "
                           "(score_explanation, R-ACCURACY)")
    if F.INTELLIGENCE_SUMMARY in fields and F.INTELLIGENCE_SUMMARY_GRADED not in fields:
        raise SharingError("permitted_fields: intelligence summaries go only with their "
                           "grades and dates (intelligence_summary_graded, R-ACCURACY)")
    if end_date < start_date:
        raise SharingError("end_date: must not be before start_date")
    return Isa(isa_id=isa_id, organisation=organisation, organisation_type=kind,
               purpose=purpose, boroughs=codes, permitted_fields=fields,
               handling_conditions=(handling_conditions or "").strip(),
               start_date=start_date, end_date=end_date)


def in_force(isa: Isa, day: date) -> bool:
    """In force from its start date to its end date, both included."""
    return isa.start_date <= day <= isa.end_date


def reliability_fields(fields: Iterable[DisclosableField]) -> frozenset[DisclosableField]:
    """What must go with `fields` for the recipient to judge them (R-ACCURACY): a score's
    explanation, an intelligence summary's grades and dates."""
    chosen = frozenset(fields)
    extra: set[DisclosableField] = set()
    if chosen & SCORE_FIELDS:
        extra.add(F.SCORE_EXPLANATION)
    if F.INTELLIGENCE_SUMMARY in chosen:
        extra.add(F.INTELLIGENCE_SUMMARY_GRADED)
    return chosen | extra


def disclosable(isa: Isa, person_borough: str, fields_requested: Iterable[str],
                day: date) -> frozenset[DisclosableField]:
    """The fields of one person that may go under `isa` on `day`: those requested that the
    ISA permits, with what their reliability needs. SharingError when the ISA is not in
    force, or the person lives outside its boroughs (R-ISA, R-SELECTED)."""
    if not in_force(isa, day):
        raise SharingError(f"ISA {isa.isa_id} is not in force on {day.isoformat()} (R-ISA)")
    if person_borough not in isa.boroughs:
        raise SharingError(f"ISA {isa.isa_id} does not cover that person's borough "
                           "(R-SELECTED)")
    try:
        requested = frozenset(DisclosableField(f) for f in fields_requested)
    except ValueError:
        raise SharingError("fields: expected fields of the catalogue: "
                           + ", ".join(f.value for f in DisclosableField)) from None
    return reliability_fields(requested) & isa.permitted_fields


@dataclass(frozen=True, slots=True)
class DisclosureRecord:
    """What was disclosed to whom, as stored (ids only: survives erasure)."""

    disclosure_id: int
    isa_id: int
    recipient: str
    made_by: str
    made_at: datetime
    as_of: date
    policy_version: str
    fields: tuple[str, ...]
    person_ids: tuple[str, ...]
    handling_conditions: str
    condition: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """An earlier recipient of a person's record, to notify of a correction or an
    erasure (R-ACCURACY)."""

    organisation: str
    disclosure_id: int
    made_at: datetime
