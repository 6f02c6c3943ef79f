"""Re-scoring a whole population from tables encoded once (SPEC 3.2-3.4): the same
numbers as `gvm.domain.batch.score_batch`, for data scored again and again (every as-of
date of a back-test, what-if policies, a register held in memory).

`score_batch` groups tens of millions of rows by their string person id, every time;
here the string work is done once, by `gvm.domain.scoring_tables.prepare_tables`, and a
re-score reads only small integers, in array passes:
- each rule reads only its own rows (suspects, victims, one intelligence category);
- `as_of` is one date, so each window's cut-off is computed once, with the same
  calendar arithmetic as the one-person path (`dates.minus_months`);
- weights, outcome factors and accepted grades are small lookup arrays indexed by a
  row's code; a row that does not count contributes 0;
- a person's rows are contiguous, so a per-person sum is the difference of a running
  total at their first and last row: no hashing, group-by, sort or join;
- the intelligence cap is `min(count, cap) x points`, and "at least two distinct
  sources" `min(source) < max(source)` over the counted membership items, as in
  `score_batch`.
Property tests hold `score_tables` to `score_batch` and to the one-person path, to the
last bit. All arithmetic is in the integer units of `gvm.domain.policy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import polars as pl

from gvm.domain.batch import code_weight_units
from gvm.domain.dates import minus_months
from gvm.domain.frames import SCORES
from gvm.domain.model import IntelCategory
from gvm.domain.policy import MIN_CORROBORATING_SOURCES, SCORE_SCALE, UNIT, Policy
from gvm.domain.scoring_tables import (
    INTEL_GRADES,
    NONE,
    OUTCOMES,
    SOURCE_GRADES,
    ScoringTables,
    Table,
    day_number,
)

_WEAPON = IntelCategory.WEAPON_ACCESS
_VIOLENCE = IntelCategory.VIOLENCE_INVOLVEMENT
_AT_RISK = IntelCategory.AT_RISK


def _per_person(values: np.ndarray, table: Table) -> np.ndarray:
    """The sum of `values` (one per row of `table`, padding included) over each
    person's rows, exactly, as int64."""
    # A running total read at each person's first and last row: one pass, no per-person
    # call. int64 wraps around on overflow, so the differences stay exact whenever the
    # per-person sums fit.
    total = np.empty(len(values) + 1, dtype=np.int64)
    total[0] = 0
    np.cumsum(values, dtype=np.int64, out=total[1:])
    return total[table.starts[1:]] - total[table.starts[:-1]]


def _per_person_extreme(values: np.ndarray, table: Table, ufunc: np.ufunc,
                        none: int) -> np.ndarray:
    """`ufunc` (np.minimum or np.maximum) of `values` over each person's rows; `none`
    for a person with none."""
    out = ufunc.reduceat(values, table.starts[:-1])
    out[table.empty] = none
    return out


def _recent(table: Table, as_of: date, months: int) -> np.ndarray:
    """Rows dated within `months` up to and including as_of (`dates.within`)."""
    day = table["day"]
    return (day <= day_number(as_of)) & (day > day_number(minus_months(as_of, months)))


def _weights(tables: ScoringTables, policy: Policy, catalogue: Mapping[str, str]
             ) -> np.ndarray:
    """CCHI weight x UNIT by code index (0 for the missing code and the padding)."""
    units = code_weight_units(policy, catalogue)
    weight = np.zeros(max(len(tables.codes) + 1, NONE + 1), dtype=np.int64)
    weight[:len(tables.codes)] = [units.get(code, 0) for code in tables.codes]
    return weight


def _offence_units(tables: ScoringTables, as_of: date, policy: Policy,
                   catalogue: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Per person: offence harm units and offence victim units.

    Suspects within the offender window score weight x outcome factor; victims within
    the victimisation window score the weight whatever the outcome; witnesses never.
    """
    w = policy.windows
    weight = _weights(tables, policy, catalogue)
    factor = np.zeros(NONE + 1, dtype=np.int64)  # a missing outcome scores 0
    for outcome, units in policy.outcome_factor_units.items():
        factor[OUTCOMES.index(outcome.value)] = units
    s, v = tables.suspects, tables.victims
    harm = np.where(_recent(s, as_of, w.offender_offences),
                    weight[s["code"]] * factor[s["outcome"]], 0)
    victim = np.where(_recent(v, as_of, w.victimisation), weight[v["code"]] * UNIT, 0)
    return _per_person(harm, s), _per_person(victim, v)


def _graded(table: Table, policy: Policy) -> np.ndarray:
    """Rows whose source and intelligence grades the policy accepts."""
    accepted = np.zeros(NONE + 1, dtype=bool)
    for s in policy.source_grades:
        for i in policy.intel_grades:
            accepted[SOURCE_GRADES.index(s.value) * 8 + INTEL_GRADES.index(i.value)] = True
    return accepted[table["grade"]]


def _intelligence_counts(tables: ScoringTables, as_of: date, policy: Policy
                         ) -> dict[str, np.ndarray]:
    """Per person: the count of graded items in their window in each scored category,
    and whether membership is corroborated and not only social media (SPEC 3.3)."""
    w = policy.windows

    def counted(table: Table, months: int) -> np.ndarray:
        return _recent(table, as_of, months) & _graded(table, policy)

    m = tables.membership
    membership = counted(m, w.gang_membership)
    # Two or more distinct sources <=> the smallest and the largest differ; rows that
    # do not count (and missing sources) take values that can never be either.
    # (MIN_CORROBORATING_SOURCES is 2, fixed by R-THRESHOLD.)
    known = membership & (m["source"] >= 0)
    never = np.iinfo(np.int64).max
    smallest = _per_person_extreme(np.where(known, m["source"], never), m, np.minimum,
                                   never)
    largest = _per_person_extreme(np.where(known, m["source"], -1), m, np.maximum, -1)
    return {
        "n_weapon": _per_person(counted(tables.weapon, w.weapon_violence_intelligence),
                                tables.weapon),
        "n_violence": _per_person(counted(tables.violence, w.weapon_violence_intelligence),
                                  tables.violence),
        "n_at_risk": _per_person(counted(tables.at_risk, w.at_risk_intelligence),
                                 tables.at_risk),
        "corroborated": smallest < largest,
        # A missing source type is not social media, as in the one-person path.
        "not_social": _per_person(membership & ~m["social"], m) > 0,
    }


def _in_custody(tables: ScoringTables, as_of: date) -> np.ndarray:
    """Per person: a custody period covers as_of (SPEC 3.4)."""
    t = tables.custody
    today = day_number(as_of)
    return _per_person((t["start"] <= today) & (t["end"] >= today), t) > 0


# A score's float is exact-to-the-last-bit only while its units are exact in a float.
_EXACT_UNITS = 2**53
_BANDS = pl.Series(["Zero", "Green", "Amber", "Red"])


def _score(units: np.ndarray) -> np.ndarray:
    """`units / SCORE_SCALE` as the correctly rounded float, as Python's `/` gives it.

    NumPy's true division converts both to float (exactly, below 2**53 units, some 9e7
    days) and divides once, correctly rounded: Python's int / int to the last bit.
    (Polars would multiply by the reciprocal, one bit off for about one value in seven.)
    """
    if len(units) and int(np.abs(units).max()) >= _EXACT_UNITS:  # pragma: no cover
        raise OverflowError("a score too large to give exactly as a float")
    return units / SCORE_SCALE


def _band(units: np.ndarray, policy: Policy) -> pl.Series:
    """The same thresholds as `Policy.band`."""
    index = np.where(units == 0, 0, 1 + (units >= policy.amber_from_units)
                     + (units >= policy.red_from_units))
    return _BANDS.gather(index)


def score_tables(tables: ScoringTables, as_of: date, policy: Policy,
                 catalogue: Mapping[str, str]) -> pl.DataFrame:
    """Both scores, bands, eligibility and custody for everyone in `tables` on `as_of`,
    in the SCORES layout, one row per person, sorted by person_id."""
    if MIN_CORROBORATING_SOURCES != 2:  # pragma: no cover - fixed by R-THRESHOLD
        raise NotImplementedError("the batch engine counts distinct sources as min != max")
    cap = policy.max_items_per_category
    points = policy.intel_point_units

    def capped(count: np.ndarray, category: IntelCategory) -> np.ndarray:
        return np.minimum(count, cap) * points.get(category, 0)

    # NumPy lets go of the GIL in its loops: offences and custody on a second thread
    # while intelligence (two thirds of the rows) is scored on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        offences = pool.submit(_offence_units, tables, as_of, policy, catalogue)
        custody = pool.submit(_in_custody, tables, as_of)
        intel = _intelligence_counts(tables, as_of, policy)
        offence_harm, offence_victim = offences.result()
        in_custody = custody.result()
    harm_units = (offence_harm + capped(intel["n_weapon"], _WEAPON)
                  + capped(intel["n_violence"], _VIOLENCE))
    victim_units = offence_victim + capped(intel["n_at_risk"], _AT_RISK)
    # Keys are positions in person_ids, which is sorted: nothing to join or sort.
    return pl.DataFrame({
        "person_id": tables.person_ids,
        "harm_units": harm_units,
        "victim_units": victim_units,
        "harm_score": _score(harm_units),
        "victim_score": _score(victim_units),
        "harm_band": _band(harm_units, policy),
        "victim_band": _band(victim_units, policy),
        "eligible": intel["corroborated"] & intel["not_social"],
        "in_custody": in_custody,
    }, schema=SCORES)
