"""`generate`: a seeded synthetic London written as an interchange bundle (SPEC section 4).

People are made in chunks of a fixed size, each from its own random streams derived
from (seed, chunk, stream), and their rows are streamed to the files as they are made:
the same seed always gives byte-identical files, and memory does not grow with scale.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np

from gvm.synth import rows
from gvm.synth.events import draw_intel, draw_offences
from gvm.synth.population import ETHNICITIES, build_world, draw_people

Scale = Literal["london", "national", "small"]
# People generated per scale. "london" is calibrated to the Matrix of July 2016: scored
# on as_of with the default policy, seed 1 gives 3,820 eligible of 8,600 held (the rest
# candidates, victims, stale or single-source intelligence); of the eligible 39% harm zero,
# 50% Green, 10% Amber, 1% Red; 64% victims (victim score > 0); 16% under 18.
# "small" is about 1/20 of it; "national" (~21M offence and intelligence rows) is a
# benchmark size, still spread over the 33 London boroughs.
SCALES: dict[str, int] = {"small": 430, "london": 8_600, "national": 1_000_000}
CHUNK = 50_000  # people per chunk; fixed, so output never depends on how it is run
FILES = ("people", "gangs", "offences", "intelligence", "custody", "aliases",
         "gang_relations")
# Random streams; a new one goes last, so the others (and their files) never change.
_WORLD, _PEOPLE, _NAMES, _OFFENCES, _INTEL, _BIAS, _RELATIONS = range(7)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SynthSummary:
    """What was written: the folder, and the rows in each file."""

    out: Path
    seed: int
    scale: str
    as_of: date
    people: int
    gangs: int
    offences: int
    intelligence: int
    custody: int
    aliases: int
    gang_relations: int

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FILES}

    def __str__(self) -> str:
        return ", ".join(f"{n:,} {name}" for name, n in self.counts().items())


def _check_bias(recording_bias: Mapping[str, float] | None) -> dict[str, float]:
    bias: dict[str, float] = {}
    for group, m in (recording_bias or {}).items():
        if group not in ETHNICITIES:
            raise ValueError(f"recording_bias: unknown ethnic group {group!r}; "
                             f"expected one of {', '.join(ETHNICITIES)}")
        if not (isinstance(m, int | float) and math.isfinite(m) and m >= 0):
            raise ValueError(f"recording_bias[{group!r}]: expected a multiplier >= 0, got {m!r}")
        bias[group] = float(m)
    return bias


def _rng(seed: int, chunk: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, chunk, stream])


def generate(
    out: Path,
    *,
    seed: int = 1,
    scale: Scale = "london",
    as_of: date = date(2026, 9, 30),
    recording_bias: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> SynthSummary:
    """Write people.csv, gangs.csv, offences.csv, intelligence.csv, custody.csv,
    aliases.csv and gang_relations.csv (the optional file) for a synthetic population
    into the folder `out` (created if needed).

    `recording_bias` maps an ethnic group to a multiplier on the rate at which
    intelligence of every category is recorded about people of that group, for the same
    behaviour (e.g. {"Black": 2.0}); offences never change with it.
    """
    if scale not in SCALES:
        raise ValueError(f"scale: expected one of {', '.join(SCALES)}, got {scale!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    bias = _check_bias(recording_bias)
    n_people = SCALES[scale]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(_rng(seed, 0, _WORLD), n_people)
    dates = rows.Dates(as_of)
    source_ids = [f"S{i:05d}" for i in range(1, len(world.source_type) + 1)]
    counts = dict.fromkeys(FILES, 0)
    n_events = 0

    with ExitStack() as stack:
        writers = {}
        for name in FILES:
            f = stack.enter_context((out / f"{name}.csv").open("w", encoding="utf-8",
                                                               newline=""))
            writers[name] = csv.writer(f, lineterminator="\n")
            writers[name].writerow(rows.HEADERS[name])

        gangs = list(rows.gang_rows(world))
        writers["gangs"].writerows(gangs)
        counts["gangs"] = len(gangs)
        relations = rows.gang_relation_rows(_rng(seed, 0, _RELATIONS), world, dates)
        writers["gang_relations"].writerows(relations)
        counts["gang_relations"] = len(relations)
        if progress:
            progress("gangs", len(gangs), len(gangs))

        for chunk, first in enumerate(range(0, n_people, CHUNK), start=1):
            n = min(CHUNK, n_people - first)
            p = draw_people(_rng(seed, chunk, _PEOPLE), world, first, n, bias)
            ids = rows.person_ids(p)
            people, aliases = rows.people_rows(_rng(seed, chunk, _NAMES), world, p, ids, dates)
            counts["people"] += n
            writers["people"].writerows(people)
            writers["aliases"].writerows(aliases)
            counts["aliases"] += len(aliases)
            custody = rows.custody_rows(p, ids, dates)
            writers["custody"].writerows(custody)
            counts["custody"] += len(custody)

            o = draw_offences(_rng(seed, chunk, _OFFENCES), p)
            writers["offences"].writerows(rows.offence_rows(o, n_events, ids, dates))
            n_events += o.n_events
            counts["offences"] += len(o.person)
            del o

            x = draw_intel(_rng(seed, chunk, _INTEL), _rng(seed, chunk, _BIAS), world, p)
            writers["intelligence"].writerows(rows.intel_rows(
                world, x, counts["intelligence"], ids, p, dates, source_ids))
            counts["intelligence"] += len(x.person)
            del x
            if progress:
                progress("people", first + n, n_people)

    return SynthSummary(out=out, seed=seed, scale=scale, as_of=as_of, **counts)
