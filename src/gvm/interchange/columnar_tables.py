"""The column-wise check of `columnar_check` for people.csv and offences.csv: a part
whose every row is plainly valid goes on as columns of stored values; any doubt sends
it through the row-by-row validator (`iter_people`, `iter_offences`), which words the
problems. Accepted are only values those validators accept as they are (enumerations
and codes in their canonical spelling), so the stored values are the same. What the
validators would remember (the person ids, duplicate ids, each event's rows) is handed
to the same ledgers, with the same rows.
"""

from __future__ import annotations

from typing import Any

from gvm.domain.model import Ethnicity, Outcome, Role, Sex
from gvm.interchange.columnar_check import VALUES, ColumnChunk, dates_plain, ids_plain
from gvm.interchange.fields import MAX_NAME, Context, has_control

Part = list[tuple[int, list[str]]]
PEOPLE_FIELDS = ("person_id", "surname", "forenames", "date_of_birth", "sex", "ethnicity",
                 "borough_code")
OFFENCE_FIELDS = ("event_id", "person_id", "role", "date", "ho_offence_code", "outcome")
_SEXES = frozenset(m.value for m in Sex)
_ETHNICITIES = frozenset(m.value for m in Ethnicity)
_ROLES = frozenset(m.value for m in Role)
_OUTCOMES = frozenset(m.value for m in Outcome)
_SUSPECT = Role.SUSPECT.value


def _names_plain(values: tuple[str, ...], *, required: bool) -> bool:
    """What `name_message` accepts: at most MAX_NAME characters, no control character,
    and (`required`) not blank."""
    return ((not required or all(values)) and max(map(len, values)) <= MAX_NAME
            and not has_control("".join(values)))


def _rows(part: Part) -> list[int]:
    return [row for row, _ in part]


def clean_people(part: Part, ctx: Context, seen: Any, known: Any) -> ColumnChunk | None:
    """people.csv: `seen` (the duplicate person_ids' ledger) and `known` (the person
    ids) take the part's ids only when it is clean."""
    (pids, surnames, forenames, births, sexes, ethnicities, boroughs) = zip(
        *map(VALUES, part), strict=True)
    if not (ids_plain(pids) and _names_plain(surnames, required=True)
            and _names_plain(forenames, required=False)):
        return None
    if not dates_plain(births, ctx, latest=ctx.today):
        return None
    if not (_SEXES.issuperset(sexes) and _ETHNICITIES.issuperset(filter(None, ethnicities))
            and frozenset(ctx.boroughs.values()).issuperset(boroughs)):
        return None
    seen.add_columns([pids], _rows(part))
    known.extend(pids)
    return ColumnChunk(PEOPLE_FIELDS, [
        list(pids), list(surnames), list(forenames), list(births), list(sexes),
        [e or None for e in ethnicities], list(boroughs)])


def clean_offences(part: Part, ctx: Context, events: Any) -> ColumnChunk | None:
    """offences.csv: `events` (the events' ledger) takes the part's rows only when it is
    clean. `ctx.people` must hold the part's known person ids."""
    (eids, days, codes, pids, roles, outcomes) = zip(*map(VALUES, part), strict=True)
    if not (ids_plain(eids) and dates_plain(days, ctx)):
        return None
    if not (frozenset(ctx.ho_codes.values()).issuperset(codes)
            and all(map(ctx.people.__contains__, pids))):
        return None
    if not (_ROLES.issuperset(roles) and _OUTCOMES.issuperset(filter(None, outcomes))):
        return None
    if not all(o for r, o in zip(roles, outcomes, strict=True) if r == _SUSPECT):
        return None
    events.add_columns([eids, days, codes, pids], _rows(part))
    return ColumnChunk(OFFENCE_FIELDS, [
        list(eids), list(pids), list(roles), list(days), list(codes),
        [o or None for o in outcomes]])
