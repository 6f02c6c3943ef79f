"""Who is on the register (R-HUMAN): a named supervisor's decision, with a rationale
and a snapshot of the score they had in front of them. The score is decision support;
nothing here or anywhere else adds or removes a person by score alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple


class RegisterState(StrEnum):
    ON = "on"
    OFF = "off"


class DecisionKind(StrEnum):
    INCLUDE = "include"
    REMOVE = "remove"


# The rationale is what a reviewer reads later: a word or two is not a reason.
MIN_RATIONALE_CHARS = 10


@dataclass(frozen=True, slots=True)
class RegisterStatus:
    """A person's current state on the register and the decision that set it."""

    person_id: str
    status: RegisterState
    since: datetime  # when the person went on (or came off)
    decided_by: str
    rationale: str


@dataclass(frozen=True, slots=True)
class Decision:
    """One recorded inclusion or removal decision, with the score it was made on."""

    decision_id: int
    person_id: str
    decision: DecisionKind
    decided_by: str
    decided_by_role: str
    decided_at: datetime
    rationale: str
    as_of: date
    harm_units: int
    victim_units: int
    eligible: bool
    policy_version: str
    policy_hash: str


class CohortMember(NamedTuple):
    """Someone currently on a borough's register: (person_id, status, since)."""

    person_id: str
    status: RegisterState
    since: datetime
