"""Validation of the fact and assessment tables: offences (facts, with each person's
role, R-CATEGORY) and intelligence (graded assessments; no music category, R-MUSIC)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gvm.domain.model import IntelCategory, Intelligence, Offence, Role
from gvm.interchange.fields import (
    CATEGORY,
    EARLIEST,
    EARLY_MSG,
    HANDLING,
    HANDLING_MSG,
    HO_CODE_MSG,
    INTEL_GRADE,
    INTEL_GRADE_MSG,
    MAX_ID,
    OTHER_GANG_MSG,
    OTHER_OUTCOME_MSG,
    OUTCOME,
    OUTCOME_MSG,
    ROLE,
    ROLE_MSG,
    SOURCE_GRADE,
    SOURCE_GRADE_MSG,
    SOURCE_TYPE,
    SOURCE_TYPE_MSG,
    SUSPECT_OUTCOME_MSG,
    Context,
    Dates,
    Seen,
    category_message,
    has_control,
    id_message,
    summary_message,
)
from gvm.interchange.sources import Table

_SUSPECT = Role.SUSPECT
_MEMBERSHIP = IntelCategory.GANG_MEMBERSHIP


def validate_offences(table: Table, ctx: Context) -> list[Offence]:
    return list(iter_offences(table, ctx))


def iter_offences(table: Table, ctx: Context, events: Seen[str] | None = None
                  ) -> Iterator[Offence]:
    """One row per person per event. An event's rows share its date and offence code; the
    same person appears in an event once. `events` (event_id -> what its first row said)
    may be given, e.g. a ledger that judges the events when the table ends."""
    add, label = ctx.log.add, table.label
    cache, parse, codes = ctx.dates.cache, ctx.dates.parse, ctx.ho_codes
    # event_id -> [date, code, first row, person_id of the first row or a set of them]
    events = {} if events is None else events
    for row, (eid, day_text, code_text, pid, role_text, outcome_text) in table:
        ok = True
        if not eid or len(eid) > MAX_ID or (not eid.isprintable() and has_control(eid)):
            add(label, row, "event_id", id_message(eid))
            ok = False
        day = cache.get(day_text) or parse(day_text)
        if day is None:
            add(label, row, "date", Dates.message(day_text))
            ok = False
        elif day < EARLIEST:
            add(label, row, "date", EARLY_MSG)
            ok = False
        code = codes.get(code_text)
        if code is None:
            add(label, row, "ho_offence_code", HO_CODE_MSG)
            ok = False
        canon = ctx.person_ref(label, row, pid)
        if canon is None:
            ok = False
        else:
            pid = canon
        role = ROLE.get(role_text) or ROLE.get(role_text.lower())
        if role is None:
            add(label, row, "role", ROLE_MSG)
            ok = False
        outcome = None
        if outcome_text:
            # A victim's or witness's row may carry the case outcome: SPEC 4 leaves it
            # blank in the usual export, and SPEC 3.2 says it does not matter to the
            # victim score (only a suspect's outcome is ever scored).
            outcome = OUTCOME.get(outcome_text) or OUTCOME.get(outcome_text.lower())
            if outcome is None:
                add(label, row, "outcome", OUTCOME_MSG if role is _SUSPECT else OTHER_OUTCOME_MSG)
                ok = False
        elif role is _SUSPECT:
            add(label, row, "outcome", SUSPECT_OUTCOME_MSG)
            ok = False
        if ok:
            event = events.get(eid)
            if event is None:
                events[eid] = [day, code, row, pid]
            else:
                ok = _same_event(event, day, code, pid, row, label, ctx)
            if ok:
                yield Offence(eid, day, code, pid, role, outcome)  # type: ignore[arg-type]


def _same_event(event: list, day: date, code: str, pid: str, row: int, label: str,
                ctx: Context) -> bool:
    """A further row of an event already seen: same date and code, a new person."""
    first_day, first_code, first_row, persons = event
    ok = True
    if day != first_day:
        ctx.log.add(label, row, "date", "every row of an event must have the same date "
                    f"(this event_id was first used at row {first_row})")
        ok = False
    if code != first_code:
        ctx.log.add(label, row, "ho_offence_code", "every row of an event must have the same "
                    f"ho_offence_code (this event_id was first used at row {first_row})")
        ok = False
    if type(persons) is str:
        if persons == pid:
            persons = None
        else:
            event[3] = {persons, pid}
    elif pid in persons:
        persons = None
    else:
        persons.add(pid)
    if persons is None:
        ctx.log.add(label, row, "person_id", "this person already has a row for this event "
                    f"(event_id and person_id together must be unique; event first at row "
                    f"{first_row})")
        ok = False
    return ok


def validate_intelligence(table: Table, ctx: Context) -> list[Intelligence]:
    return list(iter_intelligence(table, ctx))


def iter_intelligence(table: Table, ctx: Context, first: Seen[str] | None = None,
                      source_ids: dict[str, str] | None = None) -> Iterator[Intelligence]:
    """`first` (intel_id -> its row) may be given, e.g. a ledger that judges the
    duplicates when the table ends; `source_ids` only shares equal strings."""
    add, label, gangs = ctx.log.add, table.label, ctx.gangs
    cache, parse = ctx.dates.cache, ctx.dates.parse
    first = {} if first is None else first
    source_ids = {} if source_ids is None else source_ids
    for row, (iid, day_text, pid, gang_text, category_text, sid, type_text, source_grade_text,
              intel_grade_text, handling_text, summary) in table:
        ok = True
        if not iid or len(iid) > MAX_ID or (not iid.isprintable() and has_control(iid)):
            add(label, row, "intel_id", id_message(iid))
            ok = False
        elif iid in first:
            add(label, row, "intel_id", f"duplicate intel_id (already used at row {first[iid]})")
            ok = False
        else:
            first[iid] = row
        day = cache.get(day_text) or parse(day_text)
        if day is None:
            add(label, row, "date", Dates.message(day_text))
            ok = False
        elif day < EARLIEST:
            add(label, row, "date", EARLY_MSG)
            ok = False
        canon = ctx.person_ref(label, row, pid)
        if canon is None:
            ok = False
        else:
            pid = canon
        category = CATEGORY.get(category_text) or CATEGORY.get(category_text.lower())
        if category is None:
            add(label, row, "category", category_message(category_text))
            ok = False
        gang = None
        if gang_text and category is not None and category is not _MEMBERSHIP:
            # SPEC 4: gang_id is required for gang_membership and blank otherwise.
            add(label, row, "gang_id", OTHER_GANG_MSG)
            ok = False
        elif gang_text:
            gang = gangs.get(gang_text)
            if gang is None:
                problem = ctx.gang_problem(gang_text)
                if problem:
                    add(label, row, "gang_id", problem)
                ok = False
        elif category is _MEMBERSHIP:
            add(label, row, "gang_id",
                f"gang_membership intelligence needs a gang_id from {ctx.gangs_label}")
            ok = False
        if not sid or len(sid) > MAX_ID or (not sid.isprintable() and has_control(sid)):
            add(label, row, "source_id", id_message(sid))
            ok = False
        else:
            sid = source_ids.setdefault(sid, sid)
        source_type = SOURCE_TYPE.get(type_text) or SOURCE_TYPE.get(type_text.lower())
        if source_type is None:
            add(label, row, "source_type", SOURCE_TYPE_MSG)
            ok = False
        source_grade = SOURCE_GRADE.get(source_grade_text)
        if source_grade is None:
            add(label, row, "source_grade", SOURCE_GRADE_MSG)
            ok = False
        intel_grade = INTEL_GRADE.get(intel_grade_text) or INTEL_GRADE.get(
            intel_grade_text.lower())
        if intel_grade is None:
            add(label, row, "intel_grade", INTEL_GRADE_MSG)
            ok = False
        handling = HANDLING.get(handling_text) or HANDLING.get(handling_text.lower())
        if handling is None:
            add(label, row, "handling_code", HANDLING_MSG)
            ok = False
        if summary:
            problem = summary_message(summary)
            if problem:
                add(label, row, "summary", problem)
                ok = False
        if ok:
            yield Intelligence(iid, day, pid, gang, category, sid,  # type: ignore[arg-type]
                               source_type, source_grade, intel_grade, handling, summary)
