"""Validation of a bundle as it is read, in parts, with memory that does not grow with
the file (what `BundleStream` imports from). The same validators as `read_bundle`, in
the same order, give the same problems in the same order; what they would remember of
earlier rows is kept elsewhere:

- what a key was seen at (duplicate ids, aliases, custody periods) and the rows of each
  event: on disk, in a ledger (`ledger`), judged when the table ends, its problems then
  merged into the table's at their rows;
- the person ids that later tables refer to: one compact array (`known_ids`), looked up
  once per part.

Tables are read in parts of `size` rows; a part of people, offences or intelligence
that is plainly valid goes on as columns (`columnar_check`, `columnar_tables`).
Problems the reader logs while a part is gathered (a malformed record...) are held and
replayed at their place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl

from gvm.interchange.columnar_check import ColumnChunk, clean_intelligence
from gvm.interchange.columnar_tables import clean_offences, clean_people
from gvm.interchange.errors import Problem, ProblemLog, TooManyProblems
from gvm.interchange.events import iter_intelligence, iter_offences
from gvm.interchange.fields import Context
from gvm.interchange.known_ids import KnownIds
from gvm.interchange.ledger import Deferred, EventLedger, KeyLedger, bucket_count
from gvm.interchange.relations import iter_gang_relations
from gvm.interchange.sources import Table
from gvm.interchange.validate import (
    BundleSource,
    iter_aliases,
    iter_custody,
    iter_gangs,
    iter_people,
)

Part = list[tuple[int, list[str]]]
_ID = (pl.String,)


def stream_tables(source: BundleSource, ctx: Context, folder: Path, *, size: int,
                  columnar: bool = True) -> Iterator[tuple[str, Iterator[Any]]]:
    """Each table of `source` in turn, as `validate.validate_tables` gives them (a
    plainly valid part of people, offences or intelligence as a `ColumnChunk` when
    `columnar`). `folder` holds the ledgers meanwhile; `ctx.known` (the person ids)
    stays usable after."""
    with ExitStack() as stack:
        def ledger(made: KeyLedger) -> KeyLedger:
            stack.callback(made.close)
            return made

        people = source.table("people")
        ctx.people_label = people.label
        known = KnownIds(folder / "people.txt")
        stack.callback(known.close)
        ctx.known = known
        ctx.people = known  # type: ignore[assignment]  # iter_people adds to it
        first = ledger(KeyLedger(folder, "people", ("person_id",), _ID,
                                 buckets=bucket_count(people.size), column="person_id",
                                 message="duplicate person_id (already used at row {first})"))
        clean = (lambda part: clean_people(part, ctx, first, known)) if columnar else None
        yield "people", _judged(ctx.log, people.label, first, True, _in_parts(
            people, ctx, size, None, lambda t: iter_people(t, ctx, first=first), clean))
        known.finish()
        ctx.people = {}
        ctx.people_known = people.complete

        gangs = source.table("gangs")
        ctx.gangs_label = gangs.label
        yield "gangs", iter_gangs(gangs, ctx)  # a few thousand: a dict, as before
        ctx.gangs_known = gangs.complete

        aliases = source.table("aliases")
        seen = ledger(KeyLedger(
            folder, "aliases", ("person_id", "surname", "forenames"), _ID * 3,
            buckets=bucket_count(aliases.size), column="person_id",
            message="duplicate alias (the same person and names as row {first})"))
        yield "aliases", _judged(ctx.log, aliases.label, seen, False, _in_parts(
            aliases, ctx, size, 0, lambda t: iter_aliases(t, ctx, first=seen)))

        offences = source.table("offences")
        events = ledger(EventLedger(folder, buckets=bucket_count(offences.size)))
        clean = (lambda part: clean_offences(part, ctx, events)) if columnar else None
        yield "offences", _judged(ctx.log, offences.label, events, False, _in_parts(
            offences, ctx, size, 3, lambda t: iter_offences(t, ctx, events=events), clean))

        intelligence = source.table("intelligence")
        intel = ledger(KeyLedger(folder, "intelligence", ("intel_id",), _ID,
                                 buckets=bucket_count(intelligence.size), column="intel_id",
                                 message="duplicate intel_id (already used at row {first})"))
        clean = (lambda part: clean_intelligence(part, ctx, intel)) if columnar else None
        yield "intelligence", _judged(ctx.log, intelligence.label, intel, True, _in_parts(
            intelligence, ctx, size, 2, lambda t: iter_intelligence(t, ctx, intel, {}),
            clean))

        custody = source.table("custody")
        periods = ledger(KeyLedger(
            folder, "custody", ("person_id", "start_date"), (pl.String, pl.Date),
            buckets=bucket_count(custody.size), column="start_date",
            message="duplicate custody period (the same person_id and start_date as "
                    "row {first})"))
        yield "custody", _judged(ctx.log, custody.label, periods, False, _in_parts(
            custody, ctx, size, 0, lambda t: iter_custody(t, ctx, first=periods)))

        yield "gang_relations", iter_gang_relations(source.table("gang_relations"), ctx)


def _in_parts(table: Table, ctx: Context, size: int, person: int | None,
              validate: Callable[[Table], Iterator[Any]],
              clean: Callable[[Part], ColumnChunk | None] | None = None) -> Iterator[Any]:
    """The table's valid records, read `size` rows at a time; `person` is the position
    of the person_id among a row's values (None: the table refers to no one).
    `clean(part)`, when given, may take a whole part at once (a ColumnChunk) if it has
    no doubt about any of its rows."""
    log, label, known = ctx.log, table.label, ctx.known
    rows = iter(table)
    while True:
        held: list[tuple[int, Problem]] = []
        part: Part = []
        log.held, log.mark = held, 0
        try:  # the reader's own problems are held, with where they came among the rows
            for item in islice(rows, size):
                part.append(item)
                log.mark = len(part)
        finally:
            log.held = None
        if not part and not held:
            return
        if person is not None:
            ctx.people = known.resolve({values[person] for _, values in part})
        chunk = None if held or log or clean is None else clean(part)
        if chunk is not None:
            yield chunk
            continue
        done = 0
        for mark, problem in held:  # replay: rows up to the problem, then the problem
            yield from validate(Table(label, iter(part[done:mark])))
            log.add(problem.file, problem.row, problem.column, problem.message)
            done = mark
        yield from validate(Table(label, iter(part[done:])))
        if not part:  # the reader stopped (its problem is logged)
            return


def _judged(log: ProblemLog, label: str, ledger: KeyLedger, first_in_row: bool,
            records: Iterator[Any]) -> Iterator[Any]:
    """`records`, then the ledger's problems merged into the table's at their rows:
    before the row's other problems (`first_in_row`: the check is on the row's first
    column) or after them. An early stop (too many problems) is merged the same way,
    over the rows read until then."""
    start = len(log.problems)
    try:
        yield from records
    except TooManyProblems:
        _merge(log, start, label, ledger.problems(log.limit - start), first_in_row)
        raise
    _merge(log, start, label, ledger.problems(log.limit - start), first_in_row)


def _merge(log: ProblemLog, start: int, label: str, deferred: list[Deferred],
           first_in_row: bool) -> None:
    if not deferred:
        return
    mine = log.problems[start:]
    merged: list[Problem] = []
    i = 0
    for row, column, message in deferred:
        while i < len(mine) and _before(mine[i].row or 0, row, first_in_row):
            merged.append(mine[i])
            i += 1
        merged.append(Problem(label, row, column, message))
    merged.extend(mine[i:])
    log.problems[start:] = merged
    if len(log.problems) >= log.limit:
        del log.problems[log.limit:]
        log.truncated = True
        raise TooManyProblems


def _before(logged_row: int, row: int, first_in_row: bool) -> bool:
    """Whether a problem logged at `logged_row` comes before a ledger's at `row`."""
    return logged_row < row or (logged_row == row and not first_in_row)
