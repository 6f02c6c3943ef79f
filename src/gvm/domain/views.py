"""Read models: what the register's read side hands back (search hits, gang lists, score
run summaries). Plain immutable values, shared by storage (which fills them) and the
services (which check who may see them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PersonHit:
    """One search result: who, where, and the latest stored bands (None: never scored)."""

    person_id: str
    surname: str
    forenames: str
    date_of_birth: date
    borough_code: str
    harm_band: str | None = None
    victim_band: str | None = None
    scored_as_of: date | None = None


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """Search criteria (all optional, combined with AND). Names match case-insensitively
    anywhere in "forenames surname" or "surname forenames"; the date of birth and the id
    match exactly. `boroughs` limits the search (None: everywhere; empty: nowhere)."""

    name: str | None = None
    alias: str | None = None
    date_of_birth: date | None = None
    person_id: str | None = None
    boroughs: tuple[str, ...] | None = None
    limit: int = 50

    @property
    def has_criteria(self) -> bool:
        return any(v not in (None, "") for v in (self.name, self.alias, self.date_of_birth,
                                                  self.person_id))


@dataclass(frozen=True, slots=True)
class GangSummary:
    gang_id: str
    name: str
    borough_code: str
    members: int  # people with gang-membership intelligence naming the gang


@dataclass(frozen=True, slots=True)
class ScoreRunSummary:
    """A stored score run and its counts by band: aggregates, no one's record."""

    run_id: int
    as_of: date
    scope: str | None  # borough code, None for force-wide
    policy_version: str
    policy_hash: str
    created_at: datetime
    people: int
    harm_bands: dict[str, int] = field(default_factory=dict)
    victim_bands: dict[str, int] = field(default_factory=dict)
    eligible: int = 0
    in_custody: int = 0
