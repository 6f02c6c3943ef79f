"""Validation of the optional gang_relations file: recorded rivalries and alliances
between two gangs of the bundle (or already held: the gangs table of the same bundle is
the reference, as for intelligence). A bundle without the file imports as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gvm.domain.model import GangLink, GangRelation
from gvm.interchange.fields import (
    EARLIEST,
    EARLY_MSG,
    MAX_NAME,
    Context,
    Dates,
    enum_lookup,
    name_message,
)
from gvm.interchange.sources import Table

RELATION = enum_lookup(GangRelation)
RELATION_MSG = "expected rivalry or alliance"


def validate_gang_relations(table: Table, ctx: Context) -> list[GangLink]:
    return list(iter_gang_relations(table, ctx))


def iter_gang_relations(table: Table, ctx: Context) -> Iterator[GangLink]:
    add, label = ctx.log.add, table.label
    cache, parse = ctx.dates.cache, ctx.dates.parse
    first: dict[tuple[str, str, str, date], int] = {}
    for row, (gang_a, gang_b, relation_text, date_text, source) in table:
        ok = True
        gangs = []
        for column, value in (("gang_a", gang_a), ("gang_b", gang_b)):
            canon = ctx.gangs.get(value)
            if canon is None:
                problem = ctx.gang_problem(value) if value else "a gang_id is required"
                if problem:
                    add(label, row, column, problem)
                ok = False
            gangs.append(canon)
        if ok and gangs[0] == gangs[1]:
            add(label, row, "gang_b", "a relation needs two different gangs")
            ok = False
        relation = RELATION.get(relation_text) or RELATION.get(relation_text.lower())
        if relation is None:
            add(label, row, "relation", RELATION_MSG)
            ok = False
        day = cache.get(date_text) or parse(date_text)
        if day is None:
            add(label, row, "date", Dates.message(date_text))
            ok = False
        elif day < EARLIEST:
            add(label, row, "date", EARLY_MSG)
            ok = False
        problem = name_message(source, MAX_NAME)
        if problem:
            add(label, row, "source", problem)
            ok = False
        if not ok:
            continue
        a, b = sorted(gangs)  # a relation has no direction: one order for the pair
        key = (a, b, relation, day)  # type: ignore[assignment]
        if key in first:
            add(label, row, "gang_a", f"duplicate relation (the same gangs, relation and "
                f"date as row {first[key]})")
            continue
        first[key] = row
        yield GangLink(a, b, relation, day, source)  # type: ignore[arg-type]
