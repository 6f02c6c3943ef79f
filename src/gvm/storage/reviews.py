"""Cohort reviews, retention and removal requests (gvm.services.reviews, .retention,
.subject): SQL Core, plain values out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from gvm.domain.reviews import RemovalOutcome, ReviewDecision
from gvm.storage.tables import (
    aliases,
    cohort_reviews,
    custody,
    disclosure_contents,
    guardian_contacts,
    intelligence,
    meeting_actions,
    offences,
    people,
    register_decisions,
    register_entries,
    removal_requests,
    review_items,
    scores,
    support_referrals,
)


@dataclass(frozen=True, slots=True)
class StoredReview:
    review_id: int
    borough_code: str
    opened_by: str
    opened_at: datetime
    as_of: date
    closed_at: datetime | None
    closed_by: str | None


@dataclass(frozen=True, slots=True)
class StoredReviewItem:
    review_id: int
    person_id: str
    decision: ReviewDecision | None
    rationale: str | None
    decided_by: str | None
    decided_at: datetime | None
    harm_units: int
    victim_units: int
    eligible: bool
    policy_hash: str


@dataclass(frozen=True, slots=True)
class StoredRemovalRequest:
    request_id: int
    person_id: str
    received_at: datetime
    deadline: date
    logged_by: str
    outcome: RemovalOutcome | None
    answered_at: datetime | None
    answered_by: str | None


def _review(row: Any) -> StoredReview:
    return StoredReview(row.review_id, row.borough_code, row.opened_by, row.opened_at,
                        row.as_of, row.closed_at, row.closed_by)


def _item(row: Any) -> StoredReviewItem:
    return StoredReviewItem(
        row.review_id, row.person_id,
        None if row.decision is None else ReviewDecision(row.decision), row.rationale,
        row.decided_by, row.decided_at, int(row.harm_units), int(row.victim_units),
        bool(row.eligible), row.policy_hash)


def add_review(conn: Connection, *, borough_code: str, opened_by: str, opened_at: datetime,
               as_of: date, items: Iterable[dict[str, Any]]) -> int:
    """A new open review with its undecided items (person_id, harm_units, victim_units,
    eligible, policy_hash)."""
    review_id = conn.execute(insert(cohort_reviews).values(
        borough_code=borough_code, opened_by=opened_by, opened_at=opened_at, as_of=as_of,
    ).returning(cohort_reviews.c.review_id)).scalar_one()
    rows = [{"review_id": review_id, **item} for item in items]
    if rows:
        conn.execute(insert(review_items), rows)
    return int(review_id)


def review(conn: Connection, review_id: int) -> StoredReview | None:
    row = conn.execute(select(cohort_reviews)
                       .where(cohort_reviews.c.review_id == review_id)).first()
    return None if row is None else _review(row)


def open_review_of(conn: Connection, borough_code: str) -> StoredReview | None:
    r = cohort_reviews.c
    row = conn.execute(select(cohort_reviews)
                       .where(r.borough_code == borough_code, r.closed_at.is_(None))
                       .order_by(r.review_id.desc())).first()
    return None if row is None else _review(row)


def items(conn: Connection, review_id: int) -> list[StoredReviewItem]:
    i = review_items.c
    rows = conn.execute(select(review_items).where(i.review_id == review_id)
                        .order_by(i.person_id))
    return [_item(r) for r in rows]


def person_items(conn: Connection, person_id: str) -> list[StoredReviewItem]:
    """The person's decided review items, most recent first."""
    i = review_items.c
    rows = conn.execute(select(review_items)
                        .where(i.person_id == person_id, i.decided_at.is_not(None))
                        .order_by(i.decided_at.desc(), i.review_id.desc()))
    return [_item(r) for r in rows]


def decide_item(conn: Connection, review_id: int, person_id: str, *, decision: ReviewDecision,
                rationale: str, decided_by: str, decided_at: datetime) -> bool:
    """Record the item's decision once; False if already decided or no such item."""
    i = review_items.c
    result = conn.execute(update(review_items)
                          .where(i.review_id == review_id, i.person_id == person_id,
                                 i.decision.is_(None))
                          .values(decision=decision.value, rationale=rationale,
                                  decided_by=decided_by, decided_at=decided_at))
    return result.rowcount > 0


def close_review(conn: Connection, review_id: int, *, closed_by: str,
                 closed_at: datetime) -> bool:
    r = cohort_reviews.c
    result = conn.execute(update(cohort_reviews)
                          .where(r.review_id == review_id, r.closed_at.is_(None))
                          .values(closed_at=closed_at, closed_by=closed_by))
    return result.rowcount > 0


def last_closed_reviews(conn: Connection) -> dict[str, datetime]:
    """borough_code -> when its last review was closed."""
    r = cohort_reviews.c
    rows = conn.execute(select(r.borough_code, func.max(r.closed_at))
                        .where(r.closed_at.is_not(None)).group_by(r.borough_code))
    return {code: at for code, at in rows}


def on_register(conn: Connection) -> list[tuple[str, str, datetime]]:
    """(person_id, borough_code, since) of everyone on the register, every borough."""
    e = register_entries.c
    rows = conn.execute(
        select(e.person_id, people.c.borough_code, e.since)
        .join_from(register_entries, people, e.person_id == people.c.person_id)
        .where(e.status == "on").order_by(e.person_id))
    return [(r.person_id, r.borough_code, r.since) for r in rows]


def last_reviewed(conn: Connection) -> dict[str, datetime]:
    """person_id -> when their last review decision was recorded."""
    i = review_items.c
    rows = conn.execute(select(i.person_id, func.max(i.decided_at))
                        .where(i.decided_at.is_not(None)).group_by(i.person_id))
    return {pid: at for pid, at in rows}


def never_on_register(conn: Connection) -> list[tuple[str, str, date | None]]:
    """(person_id, borough_code, newest record date) of everyone held who was never on
    the register: the newest offence, intelligence or custody date (an open custody
    period counts as today's, see the caller)."""
    e = register_entries.c
    rows = conn.execute(
        select(people.c.person_id, people.c.borough_code)
        .outerjoin(register_entries, e.person_id == people.c.person_id)
        .where(e.person_id.is_(None)).order_by(people.c.person_id)).all()
    if not rows:
        return []
    newest: dict[str, date] = {}

    def take(pid: str, day: date | None) -> None:
        if day is not None and (pid not in newest or day > newest[pid]):
            newest[pid] = day

    for table, column in ((offences, offences.c.date), (intelligence, intelligence.c.date),
                          (custody, custody.c.start_date), (custody, custody.c.end_date)):
        for pid, day in conn.execute(select(table.c.person_id, func.max(column))
                                     .group_by(table.c.person_id)):
            take(pid, day)
    return [(r.person_id, r.borough_code, newest.get(r.person_id)) for r in rows]


def open_custody(conn: Connection) -> set[str]:
    rows = conn.execute(select(custody.c.person_id).where(custody.c.end_date.is_(None)))
    return {r.person_id for r in rows}


def add_removal_request(conn: Connection, *, person_id: str, received_at: datetime,
                        deadline: date, logged_by: str) -> int:
    return int(conn.execute(insert(removal_requests).values(
        person_id=person_id, received_at=received_at, deadline=deadline, logged_by=logged_by,
    ).returning(removal_requests.c.request_id)).scalar_one())


def _request(row: Any) -> StoredRemovalRequest:
    return StoredRemovalRequest(
        row.request_id, row.person_id, row.received_at, row.deadline, row.logged_by,
        None if row.outcome is None else RemovalOutcome(row.outcome), row.answered_at,
        row.answered_by)


def removal_request(conn: Connection, request_id: int) -> StoredRemovalRequest | None:
    row = conn.execute(select(removal_requests)
                       .where(removal_requests.c.request_id == request_id)).first()
    return None if row is None else _request(row)


def removal_requests_list(conn: Connection, *, person_id: str | None = None,
                          unanswered: bool = False) -> list[StoredRemovalRequest]:
    q = removal_requests.c
    stmt = select(removal_requests).order_by(q.deadline, q.request_id)
    if person_id is not None:
        stmt = stmt.where(q.person_id == person_id)
    if unanswered:
        stmt = stmt.where(q.outcome.is_(None))
    return [_request(r) for r in conn.execute(stmt)]


def answer_removal_request(conn: Connection, request_id: int, *, outcome: RemovalOutcome,
                           answered_by: str, answered_at: datetime) -> bool:
    q = removal_requests.c
    result = conn.execute(update(removal_requests)
                          .where(q.request_id == request_id, q.outcome.is_(None))
                          .values(outcome=outcome.value, answered_by=answered_by,
                                  answered_at=answered_at))
    return result.rowcount > 0


def record_counts(conn: Connection, person_id: str) -> dict[str, int]:
    """How many of each kind of record are held on the person (R-SUBJECT)."""
    out: dict[str, int] = {}
    for name, table in (("aliases", aliases), ("offences", offences),
                        ("intelligence", intelligence), ("custody_periods", custody),
                        ("scores", scores), ("register_decisions", register_decisions),
                        ("review_items", review_items),
                        ("disclosure_contents", disclosure_contents),
                        ("support_referrals", support_referrals),
                        ("guardian_contacts", guardian_contacts),
                        ("meeting_actions", meeting_actions)):
        out[name] = int(conn.execute(select(func.count()).select_from(table)
                                     .where(table.c.person_id == person_id)).scalar_one())
    return out
