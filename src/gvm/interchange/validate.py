"""Validation of a bundle's tables into domain records (SPEC 4), all or nothing.

Each table is one tight loop over its rows: lookups in prebuilt dicts, no per-row
allocation beyond the record itself. People and gangs are read first so that every other
table's references can be checked as it streams past. Records of people (R-SCOPE: the
borough must be one of the 33) and of their offences and intelligence keep their
categories apart (R-CATEGORY); a music "category" is refused (R-MUSIC).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Protocol

from gvm.domain.model import Alias, Bundle, CustodyPeriod, Gang, Person
from gvm.interchange.events import iter_intelligence, iter_offences
from gvm.interchange.fields import (
    BOROUGH_MSG,
    DOB_FUTURE_MSG,
    EARLIEST,
    EARLY_MSG,
    ETHNICITY,
    ETHNICITY_MSG,
    MAX_ID,
    MAX_NAME,
    SEX,
    SEX_MSG,
    Context,
    Dates,
    Seen,
    has_control,
    id_message,
    name_message,
)
from gvm.interchange.relations import iter_gang_relations
from gvm.interchange.sources import Table


class BundleSource(Protocol):
    """What `validate_bundle` reads from: a CSV folder or a workbook (see `sources`)."""

    def table(self, table: str) -> Table: ...


def validate_bundle(source: BundleSource, ctx: Context) -> Bundle:
    """Every table of `source`, validated. Problems go to `ctx.log` (which raises once it
    holds too many); the caller must not use the result if any were logged."""
    tables = {name: tuple(records) for name, records in validate_tables(source, ctx)}
    return Bundle(**tables)


def validate_tables(source: BundleSource, ctx: Context
                    ) -> Iterator[tuple[str, Iterator[Any]]]:
    """Each table of `source` in turn, as (name, its valid records as they are read).
    What is remembered of earlier rows is held in dicts (`streamed` has the same with
    bounded memory).

    Each table's records must be consumed before asking for the next table: references
    are judged against the people and gangs read so far, and whether those tables were
    read completely is known only at their end. The order is that of the problems a
    bundle reports (people, gangs, aliases, offences, intelligence, custody, relations)."""
    people_table = source.table("people")
    ctx.people_label = people_table.label
    yield "people", iter_people(people_table, ctx)
    ctx.people_known = people_table.complete
    gangs_table = source.table("gangs")
    ctx.gangs_label = gangs_table.label
    yield "gangs", iter_gangs(gangs_table, ctx)
    ctx.gangs_known = gangs_table.complete
    yield "aliases", iter_aliases(source.table("aliases"), ctx)
    yield "offences", iter_offences(source.table("offences"), ctx)
    yield "intelligence", iter_intelligence(source.table("intelligence"), ctx)
    yield "custody", iter_custody(source.table("custody"), ctx)
    yield "gang_relations", iter_gang_relations(source.table("gang_relations"), ctx)


def validate_people(table: Table, ctx: Context) -> list[Person]:
    return list(iter_people(table, ctx))


def iter_people(table: Table, ctx: Context, first: Seen[str, int] | None = None
                ) -> Iterator[Person]:
    add, label = ctx.log.add, table.label
    cache, parse, today = ctx.dates.cache, ctx.dates.parse, ctx.today
    boroughs, known = ctx.boroughs, ctx.people
    first = {} if first is None else first
    for row, (pid, surname, forenames, dob_text, sex_text, eth_text, borough) in table:
        ok = True
        if not pid or len(pid) > MAX_ID or (not pid.isprintable() and has_control(pid)):
            add(label, row, "person_id", id_message(pid))
            ok = False
        elif pid in first:
            add(label, row, "person_id", f"duplicate person_id (already used at row {first[pid]})")
            ok = False
        else:
            first[pid] = row
            known[pid] = pid
        if not surname or len(surname) > MAX_NAME or not surname.isprintable():
            problem = name_message(surname, MAX_NAME)
            if problem:
                add(label, row, "surname", problem)
                ok = False
        if len(forenames) > MAX_NAME or not forenames.isprintable():
            problem = name_message(forenames, MAX_NAME, required=False)
            if problem:
                add(label, row, "forenames", problem)
                ok = False
        dob = cache.get(dob_text) or parse(dob_text)
        if dob is None:
            add(label, row, "date_of_birth", Dates.message(dob_text))
            ok = False
        elif dob < EARLIEST:
            add(label, row, "date_of_birth", EARLY_MSG)
            ok = False
        elif dob > today:
            add(label, row, "date_of_birth", DOB_FUTURE_MSG)
            ok = False
        sex = SEX.get(sex_text) or SEX.get(sex_text.lower())
        if sex is None:
            add(label, row, "sex", SEX_MSG)
            ok = False
        ethnicity = None
        if eth_text:
            ethnicity = ETHNICITY.get(eth_text) or ETHNICITY.get(eth_text.lower())
            if ethnicity is None:
                add(label, row, "ethnicity", ETHNICITY_MSG)
                ok = False
        code = boroughs.get(borough)
        if code is None:
            add(label, row, "borough_code", BOROUGH_MSG)
            ok = False
        if ok:
            yield Person(pid, surname, forenames, dob, sex, ethnicity, code)  # type: ignore[arg-type]


def validate_gangs(table: Table, ctx: Context) -> list[Gang]:
    return list(iter_gangs(table, ctx))


def iter_gangs(table: Table, ctx: Context, first: Seen[str, int] | None = None
                ) -> Iterator[Gang]:
    add, label = ctx.log.add, table.label
    boroughs, known = ctx.boroughs, ctx.gangs
    first = {} if first is None else first
    for row, (gid, name, borough) in table:
        ok = True
        if not gid or len(gid) > MAX_ID or (not gid.isprintable() and has_control(gid)):
            add(label, row, "gang_id", id_message(gid))
            ok = False
        elif gid in first:
            add(label, row, "gang_id", f"duplicate gang_id (already used at row {first[gid]})")
            ok = False
        else:
            first[gid] = row
            known[gid] = gid
        problem = name_message(name, MAX_NAME)
        if problem:
            add(label, row, "name", problem)
            ok = False
        code = boroughs.get(borough)
        if code is None:
            add(label, row, "borough_code", BOROUGH_MSG)
            ok = False
        if ok:
            yield Gang(gid, name, code)  # type: ignore[arg-type]


def validate_aliases(table: Table, ctx: Context) -> list[Alias]:
    return list(iter_aliases(table, ctx))


def iter_aliases(table: Table, ctx: Context, first: Seen[tuple[str, str, str], int] | None = None
                ) -> Iterator[Alias]:
    add, label = ctx.log.add, table.label
    first = {} if first is None else first
    for row, (pid, surname, forenames) in table:
        ok = True
        canon = ctx.person_ref(label, row, pid)
        if canon is None:
            ok = False
        else:
            pid = canon
        if not surname and not forenames:
            add(label, row, "surname", "an alias needs a surname or forenames")
            ok = False
        for column, value in (("surname", surname), ("forenames", forenames)):
            problem = name_message(value, MAX_NAME, required=False)
            if problem:
                add(label, row, column, problem)
                ok = False
        key = (pid, surname, forenames)
        if key in first:
            add(label, row, "person_id",
                f"duplicate alias (the same person and names as row {first[key]})")
            ok = False
        else:
            first[key] = row
        if ok:
            yield Alias(pid, surname, forenames)


def validate_custody(table: Table, ctx: Context) -> list[CustodyPeriod]:
    return list(iter_custody(table, ctx))


def iter_custody(table: Table, ctx: Context, first: Seen[tuple[str, date], int] | None = None
                ) -> Iterator[CustodyPeriod]:
    add, label = ctx.log.add, table.label
    cache, parse = ctx.dates.cache, ctx.dates.parse
    first = {} if first is None else first
    for row, (pid, start_text, end_text) in table:
        ok = True
        canon = ctx.person_ref(label, row, pid)
        if canon is None:
            ok = False
        else:
            pid = canon
        start = cache.get(start_text) or parse(start_text)
        if start is None:
            add(label, row, "start_date", Dates.message(start_text))
            ok = False
        elif start < EARLIEST:
            add(label, row, "start_date", EARLY_MSG)
            ok = False
        end = None
        if end_text:
            end = cache.get(end_text) or parse(end_text)
            if end is None:
                add(label, row, "end_date", Dates.message(end_text) + ", or blank while in custody")
                ok = False
            elif start is not None and end < start:
                add(label, row, "end_date", "the end date is before the start date")
                ok = False
        if start is not None:
            key = (pid, start)
            if key in first:
                add(label, row, "start_date", "duplicate custody period (the same person_id "
                    f"and start_date as row {first[key]})")
                ok = False
            else:
                first[key] = row
        if ok:
            yield CustodyPeriod(pid, start, end)  # type: ignore[arg-type]
