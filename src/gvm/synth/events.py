"""Offences (facts) and intelligence (assessments) for one chunk of people, vectorised.

Everything a person does or suffers is drawn from their latent violence propensity and
from time (their active period, custody), never from their ethnicity or sex: events come
from a thinned Poisson process whose rate is the propensity and whose intensity drops
outside the person's active period and inside custody. Victimisation rises with
propensity, so most nominals are also victims. Events run from six years before as_of to
a year after it; the future ones follow the same propensity, for backtests.

Recording bias acts on intelligence only, and only through a separate random stream:
the items recorded without bias are always drawn identically; a multiplier above 1 adds
extra items, below 1 drops some. Behaviour (offences) never changes with the bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gvm.synth.population import FUTURE_DAYS, YEAR, People, World

# (code, relative weight). Codes are real Home Office codes (data/home_office_offence_codes).
_IN_SCOPE = (
    ("8N", 16), ("5D", 7), ("5E", 1), ("2", 1), ("8P", 0.5), ("8S", 1),  # with injury
    ("105A", 12), ("3B", 3), ("104", 1), ("105B", 0.5), ("36", 0.5),  # without injury
    ("8L", 4), ("8R", 3),  # harassment
    ("34B", 17), ("34A", 2),  # robbery
    ("10D", 14), ("90", 3), ("10C", 3), ("10B", 1), ("81", 1), ("10A", 0.5),  # weapons
    ("1-4.1-4.10-4.2", 1.2),  # homicide
)
_OUT_OF_SCOPE = (
    ("92A", 18), ("92D", 12), ("92E", 15), ("28E", 6), ("30C", 3), ("39", 6), ("46", 7),
    ("48", 6), ("58D", 8), ("9A", 8), ("62A", 3), ("54", 4), ("83", 4),
)
_VICTIM = (
    ("8N", 30), ("5D", 10), ("105A", 15), ("34B", 15), ("8L", 5), ("8R", 4), ("3B", 4),
    ("39", 8), ("28E", 4), ("58C", 5),
)
_BEFORE_CUSTODY = (("8N", 15), ("5D", 10), ("34B", 10), ("10D", 10), ("10B", 5), ("92A", 30),
                   ("28E", 10), ("39", 10))
# Codes whose victim can be another person held (not weapons, not homicide, not police).
_PAIRABLE = frozenset({"8N", "5D", "5E", "2", "8P", "105A", "3B", "105B", "36", "8L", "8R",
                       "34B", "34A"})

CODES: tuple[str, ...] = tuple(dict.fromkeys(
    c for table in (_IN_SCOPE, _OUT_OF_SCOPE, _VICTIM, _BEFORE_CUSTODY) for c, _ in table))
_CODE_INDEX = {c: i for i, c in enumerate(CODES)}
_PAIRABLE_MASK = np.array([c in _PAIRABLE for c in CODES])

OUTCOMES = ("arrested", "charged", "convicted", "no_further_action", "acquitted")
# Outcome mix by the age of the case: older cases have mostly reached an end.
_OUTCOME_P = {
    "concluded": (0.20, 0.02, 0.33, 0.35, 0.10),  # more than three years before as_of
    "old": (0.50, 0.05, 0.06, 0.31, 0.08),  # one to three years before
    "recent": (0.74, 0.08, 0.04, 0.12, 0.02),  # within the last year
    "future": (0.75, 0.15, 0.00, 0.10, 0.00),  # after as_of
}
ROLES = ("suspect", "victim", "witness")
VICTIM_BASE = np.array([0.28, 0.25, 0.55])  # victimisations a year by kind, + 0.45 x rate

CATEGORIES = ("gang_membership", "weapon_access", "violence_involvement", "at_risk")
MEMBERSHIP_RATE = np.array([2.6, 1.0, 0.06])  # membership items a year by kind
INTEL_GRADES = ("A", "B", "C", "D", "E")
_INTEL_GRADE_P = (0.10, 0.40, 0.30, 0.12, 0.08)
_HANDLING_C = 0.15


def _table(rng: np.random.Generator, table: tuple, size: int) -> np.ndarray:
    w = np.array([x for _, x in table], dtype=float)
    picks = rng.choice(len(table), size=size, p=w / w.sum())
    return np.array([_CODE_INDEX[c] for c, _ in table])[picks]


def _intensity(p: People, pi: np.ndarray, t: np.ndarray, floor: float,
               in_custody: float) -> np.ndarray:
    active = (t >= p.onset[pi]) & (t <= p.desist[pi])
    w = np.where(active, 1.0, floor)
    c = p.custody[pi]
    inside = ((t >= c[:, 0]) & (t <= c[:, 1])) | ((t >= c[:, 2]) & (t <= c[:, 3]))
    return np.where(inside, w * in_custody, w)


def draw_times(rng: np.random.Generator, p: People, rate: np.ndarray, floor: float,
               in_custody: float) -> tuple[np.ndarray, np.ndarray]:
    """(person index, day) of events at `rate` a year, thinned by activity and custody."""
    start = p.window_start()
    span = FUTURE_DAYS - start
    counts = rng.poisson(np.maximum(rate, 0.0) * span / YEAR)
    pi = np.repeat(np.arange(p.n), counts)
    t = start[pi] + (rng.random(len(pi)) * span[pi]).astype(np.int64)
    keep = rng.random(len(pi)) < _intensity(p, pi, t, floor, in_custody)
    return pi[keep], t[keep]


@dataclass
class Offences:
    """Offence rows of a chunk, ordered by event then role; `event` is 0-based."""

    event: np.ndarray
    day: np.ndarray
    code: np.ndarray  # index into CODES
    person: np.ndarray  # chunk-local person index
    role: np.ndarray  # index into ROLES
    outcome: np.ndarray  # index into OUTCOMES, -1 blank
    n_events: int


def _outcomes(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    out = np.empty(len(t), dtype=np.int64)
    for key, mask in (("concluded", t < -1096), ("old", (t >= -1096) & (t < -365)),
                      ("recent", (t >= -365) & (t <= 0)),
                      ("future", t > 0)):
        out[mask] = rng.choice(len(OUTCOMES), size=int(mask.sum()), p=_OUTCOME_P[key])
    return out


def _pick_in_borough(rng: np.random.Generator, p: People, borough: np.ndarray,
                     weight: np.ndarray) -> np.ndarray:
    """For each event, a person of the chunk in `borough`, chosen in proportion to weight."""
    order = np.argsort(p.borough, kind="stable")
    cum = np.cumsum(weight[order])
    before = np.concatenate([[0.0], cum])
    lo = np.searchsorted(p.borough[order], borough, side="left")
    hi = np.searchsorted(p.borough[order], borough, side="right")
    target = before[lo] + rng.random(len(borough)) * (before[hi] - before[lo])
    pos = np.clip(np.searchsorted(cum, target, side="right"), lo, np.maximum(hi - 1, lo))
    picked = order[np.minimum(pos, p.n - 1)]
    return np.where(hi > lo, picked, -1)


def draw_offences(rng: np.random.Generator, p: People) -> Offences:
    # Suspect events: in-scope violence and weapons at the propensity rate, other crime.
    s_pi, s_t = draw_times(rng, p, p.rate, 0.08, 0.0)
    s_code = _table(rng, _IN_SCOPE, len(s_pi))
    o_pi, o_t = draw_times(rng, p, 0.2 + 0.8 * p.rate, 0.15, 0.0)
    o_code = _table(rng, _OUT_OF_SCOPE, len(o_pi))
    # Most custody follows a case: convicted, or charged and remanded if recent.
    c_pi = np.flatnonzero((p.custody[:, 2] < 0) & (rng.random(p.n) < 0.2))
    c_t = p.custody[c_pi, 2] - rng.integers(14, 150, size=len(c_pi))
    ok = c_t >= p.window_start()[c_pi]
    c_pi, c_t = c_pi[ok], c_t[ok]
    c_code = _table(rng, _BEFORE_CUSTODY, len(c_pi))
    c_out = np.where(p.custody[c_pi, 2] > -180, 1, 2)
    sus_pi = np.concatenate([s_pi, o_pi, c_pi])
    sus_t = np.concatenate([s_t, o_t, c_t])
    sus_code = np.concatenate([s_code, o_code, c_code])
    sus_out = np.concatenate([_outcomes(rng, np.concatenate([s_t, o_t])), c_out])
    n_sus = len(sus_pi)

    # Victims of the suspect events who are themselves held (shared event_id).
    vic_weight = VICTIM_BASE[p.kind] + 0.45 * p.rate
    cand = np.flatnonzero(_PAIRABLE_MASK[sus_code] & (rng.random(n_sus) < 0.3))
    v_pi = _pick_in_borough(rng, p, p.borough[sus_pi[cand]], vic_weight)
    ok = (v_pi >= 0) & (v_pi != sus_pi[cand])
    ok[ok] &= p.window_start()[v_pi[ok]] <= sus_t[cand][ok]
    shared_ev, shared_pi = cand[ok], v_pi[ok]
    # Witnesses to some suspect events, from the same borough.
    cand = np.flatnonzero(rng.random(n_sus) < 0.04)
    w_pi = _pick_in_borough(rng, p, p.borough[sus_pi[cand]], np.ones(p.n))
    ok = (w_pi >= 0) & (w_pi != sus_pi[cand])
    ok[ok] &= p.window_start()[w_pi[ok]] <= sus_t[cand][ok]
    wit_ev, wit_pi = cand[ok], w_pi[ok]
    # Victimisations whose suspect is not held.
    v_pi, v_t = draw_times(rng, p, vic_weight, 0.3, 0.2)
    v_code = _table(rng, _VICTIM, len(v_pi))

    # Events: the suspect events, then the lone victimisations; numbered by date.
    ev_t = np.concatenate([sus_t, v_t])
    ev_code = np.concatenate([sus_code, v_code])
    rank = np.empty(len(ev_t), dtype=np.int64)
    rank[np.argsort(ev_t, kind="stable")] = np.arange(len(ev_t))
    lone = n_sus + np.arange(len(v_pi))
    row_ev = np.concatenate([np.arange(n_sus), shared_ev, wit_ev, lone])
    person = np.concatenate([sus_pi, shared_pi, wit_pi, v_pi])
    role = np.concatenate([np.zeros(n_sus, np.int64), np.ones(len(shared_ev), np.int64),
                           np.full(len(wit_ev), 2), np.ones(len(v_pi), np.int64)])
    outcome = np.concatenate([sus_out, np.full(len(row_ev) - n_sus, -1)])
    # One row per person and event: a victim picked as witness too stays a victim.
    by_role = np.argsort(role, kind="stable")
    _, first = np.unique(row_ev[by_role] * p.n + person[by_role], return_index=True)
    keep = by_role[first]
    row_ev, person, role, outcome = row_ev[keep], person[keep], role[keep], outcome[keep]
    order = np.lexsort((role, rank[row_ev]))
    return Offences(event=rank[row_ev][order], day=ev_t[row_ev][order],
                    code=ev_code[row_ev][order], person=person[order], role=role[order],
                    outcome=outcome[order], n_events=len(ev_t))


@dataclass
class Intel:
    """Intelligence rows of a chunk, ordered by person then date."""

    person: np.ndarray
    day: np.ndarray
    category: np.ndarray  # index into CATEGORIES
    source: np.ndarray  # global source index
    grade: np.ndarray  # index into INTEL_GRADES
    handling_c: np.ndarray  # bool: handling code C (else P)
    summary: np.ndarray  # index into the category's summaries


def _rates(p: People) -> list[tuple[np.ndarray, float, float]]:
    """(rate a year, floor outside active period, factor in custody) per category."""
    return [
        (MEMBERSHIP_RATE[p.kind], 0.3, 0.6),
        (0.25 + 0.6 * p.rate, 0.1, 0.05),
        (0.9 + 1.2 * p.rate, 0.1, 0.1),
        (0.25 + 0.4 * p.rate, 0.4, 0.3),
    ]


def _attributes(rng: np.random.Generator, world: World, p: People, pi: np.ndarray,
                t: np.ndarray, category: int) -> tuple[np.ndarray, ...]:
    b = p.borough[pi]
    source = world.source_offset[b] + (rng.random(len(pi)) * world.source_count[b]).astype(
        np.int64)
    grade = rng.choice(len(INTEL_GRADES), size=len(pi), p=_INTEL_GRADE_P)
    handling_c = rng.random(len(pi)) < _HANDLING_C
    summary = rng.integers(0, 4, size=len(pi))
    return pi, t, np.full(len(pi), category), source, grade, handling_c, summary


def draw_intel(rng: np.random.Generator, bias_rng: np.random.Generator, world: World,
               p: People) -> Intel:
    parts: list[tuple[np.ndarray, ...]] = []
    biased = bool(np.any(p.bias != 1.0))
    for category, (rate, floor, in_custody) in enumerate(_rates(p)):
        pi, t = draw_times(rng, p, rate, floor, in_custody)
        base = _attributes(rng, world, p, pi, t, category)
        if not biased:
            parts.append(base)
            continue
        keep = bias_rng.random(len(pi)) < np.minimum(p.bias[pi], 1.0)
        parts.append(tuple(a[keep] for a in base))
        pi, t = draw_times(bias_rng, p, rate * np.maximum(p.bias - 1.0, 0.0), floor,
                           in_custody)
        parts.append(_attributes(bias_rng, world, p, pi, t, category))
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    order = np.lexsort((cols[2], cols[1], cols[0]))
    return Intel(*(c[order] for c in cols))
