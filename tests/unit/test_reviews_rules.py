"""Quarterly review rules (R-REVIEW, R-RETENTION, R-DIVERT, R-SUBJECT): quarters, when a
review is due, what it proposes, candidate retention and removal request deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from gvm.domain.reviews import (
    NO_LONGER_ELIGIBLE,
    REFER,
    ReviewDecision,
    candidate_due_for_erasure,
    consecutive_zero_reviews,
    previous_quarter_start,
    proposals,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
    removal_request_deadline,
    removal_request_overdue,
    review_due,
    zero_harm_reason,
)


@pytest.mark.parametrize(("day", "quarter", "start", "end"), [
    (date(2024, 1, 1), (2024, 1), date(2024, 1, 1), date(2024, 3, 31)),
    (date(2024, 3, 31), (2024, 1), date(2024, 1, 1), date(2024, 3, 31)),
    (date(2024, 4, 1), (2024, 2), date(2024, 4, 1), date(2024, 6, 30)),
    (date(2024, 9, 30), (2024, 3), date(2024, 7, 1), date(2024, 9, 30)),
    (date(2024, 12, 31), (2024, 4), date(2024, 10, 1), date(2024, 12, 31)),
])
def test_quarters(day, quarter, start, end):
    assert quarter_of(day) == quarter
    assert (quarter_start(day), quarter_end(day)) == (start, end)


def test_previous_quarter_and_label():
    assert previous_quarter_start(date(2024, 2, 10)) == date(2023, 10, 1)
    assert previous_quarter_start(date(2024, 8, 1)) == date(2024, 4, 1)
    assert quarter_label(date(2024, 11, 5)) == "2024-Q4"


def test_never_reviewed_is_due_and_overdue():
    due = review_due(None, date(2024, 6, 30))
    assert due.due and due.overdue and due.last_review is None


@pytest.mark.parametrize(("last", "today", "due", "overdue"), [
    # 30 June minus three calendar months is 30 March
    (date(2024, 3, 31), date(2024, 6, 30), False, False),
    (date(2024, 3, 30), date(2024, 6, 30), True, False),
    (date(2024, 3, 29), date(2024, 6, 30), True, True),  # more than 3 months
    (date(2024, 4, 1), date(2024, 6, 30), False, False),  # within the quarter
    (date(2024, 3, 15), date(2024, 6, 15), True, False),  # exactly 3 months: due today
    (date(2024, 3, 14), date(2024, 6, 15), True, True),  # a day over: overdue
    (date(2024, 6, 15), date(2024, 6, 15), False, False),
    # clamped month ends: 31 May minus 3 months is 29 Feb (leap year)
    (date(2024, 2, 29), date(2024, 5, 31), True, False),
    (date(2024, 2, 28), date(2024, 5, 31), True, True),
    (date(2024, 3, 1), date(2024, 5, 31), False, False),
])
def test_review_due_edges(last, today, due, overdue):
    result = review_due(last, today)
    assert (result.due, result.overdue) == (due, overdue)


def actions(**kw):
    return [(p.action, p.reason) for p in proposals(zero_harm_reviews=2, **kw)]


def test_nothing_proposed_for_an_eligible_person_with_harm():
    assert actions(eligible=True, harm_units=5, previous_harm_units=[0, 0]) == []


def test_not_eligible_is_proposed_for_removal():
    assert actions(eligible=False, harm_units=7, previous_harm_units=[]) == [
        (ReviewDecision.REMOVE, NO_LONGER_ELIGIBLE)]


def test_zero_harm_once_is_referred_for_support_only():
    assert actions(eligible=True, harm_units=0, previous_harm_units=[]) == [
        (ReviewDecision.REFER_FOR_SUPPORT, REFER)]
    assert actions(eligible=True, harm_units=0, previous_harm_units=[3, 0]) == [
        (ReviewDecision.REFER_FOR_SUPPORT, REFER)]


def test_zero_harm_at_two_consecutive_reviews_is_proposed_for_removal():
    got = actions(eligible=True, harm_units=0, previous_harm_units=[0, 5])
    assert got == [(ReviewDecision.REMOVE, "remove: harm score zero at two consecutive "
                    "reviews"), (ReviewDecision.REFER_FOR_SUPPORT, REFER)]


def test_not_eligible_and_zero_harm_twice_gives_both_reasons():
    got = actions(eligible=False, harm_units=0, previous_harm_units=[0])
    assert [a for a, _ in got] == [ReviewDecision.REMOVE, ReviewDecision.REMOVE,
                                   ReviewDecision.REFER_FOR_SUPPORT]


def test_zero_harm_reviews_comes_from_the_policy():
    three = proposals(eligible=True, harm_units=0, previous_harm_units=[0],
                      zero_harm_reviews=3)
    assert [p.action for p in three] == [ReviewDecision.REFER_FOR_SUPPORT]
    three = proposals(eligible=True, harm_units=0, previous_harm_units=[0, 0],
                      zero_harm_reviews=3)
    assert three[0].reason == zero_harm_reason(3) == ("remove: harm score zero at three "
                                                      "consecutive reviews")


def test_consecutive_zero_reviews_counts_this_one_and_stops_at_harm():
    assert consecutive_zero_reviews(4, [0, 0]) == 0
    assert consecutive_zero_reviews(0, []) == 1
    assert consecutive_zero_reviews(0, [0, 0, 9, 0]) == 3


@pytest.mark.parametrize(("newest", "due"), [
    (None, True),
    (date(2023, 6, 1), True),
    (date(2023, 12, 30), True),  # exactly six months: out of the window
    (date(2023, 12, 31), False),
    (date(2024, 1, 2), False),
    (date(2024, 6, 30), False),
])
def test_candidate_retention_window(newest, due):
    assert candidate_due_for_erasure(newest, date(2024, 6, 30), 6) is due


def test_removal_request_deadline_and_overdue():
    deadline = removal_request_deadline(date(2024, 1, 15))
    assert deadline == date(2024, 2, 14)
    assert not removal_request_overdue(deadline, False, date(2024, 2, 14))
    assert removal_request_overdue(deadline, False, date(2024, 2, 15))
    assert not removal_request_overdue(deadline, True, date(2024, 3, 1))
