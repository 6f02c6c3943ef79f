"""The register's records: people, gangs, facts (offences, custody) and assessments
(intelligence). Plain immutable values; nothing here touches storage or the network.

Facts and assessments are distinct types (R-CATEGORY): an `Offence` records what the
police system holds as having happened and the person's part in it; an `Intelligence`
item is somebody's graded assessment and never stands for a fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    OTHER = "X"


class Ethnicity(StrEnum):
    """ONS high-level ethnic groups (Census 2021). Absent (None) means not stated.

    Held for equality monitoring only: no score or rule reads it.
    """

    ASIAN = "Asian"
    BLACK = "Black"
    MIXED = "Mixed"
    WHITE = "White"
    OTHER = "Other"


class Role(StrEnum):
    """A person's part in an offence (R-CATEGORY): never merged into one list."""

    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"


class Outcome(StrEnum):
    """Where the case against a suspect stands."""

    ARRESTED = "arrested"
    CHARGED = "charged"
    CONVICTED = "convicted"
    NO_FURTHER_ACTION = "no_further_action"
    ACQUITTED = "acquitted"


class IntelCategory(StrEnum):
    """The only kinds of intelligence the register holds.

    There is deliberately no category for music taste (R-MUSIC).
    """

    GANG_MEMBERSHIP = "gang_membership"
    WEAPON_ACCESS = "weapon_access"
    VIOLENCE_INVOLVEMENT = "violence_involvement"
    AT_RISK = "at_risk"


class SourceType(StrEnum):
    POLICE = "police"
    PARTNER_AGENCY = "partner_agency"
    COMMUNITY = "community"
    SOCIAL_MEDIA = "social_media"


class SourceGrade(StrEnum):
    """3x5x2 source evaluation: 1 reliable, 2 untested, 3 not reliable."""

    RELIABLE = "1"
    UNTESTED = "2"
    NOT_RELIABLE = "3"


class IntelGrade(StrEnum):
    """3x5x2 intelligence assessment, A (known directly) to E (suspected false)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class HandlingCode(StrEnum):
    """3x5x2 handling: P may be disseminated lawfully; C may be, with conditions."""

    P = "P"
    C = "C"


@dataclass(frozen=True, slots=True)
class Borough:
    code: str  # GSS code E09000001..E09000033
    name: str
    population: int


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    surname: str
    forenames: str
    date_of_birth: date
    sex: Sex
    ethnicity: Ethnicity | None  # None: not stated
    borough_code: str


@dataclass(frozen=True, slots=True)
class Alias:
    person_id: str
    surname: str
    forenames: str


@dataclass(frozen=True, slots=True)
class Gang:
    gang_id: str
    name: str
    borough_code: str


class GangRelation(StrEnum):
    RIVALRY = "rivalry"
    ALLIANCE = "alliance"


@dataclass(frozen=True, slots=True)
class GangLink:
    """A recorded rivalry or alliance between two gangs, as of `date`, with where it
    came from (intelligence about groups, not about a person)."""

    gang_a: str
    gang_b: str
    relation: GangRelation
    date: date
    source: str


@dataclass(frozen=True, slots=True)
class Offence:
    """A fact: one person's part in one recorded offence (an event can have several)."""

    event_id: str
    date: date
    ho_offence_code: str
    person_id: str
    role: Role
    outcome: Outcome | None  # the case outcome; only a suspect's is scored


@dataclass(frozen=True, slots=True)
class Intelligence:
    """An assessment, graded 3x5x2; never a fact."""

    intel_id: str
    date: date
    person_id: str
    gang_id: str | None  # required for gang membership, None otherwise (SPEC 4)
    category: IntelCategory
    source_id: str
    source_type: SourceType
    source_grade: SourceGrade
    intel_grade: IntelGrade
    handling_code: HandlingCode
    summary: str


@dataclass(frozen=True, slots=True)
class CustodyPeriod:
    person_id: str
    start_date: date
    end_date: date | None  # None while still in custody

    def covers(self, day: date) -> bool:
        """In custody on `day` (SPEC 3.4): started on or before, not ended before."""
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


@dataclass(frozen=True, slots=True)
class PersonRecords:
    """Everything the scoring rules read about one person."""

    person_id: str
    offences: tuple[Offence, ...] = ()
    intelligence: tuple[Intelligence, ...] = ()
    custody: tuple[CustodyPeriod, ...] = ()


def category_labels(offences: tuple[Offence, ...] | list[Offence]) -> list[str]:
    """The person's categories under DPA 2018 s.38(3), most serious first.

    A person may be in several (a suspect in one event, a victim in another); each is
    shown separately, never blended.
    """
    labels: list[str] = []
    suspect_outcomes = {o.outcome for o in offences if o.role is Role.SUSPECT}
    if Outcome.CONVICTED in suspect_outcomes:
        labels.append("convicted")
    if suspect_outcomes - {Outcome.CONVICTED}:
        labels.append("suspect")
    if any(o.role is Role.VICTIM for o in offences):
        labels.append("victim")
    if any(o.role is Role.WITNESS for o in offences):
        labels.append("witness")
    return labels


@dataclass(frozen=True, slots=True)
class Bundle:
    """One interchange bundle (SPEC 4), validated: every reference resolves."""

    people: tuple[Person, ...] = ()
    aliases: tuple[Alias, ...] = ()
    gangs: tuple[Gang, ...] = ()
    offences: tuple[Offence, ...] = ()
    intelligence: tuple[Intelligence, ...] = ()
    custody: tuple[CustodyPeriod, ...] = ()
    gang_relations: tuple[GangLink, ...] = ()  # the optional gang_relations file

    def counts(self) -> dict[str, int]:
        counts = {
            "people": len(self.people), "aliases": len(self.aliases), "gangs": len(self.gangs),
            "offences": len(self.offences), "intelligence": len(self.intelligence),
            "custody": len(self.custody),
        }
        if self.gang_relations:  # a bundle without the file reports as it always has
            counts["gang_relations"] = len(self.gang_relations)
        return counts
