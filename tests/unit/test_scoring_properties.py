"""Property tests: the batch engine and the one-person path agree on random populations.

Hypothesis draws small populations (dates clustered on every window edge, 29 February
and as_of; codes in and out of scope; every role, outcome, category, grade and source
type; a small pool of source ids; custody periods) under the default policy and under
custom policies, and `score_both` asserts that `score_batch` and `score_person` give the
same value in every output column for every person, and that each explanation sums to
its score (R-DUAL, R-TIMESCALE, R-THRESHOLD, R-MUSIC, R-CUSTODY).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_support import (
    CATALOGUE,
    DEFAULT,
    custody,
    custom_policy,
    intel,
    offence,
    records,
    score_both,
    to_frames,
)

from gvm.domain.batch import code_weight_units, score_batch
from gvm.domain.dates import minus_months
from gvm.domain.model import (
    IntelCategory,
    IntelGrade,
    Outcome,
    PersonRecords,
    Role,
    SourceGrade,
    SourceType,
)
from gvm.domain.policy import Policy
from gvm.domain.rescore import score_tables
from gvm.domain.scoring_tables import prepare_tables

# When a property fails, Hypothesis imports libcst to suggest a patch, and libcst warns
# about mypy_extensions; with warnings as errors that would hide the falsifying example.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

# A different window for each kind, other weights, factors, points, cap, grades and
# bands; extra codes mapped by code, an out-of-scope class (burglary) brought in.
SHORT = custom_policy(
    windows={"offender_offences_months": 12, "victimisation_months": 24,
             "weapon_violence_intelligence_months": 3, "at_risk_intelligence_months": 9,
             "gang_membership_months": 12},
    cchi_days={"Homicide": 1000.0001, "Violence with injury": 0.0001,
               "Residential burglary": 273.5},
    offence_classes={"Domestic burglary": "Residential burglary"},
    offence_codes={"XYZ": "Homicide", "8N": "Homicide"},
    outcome_factors={"no_further_action": 0.1, "charged": 0.3333, "arrested": 0},
    intelligence={"max_items_per_category": 1, "source_grades": ["1"],
                  "intel_grades": ["A", "B"]},
    points={"weapon_access": 75, "violence_involvement": 12.5, "at_risk": 33.3333},
    bands={"amber_from": 100, "red_from": 200},
)
# One-month windows; a cap of 0 (no intelligence item ever counts) although every grade
# is graded; violence intelligence worth 0; Amber impossible (amber_from == red_from).
WIDE = custom_policy(
    windows={"offender_offences_months": 1, "victimisation_months": 1,
             "weapon_violence_intelligence_months": 1, "at_risk_intelligence_months": 1,
             "gang_membership_months": 1},
    intelligence={"max_items_per_category": 0, "source_grades": ["1", "2", "3"],
                  "intel_grades": ["A", "B", "C", "D", "E"]},
    points={"violence_involvement": 0},
    bands={"amber_from": 0.0001, "red_from": 0.0001},
)
# A large cap and long windows, so the cap and the windows rarely bite.
LONG = custom_policy(
    windows={"offender_offences_months": 120, "victimisation_months": 60,
             "weapon_violence_intelligence_months": 48, "at_risk_intelligence_months": 18,
             "gang_membership_months": 36},
    intelligence={"max_items_per_category": 5},
)
POLICIES = [DEFAULT, DEFAULT, SHORT, WIDE, LONG]

INTERESTING_AS_OF = [
    date(2024, 2, 29), date(2025, 2, 28), date(2024, 8, 31), date(2025, 3, 31),
    date(2025, 12, 31), date(2026, 1, 1), date(2023, 3, 1), date(2028, 2, 29),
]

IN_SCOPE = sorted(code_weight_units(DEFAULT, CATALOGUE))
CODES = st.one_of(
    st.sampled_from(IN_SCOPE),
    st.sampled_from(sorted(CATALOGUE)),
    st.sampled_from(["XYZ", "NOT-A-CODE", "1-4.1-4.10-4.2", "34A", "34B", "8N", "28E"]),
)
SOURCE_IDS = st.sampled_from(["S1", "S2", "S3", "S4"])


def edge_days(as_of: date, policy: Policy) -> list[date]:
    """as_of, the day after it, each window's boundary and its neighbours, and the end
    of February of the surrounding years."""
    days = {as_of, as_of + timedelta(days=1), as_of - timedelta(days=1)}
    w = policy.windows
    for months in (w.offender_offences, w.victimisation, w.weapon_violence_intelligence,
                   w.at_risk_intelligence, w.gang_membership):
        boundary = minus_months(as_of, months)
        days |= {boundary - timedelta(days=1), boundary, boundary + timedelta(days=1)}
    for year in range(as_of.year - 4, as_of.year + 1):
        last = calendar.monthrange(year, 2)[1]
        days |= {date(year, 2, 28), date(year, 2, last), date(year, 3, 1)}
    return sorted(days)


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[PersonRecords], date, Policy]:
    policy = draw(st.sampled_from(POLICIES))
    as_of = draw(st.one_of(st.sampled_from(INTERESTING_AS_OF),
                           st.dates(date(2020, 1, 1), date(2030, 12, 31))))
    days = st.one_of(
        st.sampled_from(edge_days(as_of, policy)),
        st.dates(as_of - timedelta(days=180), as_of),
        st.dates(as_of - timedelta(days=4 * 366), as_of + timedelta(days=40)),
    )
    # Each population draws from a subset of the categories, source types and grades, so
    # that corners (only social media, only membership, only ungraded) come up often.

    def subset(values: list, most: int) -> st.SearchStrategy:
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=most,
                               unique=True))
        return st.sampled_from(chosen)

    categories = subset(list(IntelCategory), 2)
    source_types = (st.just(SourceType.SOCIAL_MEDIA) if draw(st.integers(0, 3)) == 0
                    else subset(list(SourceType), 3))
    source_grades = subset(list(SourceGrade), 2)
    intel_grades = subset(list(IntelGrade), 3)
    ids = draw(st.lists(st.sampled_from(["P1", "P2", "P10", "A", "p3", "Z9", "P 4"]),
                        min_size=1, max_size=5, unique=True))
    people = []
    for person_id in ids:
        items: list[object] = []
        for n in range(draw(st.integers(0, 6))):
            role = draw(st.sampled_from(Role))
            outcome = draw(st.sampled_from([None, *Outcome])) if draw(st.booleans()) else (
                Outcome.CONVICTED if role is Role.SUSPECT else None)
            items.append(offence(draw(days), draw(CODES), role, outcome,
                                 person_id=person_id, event_id=f"{person_id}-E{n}"))
        for n in range(draw(st.integers(0, 10))):
            items.append(intel(
                draw(days),
                draw(categories),
                source_id=draw(SOURCE_IDS),
                source_type=draw(source_types),
                source_grade=draw(source_grades),
                intel_grade=draw(intel_grades),
                person_id=person_id,
                intel_id=f"{person_id}-I{n}",
            ))
        for _ in range(draw(st.integers(0, 2))):
            start = draw(days)
            end = draw(st.one_of(st.none(), days,
                                 st.integers(0, 400).map(lambda d, s=start: s + timedelta(d))))
            items.append(custody(start, end, person_id=person_id))
        people.append(records(person_id, items))
    return people, as_of, policy


SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(populations())
def test_r_dual_batch_agrees_with_score_person(case):
    """R-DUAL, R-TIMESCALE, R-THRESHOLD, R-MUSIC, R-CUSTODY: the two engines agree
    exactly on every column for every person, explanations sum to the scores, and
    eligibility is the rule as SPEC 3.3 words it: two graded membership items within the
    window from different sources, at least one of them not social media."""
    people, as_of, policy = case
    results = score_both(people, as_of, policy)
    cut = minus_months(as_of, policy.windows.gang_membership)
    social = SourceType.SOCIAL_MEDIA
    for person in people:
        graded = [i for i in person.intelligence
                  if i.category is IntelCategory.GANG_MEMBERSHIP and cut < i.date <= as_of
                  and policy.graded(i.source_grade, i.intel_grade)]
        pair = any(a.source_id != b.source_id
                   and (a.source_type is not social or b.source_type is not social)
                   for a in graded for b in graded)
        assert results[person.person_id].eligible is pair


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(), st.randoms(use_true_random=False))
def test_r_dual_batch_is_per_person_and_order_free(case, random):
    """R-DUAL: a person's row depends only on their own records, not on row order or on
    who else is scored."""
    people, as_of, policy = case
    together = score_batch(*to_frames(people), as_of, policy, CATALOGUE)
    people_f, offences, intelligence, periods = (
        f.sample(fraction=1.0, shuffle=True, seed=random.randrange(2**32))
        for f in to_frames(people))
    shuffled = score_batch(people_f, offences, intelligence, periods, as_of, policy,
                           CATALOGUE)
    assert shuffled.equals(together)
    alone = pl.concat([score_batch(*to_frames([p]), as_of, policy, CATALOGUE)
                       for p in people]).sort("person_id")
    assert alone.equals(together)
    # The re-score engine too: encoding shuffled rows gives the same tables' scores.
    rescored = score_tables(prepare_tables(people_f, offences, intelligence, periods),
                            as_of, policy, CATALOGUE)
    assert rescored.equals(together)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(), st.lists(st.dates(date(2015, 1, 1), date(2027, 12, 31)),
                               min_size=1, max_size=4))
def test_r_dual_rescore_of_one_encoding_matches_batch_on_every_date(case, days):
    """R-DUAL: tables encoded once score every as-of date as score_batch does."""
    people, as_of, policy = case
    frames = to_frames(people)
    tables = prepare_tables(*frames)
    for day in [as_of, *days]:
        assert score_tables(tables, day, policy, CATALOGUE).equals(
            score_batch(*frames, day, policy, CATALOGUE)), day

