"""Calendar arithmetic for scoring windows (SPEC 3.1)."""

from __future__ import annotations

import calendar
from datetime import date


def minus_months(day: date, months: int) -> date:
    """`day` minus whole calendar months, clamped to the month's last day.

    minus_months(date(2024, 2, 29), 12) == date(2023, 2, 28).
    """
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def within(day: date, as_of: date, months: int) -> bool:
    """`as_of - months < day <= as_of`: inside a window that ends on as_of."""
    return minus_months(as_of, months) < day <= as_of


def window_start(as_of: date, months: int) -> date:
    """The last day *outside* the window: events must be strictly after it."""
    return minus_months(as_of, months)
