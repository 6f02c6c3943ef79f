"""The borough dashboard: what a borough's gang unit needs to see at the start of the
day. Its register by band (offender and victim), the cohort changes since the borough's
last four-weekly meeting (R-MEETING), whether the quarterly review is due, what a review
would propose (removal, referral for support when the harm score is zero,
R-RETENTION, R-DIVERT) and the removal requests near their 30-day deadline.

Reading the cohort's records to compute the proposals is a consultation of everyone on
the borough's register, logged as one entry (R-LOG) before anything is returned."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol

from gvm.authz import Actor, Permission
from gvm.domain.audit import Operation
from gvm.domain.policy import Policy
from gvm.domain.reviews import ReviewDecision
from gvm.domain.views import PersonHit
from gvm.services.access import check, check_borough, event
from gvm.services.ports import MeetingsUnitOfWork, RecordsUnitOfWork
from gvm.services.reviews import BoroughDue, ReviewLine, review_line, reviews_due
from gvm.services.subject import RemovalRequest, removal_requests_due

BANDS = ("Red", "Amber", "Green", "Zero")
NEAR_DEADLINE_DAYS = 7
DASHBOARD_JUSTIFICATION = "borough dashboard"


class DashboardUnitOfWork(MeetingsUnitOfWork, RecordsUnitOfWork, Protocol):
    """The dashboard reads the register's read side, its reviews and its meetings."""


DashboardUnitOfWorkFactory = Callable[..., AbstractContextManager[DashboardUnitOfWork]]


@dataclass(frozen=True, slots=True)
class Flagged:
    """A person the dashboard points at, and why."""

    person: PersonHit
    harm_band: str  # on the dashboard's date
    reason: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    borough_code: str
    as_of: date
    on_register: int
    harm_bands: dict[str, int]  # band -> people, in BANDS order
    victim_bands: dict[str, int]
    review: BoroughDue | None  # None: no review due
    people_due_review: int
    removal_proposals: tuple[Flagged, ...]
    diversion: tuple[Flagged, ...]  # harm zero on the register: refer for support
    removal_requests: tuple[RemovalRequest, ...]  # unanswered, near or past the deadline
    last_meeting: date | None  # the borough's last meeting held before today
    changes: dict[str, int]  # register decisions since then: include / remove -> count


def _counts(values: list[str | None]) -> dict[str, int]:
    counted = Counter(v or "not scored" for v in values)
    ordered = [b for b in BANDS if b in counted] + sorted(set(counted) - set(BANDS))
    return {band: counted[band] for band in ordered} or {b: 0 for b in BANDS}


def borough_dashboard(uow_factory: DashboardUnitOfWorkFactory, actor: Actor,
                      borough_code: str, *, as_of: date, policy: Policy,
                      catalogue: Mapping[str, str],
                      today: date | None = None, near_days: int = NEAR_DEADLINE_DAYS
                      ) -> Dashboard:
    """Scores and proposals on `as_of`; reviews due and deadlines counted from `today`
    (default: the real today, whatever `as_of` says)."""
    check(actor, Permission.REGISTER_READ)
    check_borough(actor, borough_code)
    today = today or date.today()
    due = reviews_due(uow_factory, today)
    requests = removal_requests_due(uow_factory, today, within_days=near_days)
    with uow_factory() as uow:
        members = [m.person_id for m in uow.register_cohort(borough_code)]
        hits = {h.person_id: h for h in uow.people_summaries(members)}
        lines: list[ReviewLine] = [review_line(uow, p, as_of, policy, catalogue)[0]
                                   for p in members]
        last = uow.previous_meeting(borough_code, today)
        after = None if last is None else datetime.combine(last.held_on, time.max, UTC)
        changes = Counter(decision for _, decision, _ in uow.decisions_between(
            borough_code, after, datetime.now(UTC)))
        in_borough = [r for r in requests
                      if (person := uow.person(r.person_id)) is not None
                      and person.borough_code == borough_code]
        uow.append_audit(event(
            actor, Operation.CONSULTATION, justification=DASHBOARD_JUSTIFICATION,
            record_type="person",
            record_ids=sorted({*members, *(r.person_id for r in in_borough)}),
            detail={"view": "dashboard", "borough": borough_code,
                    "as_of": as_of.isoformat(), "policy": policy.label}))
        uow.commit()

    def flagged(action: ReviewDecision) -> tuple[Flagged, ...]:
        return tuple(Flagged(hits[line.person_id], line.harm_band, proposal.reason)
                     for line in lines for proposal in line.proposals
                     if proposal.action is action and line.person_id in hits)

    member_set = set(members)
    return Dashboard(
        borough_code=borough_code, as_of=as_of, on_register=len(members),
        harm_bands=_counts([line.harm_band for line in lines]),
        victim_bands=_counts([line.victim_band for line in lines]),
        review=next((b for b in due.boroughs if b.borough_code == borough_code), None),
        people_due_review=sum(1 for p in due.people if p in member_set),
        removal_proposals=flagged(ReviewDecision.REMOVE),
        diversion=flagged(ReviewDecision.REFER_FOR_SUPPORT),
        removal_requests=tuple(sorted(in_borough, key=lambda r: r.deadline)),
        last_meeting=None if last is None else last.held_on,
        changes={kind: changes.get(kind, 0) for kind in ("include", "remove")})
