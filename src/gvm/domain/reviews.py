"""Quarterly cohort reviews, removal and retention rules (R-REVIEW, R-RETENTION,
R-DIVERT, R-SUBJECT), as pure functions: quarter arithmetic, when a review is due, what
a review proposes for a person, when a candidate's records fall due for erasure and when
a removal request must be answered.

A proposal is decision support only: the gang lead records the decision, with a
rationale (R-HUMAN).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from gvm.domain.dates import minus_months

REVIEW_MONTHS = 3  # "at least every quarter" (R-REVIEW)
REMOVAL_REQUEST_DAYS = 30  # the response deadline of a removal request (R-SUBJECT)


class ReviewDecision(StrEnum):
    RETAIN = "retain"
    REMOVE = "remove"
    REFER_FOR_SUPPORT = "refer_for_support"  # R-DIVERT
    CORRECT_DATA = "correct_data"  # R-ACCURACY: the records need correcting first


class RemovalOutcome(StrEnum):
    REMOVED = "removed"  # taken off the register (and erased)
    RETAINED = "retained"  # kept, with the reasons given to the requester
    NOT_HELD = "not_held"  # nothing held on the person


# --- quarters ---------------------------------------------------------------------------

def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1..4) of a calendar date."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(day: date) -> date:
    year, quarter = quarter_of(day)
    return date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    following = (date(start.year + 1, 1, 1) if start.month == 10
                 else date(start.year, start.month + 3, 1))
    return following - timedelta(days=1)


def previous_quarter_start(day: date) -> date:
    return quarter_start(quarter_start(day) - timedelta(days=1))


def quarter_label(day: date) -> str:
    year, quarter = quarter_of(day)
    return f"{year}-Q{quarter}"


# --- when a review is due ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReviewDue:
    """`due`: a review should be held now (three calendar months or more since the last
    one, or never held); `overdue`: the last one is more than three calendar months
    ago, so the quarterly requirement is missed."""

    last_review: date | None
    due: bool
    overdue: bool


def review_due(last_review_date: date | None, today: date) -> ReviewDue:
    if last_review_date is None:
        return ReviewDue(None, True, True)
    limit = minus_months(today, REVIEW_MONTHS)
    return ReviewDue(last_review_date, last_review_date <= limit, last_review_date < limit)


# --- what a review proposes -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Proposal:
    action: ReviewDecision
    reason: str


NO_LONGER_ELIGIBLE = "remove: no longer meets the threshold"
REFER = "refer for support (R-DIVERT)"


def zero_harm_reason(reviews: int) -> str:
    if reviews <= 1:  # the stricter default for children
        return "remove: harm score zero at this review"
    return f"remove: harm score zero at {_count(reviews)} consecutive reviews"


def _count(n: int) -> str:
    words = {2: "two", 3: "three", 4: "four"}
    return words.get(n, str(n))


def consecutive_zero_reviews(harm_units: int, previous_harm_units: Sequence[int]) -> int:
    """Reviews in a row, this one included, at which the harm score was zero;
    `previous_harm_units` are the person's earlier reviews, most recent first."""
    if harm_units != 0:
        return 0
    run = 1
    for units in previous_harm_units:
        if units != 0:
            break
        run += 1
    return run


def proposals(*, eligible: bool, harm_units: int, previous_harm_units: Sequence[int],
              zero_harm_reviews: int) -> tuple[Proposal, ...]:
    """What the review proposes for a person on the register (R-RETENTION, R-DIVERT).
    Nothing proposed means: retain, if the lead agrees."""
    out: list[Proposal] = []
    if not eligible:
        out.append(Proposal(ReviewDecision.REMOVE, NO_LONGER_ELIGIBLE))
    zeros = consecutive_zero_reviews(harm_units, previous_harm_units)
    if zeros >= max(1, zero_harm_reviews):
        out.append(Proposal(ReviewDecision.REMOVE, zero_harm_reason(zero_harm_reviews)))
    if harm_units == 0:
        out.append(Proposal(ReviewDecision.REFER_FOR_SUPPORT, REFER))
    return tuple(out)


# --- retention and removal requests -----------------------------------------------------

def candidate_due_for_erasure(newest_record: date | None, today: date, months: int) -> bool:
    """A person never on the register whose newest record (offence, intelligence or
    custody date) has left the retention window of `months` is erased (R-RETENTION).
    No record at all: nothing keeps them."""
    if newest_record is None:
        return True
    return newest_record <= minus_months(today, months)


def removal_request_deadline(received: date) -> date:
    return received + timedelta(days=REMOVAL_REQUEST_DAYS)


def removal_request_overdue(deadline: date, answered: bool, today: date) -> bool:
    return not answered and today > deadline
