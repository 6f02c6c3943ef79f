"""The synthetic world: boroughs, gangs, intelligence sources and people.

The people are the population *involved in gang intelligence*: gang nominals, people on
the edge of a group, and victims and suspects of violence known alongside them. Their sex
and age skew (mostly male, mostly 15-24) is that of this involved population. Their
ethnicity is drawn from their borough's Census 2021 shares, independently of everything
else, so any disproportionality in the register can come only from the recording-bias
knob (`recording_bias`), never from behaviour.

All dates are day offsets from `as_of` (0 = as_of, negative = before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from gvm.domain.model import Ethnicity
from gvm.reference import census_rows
from gvm.synth.names import gang_names

ETHNICITIES = tuple(e.value for e in Ethnicity)  # Asian, Black, Mixed, White, Other
NOT_STATED = 0.03  # share with ethnicity not stated (blank)
SEXES = ("M", "F", "X")
SEX_P = (0.985, 0.013, 0.002)

# Age at as_of, 12..40: ~16% under 18, ~77% aged 12-24 in the involved population.
_AGE_P = np.array([
    0.010, 0.018, 0.026, 0.032, 0.036, 0.040,  # 12-17
    0.090, 0.100, 0.100, 0.095, 0.085, 0.075, 0.065,  # 18-24
    0.045, 0.037, 0.030, 0.024, 0.019,  # 25-29
    0.014, 0.012, 0.010, 0.009, 0.008, 0.006, 0.005, 0.004, 0.003, 0.002, 0.002,  # 30-40
])
AGES = np.arange(12, 12 + len(_AGE_P))
AGE_P = _AGE_P / _AGE_P.sum()

YEAR = 365.25
HISTORY_DAYS = round(6 * YEAR)  # history starts this many days before as_of
FUTURE_DAYS = 365  # and runs this far after it (future events, for backtests)
NEVER = 10**9  # sentinel offset: no such date

# Kinds of involvement (latent, never written): nominal, peripheral, other (mostly victims).
KIND_P = (0.55, 0.25, 0.20)
KIND_RATE = np.array([0.55, 0.22, 0.12])  # mean in-scope suspect events a year when active
PEOPLE_PER_GANG = 28
PEOPLE_PER_SOURCE = 5


@dataclass(frozen=True)
class World:
    """What every chunk of people shares: boroughs, their gangs and sources."""

    n_people: int
    borough_codes: tuple[str, ...]
    borough_p: np.ndarray  # share of people per borough (census population)
    eth_cum: np.ndarray  # [borough, group] cumulative ethnicity shares, last = 1
    gang_offset: np.ndarray  # first gang index of each borough
    gang_count: np.ndarray
    gang_ids: tuple[str, ...]
    gang_names: tuple[str, ...]
    gang_borough: np.ndarray
    source_offset: np.ndarray
    source_count: np.ndarray
    source_type: np.ndarray  # index into SOURCE_TYPES
    source_grade: np.ndarray  # 0, 1, 2 for grades 1, 2, 3


SOURCE_TYPES = ("police", "partner_agency", "community", "social_media")
_SOURCE_TYPE_P = (0.45, 0.25, 0.15, 0.15)
# Source grade (1, 2, 3) by source type: police sources are most often reliable.
_SOURCE_GRADE_P = np.array([[0.60, 0.35, 0.05], [0.40, 0.50, 0.10],
                            [0.15, 0.55, 0.30], [0.10, 0.50, 0.40]])


def _counts(total: int, shares: np.ndarray, minimum: int) -> np.ndarray:
    return np.maximum(minimum, np.rint(total * shares)).astype(np.int64)


def build_world(rng: np.random.Generator, n_people: int) -> World:
    rows = census_rows()
    codes = tuple(r["code"] for r in rows)
    pop = np.array([float(r["population_total"]) for r in rows])
    shares = pop / pop.sum()
    eth = np.array([[float(r[f"ethnicity_{g.lower()}_perc"]) for g in ETHNICITIES[:4]]
                    + [float(r["ethnicity_other_perc_derived"])] for r in rows])
    eth = np.clip(eth, 0, None)
    eth_cum = np.cumsum(eth / eth.sum(axis=1, keepdims=True), axis=1)
    eth_cum[:, -1] = 1.0

    gang_count = _counts(n_people // PEOPLE_PER_GANG, shares, 1)
    gang_offset = np.concatenate([[0], np.cumsum(gang_count)[:-1]])
    n_gangs = int(gang_count.sum())
    names: list[str] = []
    for count in gang_count.tolist():  # names distinct within a borough
        names.extend(gang_names(rng, count))
    gang_borough = np.repeat(np.arange(len(codes)), gang_count)

    source_count = _counts(n_people // PEOPLE_PER_SOURCE, shares, 12)
    source_offset = np.concatenate([[0], np.cumsum(source_count)[:-1]])
    n_sources = int(source_count.sum())
    source_type = rng.choice(len(SOURCE_TYPES), size=n_sources, p=_SOURCE_TYPE_P)
    u = rng.random(n_sources)
    grade_cum = np.cumsum(_SOURCE_GRADE_P, axis=1)[source_type]
    source_grade = (u[:, None] > grade_cum[:, :-1]).sum(axis=1)
    return World(
        n_people=n_people, borough_codes=codes, borough_p=shares, eth_cum=eth_cum,
        gang_offset=gang_offset, gang_count=gang_count,
        gang_ids=tuple(f"G{i + 1:04d}" for i in range(n_gangs)), gang_names=tuple(names),
        gang_borough=gang_borough, source_offset=source_offset, source_count=source_count,
        source_type=source_type, source_grade=source_grade,
    )


@dataclass
class People:
    """One chunk of people, as parallel arrays (index i = person first + i)."""

    first: int  # global index of the chunk's first person
    borough: np.ndarray
    ethnicity: np.ndarray  # index into ETHNICITIES, -1 not stated
    sex: np.ndarray  # index into SEXES
    dob: np.ndarray  # day offset of the date of birth
    kind: np.ndarray  # 0 nominal, 1 peripheral, 2 other
    rate: np.ndarray  # latent violence propensity: in-scope suspect events a year
    gang: np.ndarray  # global index of the gang the person is linked to
    onset: np.ndarray  # active from this day...
    desist: np.ndarray  # ...to this day (NEVER: still active)
    custody: np.ndarray  # [n, 4]: start, end of an older and a recent period (NEVER: none)
    bias: np.ndarray  # recording multiplier for intelligence (1.0 for most)

    @property
    def n(self) -> int:
        return len(self.borough)

    def window_start(self) -> np.ndarray:
        """Events involving a person start at the history start or their 10th birthday."""
        return np.maximum(-HISTORY_DAYS, self.dob + round(10 * YEAR))


def _custody(rng: np.random.Generator, rate: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """Up to two custody periods: an older completed one and a recent one (maybe current).

    The chance of custody grows with propensity; a recent period still running on as_of
    is written with a blank end date.
    """
    n = len(rate)
    cap = np.minimum(1.0, rate / 0.8)
    out = np.full((n, 4), NEVER, dtype=np.int64)
    recent = rng.random(n) < 0.05 + 0.7 * cap
    start = -rng.integers(7, round(4 * YEAR), size=n)
    length = np.rint(rng.lognormal(np.log(600.0), 0.8, size=n)).astype(np.int64) + 14
    recent &= start >= dob + round(14 * YEAR)
    out[recent, 2] = start[recent]
    out[recent, 3] = (start + length)[recent]
    older = rng.random(n) < 0.04 + 0.3 * cap
    o_start = -rng.integers(round(3 * YEAR), HISTORY_DAYS, size=n)
    o_end = o_start + np.rint(rng.lognormal(np.log(180.0), 0.6, size=n)).astype(np.int64)
    older &= (o_start >= dob + round(14 * YEAR)) & (o_end < np.minimum(out[:, 2], 1) - 30)
    out[older, 0] = o_start[older]
    out[older, 1] = o_end[older]
    return out


def draw_people(
    rng: np.random.Generator, world: World, first: int, n: int,
    bias: Mapping[str, float] | None,
) -> People:
    borough = rng.choice(len(world.borough_codes), size=n, p=world.borough_p)
    u = rng.random(n)
    ethnicity = (u[:, None] > world.eth_cum[borough][:, :-1]).sum(axis=1)
    ethnicity[rng.random(n) < NOT_STATED] = -1
    sex = rng.choice(len(SEXES), size=n, p=SEX_P)
    age = rng.choice(AGES, size=n, p=AGE_P)
    # +1 day keeps the age at as_of exactly `age` whatever the leap years.
    dob = -1 - np.floor((age + rng.random(n) * 0.99) * YEAR).astype(np.int64)
    kind = rng.choice(3, size=n, p=KIND_P)
    rate = KIND_RATE[kind] * rng.gamma(2.0, 1 / 2.0, size=n)
    # The group a person is linked to, in their borough (intelligence names it).
    gang = world.gang_offset[borough] + (rng.random(n) * world.gang_count[borough]).astype(
        np.int64)
    onset = np.maximum(-rng.integers(90, HISTORY_DAYS + 365, size=n), dob + round(11 * YEAR))
    desist = np.full(n, NEVER, dtype=np.int64)
    stops = rng.random(n) < 0.34
    desist[stops] = onset[stops] + (rng.random(n) * (FUTURE_DAYS - onset)).astype(
        np.int64)[stops]
    multiplier = np.ones(n)
    for group, m in (bias or {}).items():
        multiplier[ethnicity == ETHNICITIES.index(group)] = m
    return People(first=first, borough=borough, ethnicity=ethnicity, sex=sex, dob=dob,
                  kind=kind, rate=rate, gang=gang, onset=onset, desist=desist,
                  custody=_custody(rng, rate, dob), bias=multiplier)
