"""Field rules of the interchange format (SPEC 4): lookup tables built once, and the
messages that explain a rejected value without repeating it.

Enumerated values are matched exactly or, failing that, ignoring case, and stored in
their canonical spelling ("m" -> M, "black" -> Black, "Suspect" -> suspect, "e09000001"
-> E09000001). Everything else is exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from gvm import reference
from gvm.domain.model import (
    Ethnicity,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Outcome,
    Role,
    Sex,
    SourceGrade,
    SourceType,
)
from gvm.interchange.errors import ProblemLog

E = TypeVar("E", bound=StrEnum)
K = TypeVar("K", contravariant=True)


class Seen(Protocol[K]):
    """What a validator remembers of the keys of earlier rows (and their first row): a
    dict, or a `ledger` that keeps them on disk and judges them when the table ends."""

    def __contains__(self, key: object, /) -> bool: ...
    def __getitem__(self, key: K, /) -> Any: ...
    def __setitem__(self, key: K, value: Any, /) -> None: ...
    def get(self, key: K, /) -> Any: ...

MAX_ID = 64
MAX_NAME = 200
MAX_SUMMARY = 2000
EARLIEST = date(1900, 1, 1)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
# C0 and C1 control characters: never in ids or names (PostgreSQL rejects NUL outright).
has_control: Callable[[str], object] = re.compile(r"[\x00-\x1f\x7f-\x9f]").search
# In free text, tabs and line breaks are fine.
has_text_control: Callable[[str], object] = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]").search


def enum_lookup(enum: type[E]) -> dict[str, E]:
    """value -> member, with lower-case keys too (callers try `v`, then `v.lower()`)."""
    table: dict[str, E] = {}
    for member in enum:
        table[member.value] = member
        table[member.value.lower()] = member
    return table


def code_lookup(codes: Iterable[str]) -> dict[str, str]:
    """code -> the canonical code string (interned: one string object per code)."""
    table: dict[str, str] = {}
    for code in codes:
        table[code] = code
        table.setdefault(code.upper(), code)
        table.setdefault(code.lower(), code)
    return table


SEX = enum_lookup(Sex)
ETHNICITY = enum_lookup(Ethnicity)
ROLE = enum_lookup(Role)
OUTCOME = enum_lookup(Outcome)
CATEGORY = enum_lookup(IntelCategory)
SOURCE_TYPE = enum_lookup(SourceType)
SOURCE_GRADE = enum_lookup(SourceGrade)
INTEL_GRADE = enum_lookup(IntelGrade)
HANDLING = enum_lookup(HandlingCode)


def _choices(enum: type[StrEnum]) -> str:
    values = [m.value for m in enum]
    return ", ".join(values[:-1]) + " or " + values[-1]


SEX_MSG = f"expected {_choices(Sex)}"
ETHNICITY_MSG = (f"expected an ONS ethnic group: {_choices(Ethnicity)}, "
                 "or blank for not stated")
ROLE_MSG = f"expected {_choices(Role)}"
OUTCOME_MSG = f"expected {_choices(Outcome)}"
SUSPECT_OUTCOME_MSG = f"a suspect's row needs an outcome: {_choices(Outcome)}"
OTHER_OUTCOME_MSG = f"expected blank, or {_choices(Outcome)}"
OTHER_GANG_MSG = "must be blank unless the category is gang_membership"
CATEGORY_MSG = f"expected an intelligence category: {_choices(IntelCategory)}"
MUSIC_MSG = ("music taste is not intelligence the register may hold (R-MUSIC); "
             + CATEGORY_MSG)
SOURCE_TYPE_MSG = f"expected {_choices(SourceType)}"
SOURCE_GRADE_MSG = f"expected a source grade {_choices(SourceGrade)}"
INTEL_GRADE_MSG = f"expected an intelligence grade {_choices(IntelGrade)}"
HANDLING_MSG = f"expected a handling code {_choices(HandlingCode)}"
BOROUGH_MSG = ("unknown borough code (expected the GSS code of a London borough, "
               "E09000001 to E09000033)")
HO_CODE_MSG = "unknown Home Office offence code (expected a code from the Home Office list)"
DOB_FUTURE_MSG = "a date of birth cannot be in the future"

_MUSIC_WORDS = ("music", "drill", "grime", "lyric", "song")


def category_message(value: str) -> str:
    """Why a category is refused: R-MUSIC when it is about music (without echoing it)."""
    low = value.lower()
    if low in ("rap", "hip_hop", "hiphop") or any(word in low for word in _MUSIC_WORDS):
        return MUSIC_MSG
    return CATEGORY_MSG


def id_message(value: str) -> str:
    if not value:
        return "a value is required"
    if len(value) > MAX_ID:
        return f"must be at most {MAX_ID} characters"
    return "must not contain control characters (tabs, line breaks and the like)"


def name_message(value: str, limit: int, *, required: bool = True) -> str | None:
    """Why a name-like value is refused, or None when it is acceptable."""
    if not value:
        return "a value is required" if required else None
    if len(value) > limit:
        return f"must be at most {limit} characters"
    if has_control(value):
        return "must not contain control characters (tabs, line breaks and the like)"
    return None


def summary_message(value: str) -> str | None:
    if len(value) > MAX_SUMMARY:
        return f"must be at most {MAX_SUMMARY} characters"
    if has_text_control(value):
        return "must not contain control characters other than tabs and line breaks"
    return None


class Dates:
    """Strict ISO dates (YYYY-MM-DD only: `date.fromisoformat` alone would also take
    20230101 and week dates), cached: a bundle repeats the same few thousand dates."""

    __slots__ = ("cache",)

    def __init__(self) -> None:
        self.cache: dict[str, date] = {}

    def parse(self, text: str) -> date | None:
        """The date, or None when `text` is not a real YYYY-MM-DD date."""
        if _ISO_DATE(text) is None:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        self.cache[text] = day
        return day

    @staticmethod
    def message(text: str) -> str:
        if not text:
            return "a value is required (a date as YYYY-MM-DD)"
        if _ISO_DATE(text) is None:
            return "expected a date as YYYY-MM-DD"
        return "not a real calendar date (expected YYYY-MM-DD)"


EARLY_MSG = f"dates before {EARLIEST.isoformat()} are not accepted"


class Context:
    """What one bundle's validation knows so far: the ids seen, and whether the people
    and gangs tables were read completely (if not, references to them are not judged, so
    one broken file does not bury the report in follow-on errors)."""

    def __init__(self, log: ProblemLog, today: date) -> None:
        self.log = log
        self.today = today
        self.dates = Dates()
        self.boroughs = code_lookup(reference.boroughs())
        self.ho_codes = code_lookup(reference.offence_catalogue())
        self.people: dict[str, str] = {}  # person_id -> the one string object kept for it
        self.people_known = True
        self.people_label = "people.csv"
        self.gangs: dict[str, str] = {}
        self.gangs_known = True
        self.gangs_label = "gangs.csv"
        self.known: Any = None  # a streamed read's person ids (see `known_ids`)

    def person_problem(self, value: str) -> str | None:
        """Why `value` (not among the people read) is refused, or None when it cannot be
        judged because the people table was not read completely."""
        if not value or len(value) > MAX_ID or has_control(value):
            return id_message(value)
        if self.people_known:
            return f"unknown person_id (expected a person_id from {self.people_label})"
        return None

    def person_ref(self, label: str, row: int, value: str) -> str | None:
        """The person_id `value` refers to, or None once the reason is logged."""
        canon = self.people.get(value)
        if canon is None:
            problem = self.person_problem(value)
            if problem:
                self.log.add(label, row, "person_id", problem)
        return canon

    def gang_problem(self, value: str) -> str | None:
        if len(value) > MAX_ID or has_control(value):
            return id_message(value)
        if self.gangs_known:
            return f"unknown gang_id (expected a gang_id from {self.gangs_label})"
        return None
