"""A faster way through intelligence.csv (most of a national bundle's rows): each part of
the file is checked column by column with C-level passes (sets, joins, one regular
expression per column) that decide whether every row is plainly valid. A part that is
goes on as columns of the values to store, never as records; a part with any doubt (a
bad value, a spelling to canonicalise, a problem from the reader) goes through
`iter_intelligence`, row by row, which finds and words the problems exactly as always.

The check accepts only what `iter_intelligence` accepts, and stores the same values:
enumerations and codes only in their canonical spelling (so the text is the stored
value), dates only when `Dates.parse` takes them, and ids, references and duplicates as
the row-by-row rules judge them. Duplicate intel_ids are left to the ledger either way
(see `streamed`), which is given the same ids and rows whichever path a part took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from gvm.domain.model import (
    HandlingCode,
    IntelCategory,
    IntelGrade,
    SourceGrade,
    SourceType,
)
from gvm.interchange.fields import (
    EARLIEST,
    MAX_ID,
    MAX_SUMMARY,
    Context,
    Seen,
    has_control,
    has_text_control,
)

INTELLIGENCE_FIELDS = ("intel_id", "person_id", "gang_id", "date", "category", "source_id",
                       "source_type", "source_grade", "intel_grade", "handling_code",
                       "summary")
_CATEGORIES = frozenset(m.value for m in IntelCategory)
_SOURCE_TYPES = frozenset(m.value for m in SourceType)
_SOURCE_GRADES = frozenset(m.value for m in SourceGrade)
_INTEL_GRADES = frozenset(m.value for m in IntelGrade)
_HANDLING = frozenset(m.value for m in HandlingCode)
_MEMBERSHIP = IntelCategory.GANG_MEMBERSHIP.value
VALUES = itemgetter(1)  # of a (row number, values) pair


@dataclass(frozen=True, slots=True)
class ColumnChunk:
    """Valid rows of one table as columns of stored values (`fields` order): text, None
    for a blank optional value, dates as their ISO text."""

    fields: tuple[str, ...]
    columns: list[list[Any]]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def ids_plain(values: tuple[str, ...]) -> bool:
    """Every id present, short enough and free of control characters."""
    return all(values) and max(map(len, values)) <= MAX_ID and not has_control("".join(values))


def dates_plain(texts: tuple[str, ...], ctx: Context, latest: date | None = None) -> bool:
    """Every text a date `Dates.parse` takes, from EARLIEST (to `latest`)."""
    cache, parse = ctx.dates.cache, ctx.dates.parse
    for text in set(texts):
        day = cache.get(text) or parse(text)
        if day is None or day < EARLIEST or (latest is not None and day > latest):
            return False
    return True


def clean_intelligence(part: list[tuple[int, list[str]]], ctx: Context, seen: Seen[str]
                       ) -> ColumnChunk | None:
    """The part as stored columns if every row is plainly valid, else None (and then
    nothing was changed: `seen`, a ledger judging duplicate intel_ids when the table
    ends, takes the part's ids only when it is clean). `ctx.people` must hold the
    part's known person ids."""
    (iids, days, pids, gang_ids, categories, sids, source_types, source_grades,
     intel_grades, handling, summaries) = zip(*map(VALUES, part), strict=True)
    if not (ids_plain(iids) and ids_plain(sids)):
        return None
    if not all(map(ctx.people.__contains__, pids)):
        return None
    if not dates_plain(days, ctx):
        return None
    if not (_CATEGORIES.issuperset(categories) and _SOURCE_TYPES.issuperset(source_types)
            and _SOURCE_GRADES.issuperset(source_grades)
            and _INTEL_GRADES.issuperset(intel_grades) and _HANDLING.issuperset(handling)):
        return None
    gangs = ctx.gangs
    if not all(map(gangs.__contains__, filter(None, gang_ids))):
        return None
    # A gang_id exactly on the gang_membership rows (SPEC 4: blank otherwise).
    if any((c == _MEMBERSHIP) != bool(g) for g, c in zip(gang_ids, categories, strict=True)):
        return None
    if max(map(len, summaries)) > MAX_SUMMARY or has_text_control("".join(summaries)):
        return None
    seen.add_columns([iids], [row for row, _ in part])  # type: ignore[attr-defined]
    return ColumnChunk(INTELLIGENCE_FIELDS, [
        list(iids), list(pids), [g or None for g in gang_ids], list(days), list(categories),
        list(sids), list(source_types), list(source_grades), list(intel_grades),
        list(handling), list(summaries)])
