"""Turning a chunk's arrays into CSV rows in the interchange layout (SPEC section 4).

Rows are written with the standard csv module: UTF-8, a header row, ISO dates, blanks
for none. Strings that repeat (dates, codes, person ids) are looked up in lists so a
chunk's rows share them rather than format them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np

from gvm.interchange.columns import ALL_COLUMNS
from gvm.synth import names
from gvm.synth.events import CATEGORIES, CODES, INTEL_GRADES, OUTCOMES, ROLES, Intel, Offences
from gvm.synth.population import ETHNICITIES, SEXES, SOURCE_TYPES, People, World

# The interchange layout is defined once, by the reader that will read these files.
HEADERS: dict[str, tuple[str, ...]] = ALL_COLUMNS

_EARLIEST = -16_000  # day offsets covered by the date table (before as_of)
_LATEST = 1_000


class Dates:
    """ISO strings for day offsets from as_of."""

    def __init__(self, as_of: date) -> None:
        self._iso = [(as_of + timedelta(days=d)).isoformat()
                     for d in range(_EARLIEST, _LATEST + 1)]

    def __call__(self, offsets: np.ndarray) -> list[str]:
        iso = self._iso
        return [iso[i] for i in (offsets - _EARLIEST).tolist()]


def person_ids(p: People) -> list[str]:
    return [f"P{i:07d}" for i in range(p.first + 1, p.first + p.n + 1)]


def _pick(rng: np.random.Generator, words: tuple[str, ...], size: int) -> list[str]:
    return [words[i] for i in rng.integers(0, len(words), size=size).tolist()]


def _forenames(rng: np.random.Generator, sex: np.ndarray) -> list[str]:
    """A forename for the person's sex (either list for X); about 15% have a second."""
    pools = (names.MALE_FORENAMES, names.FEMALE_FORENAMES,
             names.MALE_FORENAMES + names.FEMALE_FORENAMES)
    u = rng.random((len(sex), 2)).tolist()
    second = (rng.random(len(sex)) < 0.15).tolist()
    out = []
    for s, (a, b), two in zip(sex.tolist(), u, second, strict=True):
        pool = pools[s]
        first, other = pool[int(a * len(pool))], pool[int(b * len(pool))]
        out.append(f"{first} {other}" if two and other != first else first)
    return out


def people_rows(rng: np.random.Generator, world: World, p: People, ids: list[str],
                dates: Dates) -> tuple[Iterable[tuple[Any, ...]], Iterable[tuple[Any, ...]]]:
    """People rows and alias rows (about one person in ten has an alias)."""
    surnames = _pick(rng, names.SURNAMES, p.n)
    forenames = _forenames(rng, p.sex)
    eth = [ETHNICITIES[e] if e >= 0 else "" for e in p.ethnicity.tolist()]
    sex = [SEXES[s] for s in p.sex.tolist()]
    borough = [world.borough_codes[b] for b in p.borough.tolist()]
    people = zip(ids, surnames, forenames, dates(p.dob), sex, eth, borough, strict=True)

    who = np.flatnonzero(rng.random(p.n) < 0.10)
    who = np.sort(np.concatenate([who, who[rng.random(len(who)) < 0.2]]), kind="stable")
    kind = rng.random(len(who))  # new surname, new forenames, or both
    alias_surname = _pick(rng, names.SURNAMES, len(who))
    alias_forenames = _forenames(rng, p.sex[who])
    aliases: dict[tuple[str, str, str], None] = {}  # distinct, in order
    for j, (i, k) in enumerate(zip(who.tolist(), kind.tolist(), strict=True)):
        alias = (ids[i], alias_surname[j] if k < 0.7 else surnames[i],
                 alias_forenames[j] if k >= 0.5 else forenames[i])
        if alias[1:] != (surnames[i], forenames[i]):
            aliases[alias] = None
    return people, list(aliases)


def gang_rows(world: World) -> Iterable[tuple[Any, ...]]:
    return zip(world.gang_ids, world.gang_names,
               [world.borough_codes[b] for b in world.gang_borough.tolist()], strict=True)


RELATION_SOURCES = ("police intelligence", "partner agency", "community intelligence")
# Per gang: the chance of a recorded rival and of a recorded ally, each drawn from its own
# borough's other gangs or, for a rival, now and then the next borough's (code order).
_RIVAL_P, _ALLY_P, _RIVAL_NEXT_P = 0.6, 0.25, 0.3


def gang_relation_rows(rng: np.random.Generator, world: World,
                       dates: Dates) -> list[tuple[Any, ...]]:
    """Recorded rivalries and alliances (gang_relations.csv), dated in the three years
    before as_of: about one for every gang, so the count scales with the gangs."""
    def gangs_of(b: int) -> list[str]:
        first = int(world.gang_offset[b])
        return list(world.gang_ids[first:first + int(world.gang_count[b])])

    picked: dict[tuple[str, str], str] = {}  # one relation per pair
    n_boroughs = len(world.borough_codes)
    for b in range(n_boroughs):
        own, nxt = gangs_of(b), gangs_of((b + 1) % n_boroughs)
        for gang in own:
            for kind, p in (("rivalry", _RIVAL_P), ("alliance", _ALLY_P)):
                if rng.random() >= p:
                    continue
                pool = [g for g in own if g != gang]
                if kind == "rivalry" and (not pool or rng.random() < _RIVAL_NEXT_P):
                    pool = [g for g in nxt if g != gang]
                if pool:
                    other = pool[int(rng.integers(0, len(pool)))]
                    picked.setdefault((min(gang, other), max(gang, other)), kind)
    days = dates(-rng.integers(30, 3 * 365, size=len(picked)))
    sources = _pick(rng, RELATION_SOURCES, len(picked))
    return [(a, c, kind, day, source) for ((a, c), kind), day, source
            in zip(picked.items(), days, sources, strict=True)]


def offence_rows(o: Offences, first_event: int, ids: list[str],
                 dates: Dates) -> Iterable[tuple[Any, ...]]:
    events = [f"E{e:08d}" for e in (o.event + first_event + 1).tolist()]
    return zip(events, dates(o.day), [CODES[c] for c in o.code.tolist()],
               [ids[i] for i in o.person.tolist()], [ROLES[r] for r in o.role.tolist()],
               [OUTCOMES[x] if x >= 0 else "" for x in o.outcome.tolist()], strict=True)


def intel_rows(world: World, x: Intel, first_intel: int, ids: list[str], p: People,
               dates: Dates, source_ids: list[str]) -> Iterable[tuple[Any, ...]]:
    n = len(x.person)
    intel_ids = [f"I{i:09d}" for i in range(first_intel + 1, first_intel + n + 1)]
    membership = x.category == 0
    gang = [world.gang_ids[g] if m else ""
            for g, m in zip(p.gang[x.person].tolist(), membership.tolist(), strict=True)]
    stype = world.source_type[x.source]
    summaries = [
        names.SOCIAL_MEDIA_SUMMARIES[CATEGORIES[c]] if s == 3
        else names.SUMMARIES[CATEGORIES[c]][k % len(names.SUMMARIES[CATEGORIES[c]])]
        for c, s, k in zip(x.category.tolist(), stype.tolist(), x.summary.tolist(), strict=True)
    ]
    return zip(
        intel_ids, dates(x.day), [ids[i] for i in x.person.tolist()], gang,
        [CATEGORIES[c] for c in x.category.tolist()],
        [source_ids[s] for s in x.source.tolist()],
        [SOURCE_TYPES[s] for s in stype.tolist()],
        [("1", "2", "3")[g] for g in world.source_grade[x.source].tolist()],
        [INTEL_GRADES[g] for g in x.grade.tolist()],
        ["C" if c else "P" for c in x.handling_c.tolist()],
        summaries, strict=True)


def custody_rows(p: People, ids: list[str], dates: Dates) -> list[tuple[str, str, str]]:
    """Completed periods with their end; a period running on as_of with a blank end."""
    rows: list[tuple[str, str, str]] = []
    c = p.custody
    older = np.flatnonzero(c[:, 0] < 0)
    recent = np.flatnonzero(c[:, 2] < 0)
    for i, s, e in zip(older.tolist(), dates(c[older, 0]), dates(c[older, 1]), strict=True):
        rows.append((ids[i], s, e))
    ended = (c[recent, 3] < 0).tolist()
    ends = dates(np.minimum(c[recent, 3], 0))
    for i, s, e, done in zip(recent.tolist(), dates(c[recent, 2]), ends, ended, strict=True):
        rows.append((ids[i], s, e if done else ""))
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows
