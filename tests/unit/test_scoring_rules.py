"""The scoring rules of SPEC section 3, one by one, on both engines.

Every test scores through `score_both`/`score_one` (tests/unit/scoring_support.py): the
one-person path and the batch engine must agree exactly on every output column, and
every explanation must sum to its score. Each test names the requirement it checks.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, timedelta
from importlib import resources

import polars as pl
import pytest
from scoring_support import (
    CATALOGUE,
    DEFAULT,
    custody,
    custom_policy,
    default_policy_data,
    intel,
    offence,
    only,
    records,
    score_both,
    score_one,
    to_frames,
    units,
)

from gvm.domain.batch import code_weight_units, score_batch
from gvm.domain.dates import minus_months, window_start, within
from gvm.domain.model import IntelCategory, Outcome, Role, SourceType
from gvm.domain.policy import MIN_CORROBORATING_SOURCES, SCORE_SCALE, UNIT, parse_policy
from gvm.domain.scoring import (
    AFTER_AS_OF,
    COUNTED,
    OUT_OF_SCOPE,
    OUTSIDE_WINDOW,
    OVER_CAP,
    UNGRADED,
)

AS_OF = date(2025, 6, 15)
DAY = timedelta(days=1)
WA, VI, AR, GM = (IntelCategory.WEAPON_ACCESS, IntelCategory.VIOLENCE_INVOLVEMENT,
                  IntelCategory.AT_RISK, IntelCategory.GANG_MEMBERSHIP)


# --- 3.1 Dates and windows (R-TIMESCALE) ---------------------------------------------

@pytest.mark.parametrize(("as_of", "months", "boundary"), [
    (date(2024, 2, 29), 36, date(2021, 2, 28)),
    (date(2024, 2, 29), 12, date(2023, 2, 28)),
    (date(2025, 2, 28), 36, date(2022, 2, 28)),
    (date(2024, 8, 31), 6, date(2024, 2, 29)),
    (date(2025, 8, 31), 6, date(2025, 2, 28)),
    (date(2025, 3, 31), 1, date(2025, 2, 28)),
    (date(2025, 1, 15), 24, date(2023, 1, 15)),
])
def test_r_timescale_month_arithmetic_clamps_to_month_end(as_of, months, boundary):
    """R-TIMESCALE: as_of - N months clamps to the month's last day (SPEC 3.1)."""
    assert minus_months(as_of, months) == boundary == window_start(as_of, months)
    assert not within(boundary, as_of, months)
    assert within(boundary + DAY, as_of, months)
    assert within(as_of, as_of, months)
    assert not within(as_of + DAY, as_of, months)


# (offset from as_of, reason): the day exactly N months before is outside, the day after
# it inside, as_of itself inside, the day after as_of ignored.
EDGES = [("boundary", OUTSIDE_WINDOW), ("boundary+1", COUNTED), ("as_of", COUNTED),
         ("as_of+1", AFTER_AS_OF), ("long ago", OUTSIDE_WINDOW)]


def _edge_day(edge: str, as_of: date, months: int) -> date:
    boundary = minus_months(as_of, months)
    return {"boundary": boundary, "boundary+1": boundary + DAY, "as_of": as_of,
            "as_of+1": as_of + DAY, "long ago": boundary - timedelta(days=3000)}[edge]


@pytest.mark.parametrize(("edge", "reason"), EDGES)
def test_r_timescale_offender_window_edges(edge, reason):
    """R-TIMESCALE: suspect offences count within 3 years (36 months) of as_of."""
    day = _edge_day(edge, AS_OF, 36)
    result = score_one(AS_OF, offence(day, "8N", Role.SUSPECT, Outcome.CONVICTED))
    item = only(result.harm_items)
    assert item.reason == reason
    assert result.harm_units == (units(365) if reason == COUNTED else 0)
    assert item.date == day and item.weight == 365.0 and item.factor == 1.0


@pytest.mark.parametrize(("edge", "reason"), EDGES)
def test_r_timescale_victimisation_window_edges(edge, reason):
    """R-TIMESCALE: offences against the person count within 3 years of as_of."""
    day = _edge_day(edge, AS_OF, 36)
    result = score_one(AS_OF, offence(day, "8N", Role.VICTIM))
    assert only(result.victim_items).reason == reason
    assert result.victim_units == (units(365) if reason == COUNTED else 0)
    assert result.harm_units == 0


@pytest.mark.parametrize("category", [WA, VI])
@pytest.mark.parametrize(("edge", "reason"), EDGES)
def test_r_timescale_weapon_violence_intelligence_window_edges(category, edge, reason):
    """R-TIMESCALE: weapon and violence intelligence counts within 6 months of as_of."""
    day = _edge_day(edge, AS_OF, 6)
    result = score_one(AS_OF, intel(day, category))
    assert only(result.harm_items).reason == reason
    points = {WA: 100, VI: 50}[category]
    assert result.harm_units == (units(points) if reason == COUNTED else 0)


@pytest.mark.parametrize(("edge", "reason"), EDGES)
def test_r_timescale_at_risk_intelligence_window_edges(edge, reason):
    """R-TIMESCALE: at-risk intelligence counts within 6 months of as_of."""
    day = _edge_day(edge, AS_OF, 6)
    result = score_one(AS_OF, intel(day, AR))
    assert only(result.victim_items).reason == reason
    assert result.victim_units == (units(100) if reason == COUNTED else 0)


@pytest.mark.parametrize(("day", "counted"), [
    (date(2021, 2, 27), False),
    (date(2021, 2, 28), False),  # 2024-02-29 minus 3 years, clamped
    (date(2021, 3, 1), True),
    (date(2024, 2, 29), True),
    (date(2024, 3, 1), False),  # after as_of
])
def test_r_timescale_29_february_as_of_three_year_window(day, counted):
    """R-TIMESCALE: as_of 2024-02-29: the 3-year window starts after 2021-02-28."""
    as_of = date(2024, 2, 29)
    result = score_one(as_of, offence(day, "10D"), offence(day, "8N", Role.VICTIM))
    assert result.harm_units == (units(273.75) if counted else 0)
    assert result.victim_units == (units(365) if counted else 0)


@pytest.mark.parametrize(("day", "counted"), [
    (date(2022, 2, 28), False),
    (date(2022, 3, 1), True),
])
def test_r_timescale_as_of_28_february_after_leap_year(day, counted):
    """R-TIMESCALE: as_of 2025-02-28: an event on 2022-02-28 is out, 2022-03-01 in."""
    result = score_one(date(2025, 2, 28), offence(day, "8N"))
    assert result.harm_units == (units(365) if counted else 0)
    assert only(result.harm_items).reason == (COUNTED if counted else OUTSIDE_WINDOW)


@pytest.mark.parametrize(("day", "counted"), [
    (date(2024, 2, 28), False),
    (date(2024, 2, 29), False),  # 2024-08-31 minus 6 months, clamped
    (date(2024, 3, 1), True),
])
def test_r_timescale_six_month_window_from_31_august_ends_29_february(day, counted):
    """R-TIMESCALE: as_of 2024-08-31: the 6-month window starts after 2024-02-29."""
    result = score_one(date(2024, 8, 31), intel(day, WA), intel(day, AR))
    assert result.harm_units == (units(100) if counted else 0)
    assert result.victim_units == (units(100) if counted else 0)


def test_r_timescale_violence_long_ago_scores_zero():
    """R-TIMESCALE: someone convicted of and linked to violence long ago scores zero."""
    old = date(2015, 1, 1)
    result = score_one(AS_OF, offence(old, "1-4.1-4.10-4.2"), intel(old, WA), intel(old, VI),
                       offence(old, "8N", Role.VICTIM), intel(old, AR))
    assert (result.harm_units, result.victim_units) == (0, 0)
    assert (result.harm_band, result.victim_band) == ("Zero", "Zero")
    assert {i.reason for i in (*result.harm_items, *result.victim_items)} == {OUTSIDE_WINDOW}


def test_r_timescale_custom_windows_are_read_from_the_policy():
    """R-TIMESCALE: windows are policy data; a 12-month offender window drops older."""
    policy = custom_policy(windows={"offender_offences_months": 12,
                                    "victimisation_months": 24,
                                    "weapon_violence_intelligence_months": 3,
                                    "at_risk_intelligence_months": 9})
    as_of = date(2025, 5, 31)
    result = score_one(
        as_of,
        offence(date(2024, 5, 31), "8N"), offence(date(2024, 6, 1), "10D"),
        offence(date(2023, 5, 31), "8N", Role.VICTIM), offence(date(2023, 6, 1), "105A",
                                                               Role.VICTIM),
        intel(date(2025, 2, 28), WA), intel(date(2025, 3, 1), VI),
        intel(date(2024, 8, 31), AR), intel(date(2024, 9, 1), AR),
        policy=policy,
    )
    assert result.harm_units == units(273.75) + units(50)
    assert result.victim_units == units(10) + units(100)


# --- 3.2 Harm and victim scores (R-DUAL) ---------------------------------------------

@pytest.mark.parametrize(("outcome", "factor", "reason"), [
    (Outcome.CONVICTED, 1.0, COUNTED),
    (Outcome.CHARGED, 0.5, COUNTED),
    (Outcome.ARRESTED, 0.25, COUNTED),
    (Outcome.NO_FURTHER_ACTION, 0.0, "no further action"),
    (Outcome.ACQUITTED, 0.0, "acquitted"),
])
def test_r_dual_outcome_factors(outcome, factor, reason):
    """R-DUAL: a suspect's offence scores weight x outcome factor."""
    result = score_one(AS_OF, offence(AS_OF - DAY, "8N", Role.SUSPECT, outcome))
    item = only(result.harm_items)
    assert (item.weight, item.factor, item.reason) == (365.0, factor, reason)
    assert result.harm_units == units(365) * int(factor * UNIT) // UNIT
    assert result.harm_score == 365 * factor


def test_r_dual_suspect_without_outcome_scores_nothing():
    """R-DUAL: a suspect row without an outcome (import refuses it) scores 0."""
    result = score_one(AS_OF, offence(AS_OF, "8N", Role.SUSPECT, None))
    assert result.harm_units == 0
    assert only(result.harm_items).reason == "no outcome recorded"


@pytest.mark.parametrize(("code", "cls", "days"), [
    ("1-4.1-4.10-4.2", "Violence against the person", "5475"),  # homicide, by its code
    ("8N", "Violence with injury", "365"),
    ("8P", "Violence with injury", "365"),
    ("105A", "Violence without injury", "10"),
    ("8Q", "Violence without injury", "10"),  # stalking is classed without injury
    ("8L", "Harassment", "10"),
    ("8R", "Harassment", "10"),
    ("34A", "Robbery", "365"),
    ("34B", "Robbery", "365"),
    ("10D", "Possession of weapons offences", "273.75"),
    ("10A", "Possession of weapons offences", "273.75"),
    ("28E", "Domestic burglary", "0"),  # burglary: out of scope
    ("92A", "Trafficking of drugs", "0"),  # drugs: out of scope
    ("92D", "Possession of drugs", "0"),
    ("NOT-A-CODE", None, "0"),  # unknown code: weight 0
])
def test_r_dual_cchi_weight_by_offence_class(code, cls, days):
    """R-DUAL: the Home Office class maps to a CCHI subgroup and its days (SPEC 3.2)."""
    assert CATALOGUE.get(code) == cls
    result = score_one(AS_OF, offence(AS_OF, code), offence(AS_OF, code, Role.VICTIM))
    assert result.harm_units == result.victim_units == units(days)
    for item in (only(result.harm_items), only(result.victim_items)):
        assert item.weight == float(days)
        assert item.reason == (COUNTED if days != "0" else OUT_OF_SCOPE)
    assert code_weight_units(DEFAULT, CATALOGUE).get(code, 0) == int(float(days) * UNIT)


def test_r_dual_offence_contributions_add_up():
    """R-DUAL: the harm score is the sum of weight x factor over counted offences."""
    result = score_one(
        AS_OF,
        offence(AS_OF, "10D", outcome=Outcome.ARRESTED),  # 68.4375
        offence(AS_OF, "34B", outcome=Outcome.CHARGED),  # 182.5
        offence(AS_OF, "8L"),  # 10
        offence(AS_OF, "28E"),  # out of scope
    )
    assert result.harm_units == units("68.4375") + units("182.5") + units(10)
    assert result.harm_score == 260.9375
    assert result.harm_band == "Amber"


@pytest.mark.parametrize(("category", "points"), [(WA, 100), (VI, 50)])
@pytest.mark.parametrize(("source_grade", "source_counts"), [("1", True), ("2", True),
                                                              ("3", False)])
@pytest.mark.parametrize(("intel_grade", "intel_counts"), [
    ("A", True), ("B", True), ("C", True), ("D", False), ("E", False)])
def test_r_dual_graded_weapon_and_violence_intelligence_points(
    category, points, source_grade, source_counts, intel_grade, intel_counts,
):
    """R-DUAL: weapon_access 100, violence_involvement 50, only graded 1-2 and A-C."""
    result = score_one(AS_OF, intel(AS_OF, category, source_grade=source_grade,
                                    intel_grade=intel_grade))
    counted = source_counts and intel_counts
    item = only(result.harm_items)
    assert item.reason == (COUNTED if counted else UNGRADED)
    assert result.harm_units == (units(points) if counted else 0)
    assert result.victim_units == 0


def test_r_dual_intelligence_cap_counts_three_weapon_items():
    """R-DUAL: 4 graded weapon_access items score 300; the oldest is over the cap."""
    days = [AS_OF - timedelta(days=d) for d in (1, 20, 40, 60)]
    result = score_one(AS_OF, *(intel(d, WA) for d in days))
    assert result.harm_units == units(300)
    assert result.harm_score == 300.0
    assert result.harm_band == "Amber"
    reasons = {i.date: i.reason for i in result.harm_items}
    assert reasons == {days[0]: COUNTED, days[1]: COUNTED, days[2]: COUNTED,
                       days[3]: "over the cap"}
    assert OVER_CAP == "over the cap"


def test_r_dual_cap_is_per_category():
    """R-DUAL: weapon and violence items are capped separately: 3x100 + 3x50."""
    items = [intel(AS_OF - timedelta(days=d), c) for d in range(5) for c in (WA, VI)]
    result = score_one(AS_OF, *items)
    assert result.harm_units == units(450)
    assert sum(i.reason == OVER_CAP for i in result.harm_items) == 4


def test_r_dual_cap_counts_only_graded_items_in_window():
    """R-DUAL: ungraded, old and future items do not use up the cap."""
    result = score_one(
        AS_OF,
        intel(AS_OF - timedelta(days=300), WA),  # outside 6 months
        intel(AS_OF + DAY, WA),  # after as_of
        intel(AS_OF, WA, source_grade="3"),
        intel(AS_OF, WA, intel_grade="E"),
        intel(AS_OF - timedelta(days=5), WA),
        intel(AS_OF - timedelta(days=6), WA),
        intel(AS_OF - timedelta(days=7), WA),
    )
    assert result.harm_units == units(300)
    assert sorted(i.reason for i in result.harm_items) == sorted(
        [OUTSIDE_WINDOW, AFTER_AS_OF, UNGRADED, UNGRADED, COUNTED, COUNTED, COUNTED])


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_r_dual_at_risk_points_and_cap(count):
    """R-DUAL: each graded at_risk item adds 100 to the victim score, at most 3."""
    result = score_one(AS_OF, *(intel(AS_OF - timedelta(days=d), AR) for d in range(count)))
    assert result.victim_units == units(100 * min(count, 3))
    assert result.harm_units == 0
    assert sum(i.reason == OVER_CAP for i in result.victim_items) == max(count - 3, 0)


def test_r_dual_ungraded_at_risk_does_not_count():
    """R-DUAL: at_risk intelligence counts only when graded."""
    result = score_one(AS_OF, intel(AS_OF, AR, source_grade="3"),
                       intel(AS_OF, AR, intel_grade="D"))
    assert result.victim_units == 0
    assert {i.reason for i in result.victim_items} == {UNGRADED}


@pytest.mark.parametrize("outcome", [None, *Outcome])
def test_r_dual_victim_offences_ignore_outcome(outcome):
    """R-DUAL: an offence against the person scores its weight whatever the outcome."""
    result = score_one(AS_OF, offence(AS_OF, "8N", Role.VICTIM, outcome))
    item = only(result.victim_items)
    assert (item.weight, item.factor, item.reason) == (365.0, None, COUNTED)
    assert result.victim_units == units(365)
    assert result.harm_units == 0


def test_r_dual_victim_score_combines_offences_and_at_risk():
    """R-DUAL: victim score = offence weights + 100 per graded at_risk item."""
    result = score_one(AS_OF, offence(AS_OF, "34B", Role.VICTIM),
                       offence(AS_OF, "105A", Role.VICTIM), intel(AS_OF, AR))
    assert result.victim_units == units(475)
    assert result.victim_band == "Amber"


def test_r_dual_witnesses_never_score():
    """R-DUAL, R-CATEGORY: a witness to any offence scores nothing on either side."""
    codes = ["1-4.1-4.10-4.2", "8N", "10D", "34A"]
    result = score_one(AS_OF, *(offence(AS_OF, c, Role.WITNESS, o)
                                for c in codes for o in (None, Outcome.CONVICTED)))
    assert (result.harm_units, result.victim_units) == (0, 0)
    assert result.harm_items == result.victim_items == ()


def test_r_dual_one_person_two_perspectives():
    """R-DUAL: the same person can be an offender and a victim; each score separate."""
    result = score_one(AS_OF, offence(AS_OF, "8N"), offence(AS_OF, "8N", Role.VICTIM),
                       offence(AS_OF, "10D", Role.WITNESS), intel(AS_OF, WA), intel(AS_OF, AR))
    assert result.harm_units == units(465)
    assert result.victim_units == units(465)
    assert [i.kind for i in result.harm_items] == ["intelligence", "offence"]


# Bands: a policy with weights chosen to land exactly on the band edges. Homicide
# arrested scores 0.04 x 0.25 = 0.01; weapons possession arrested 0.25.
EDGE_POLICY = custom_policy(cchi_days={"Homicide": 0.04, "Violence without injury": 249.99,
                                       "Stalking and harassment": 729.99,
                                       "Possession of weapons offences": 1})
HOMICIDE = "1-4.1-4.10-4.2"


@pytest.mark.parametrize(("items", "score", "band"), [
    ((), "0", "Zero"),
    (((HOMICIDE, Outcome.NO_FURTHER_ACTION),), "0", "Zero"),
    (((HOMICIDE, Outcome.ARRESTED),), "0.01", "Green"),
    ((("10D", Outcome.ARRESTED),), "0.25", "Green"),
    ((("105A", Outcome.CONVICTED),), "249.99", "Green"),
    ((("105A", Outcome.CONVICTED), (HOMICIDE, Outcome.ACQUITTED)), "249.99", "Green"),
    ((("105A", Outcome.CONVICTED), (HOMICIDE, Outcome.ARRESTED)), "250", "Amber"),
    ((("105A", Outcome.CONVICTED), ("10D", Outcome.ARRESTED)), "250.24", "Amber"),
    ((("8L", Outcome.CONVICTED),), "729.99", "Amber"),
    ((("8L", Outcome.CONVICTED), (HOMICIDE, Outcome.ARRESTED)), "730", "Red"),
    ((("8N", Outcome.CONVICTED), ("8N", Outcome.CONVICTED)), "730", "Red"),
])
def test_r_dual_bands_at_exact_edges(items, score, band):
    """R-DUAL: Zero at 0, Green below 250, Amber from 250 below 730, Red from 730."""
    result = score_one(AS_OF, *(offence(AS_OF, c, outcome=o) for c, o in items),
                       *(offence(AS_OF, c, Role.VICTIM) for c, _ in items),
                       policy=EDGE_POLICY)
    assert result.harm_units == units(score)
    assert result.harm_band == band
    victim = sum(EDGE_POLICY.weight_units(c, CATALOGUE.get(c)) for c, _ in items) * UNIT
    assert result.victim_units == victim
    assert result.victim_band == EDGE_POLICY.band(victim)


@pytest.mark.parametrize(("items", "score", "band"), [
    ((intel(AS_OF, WA), intel(AS_OF, WA), intel(AS_OF, VI)), 250, "Amber"),
    ((intel(AS_OF, WA), intel(AS_OF, VI), intel(AS_OF, VI)), 200, "Green"),
    ((offence(AS_OF, "8N"), offence(AS_OF, "8N")), 730, "Red"),
    ((offence(AS_OF, "8N"), offence(AS_OF, "10D"), intel(AS_OF, VI),
      offence(AS_OF, "105A", outcome=Outcome.ARRESTED)), "691.25", "Amber"),
    ((offence(AS_OF, "10D", outcome=Outcome.ARRESTED),), "68.4375", "Green"),
])
def test_r_dual_bands_at_edges_default_policy(items, score, band):
    """R-DUAL: band edges reached with the default weights and points."""
    result = score_one(AS_OF, *items)
    assert result.harm_units == units(score)
    assert result.harm_band == band


@pytest.mark.parametrize(("items", "score", "band"), [
    ((intel(AS_OF, AR), intel(AS_OF, AR), intel(AS_OF, AR)), 300, "Amber"),
    ((offence(AS_OF, "8N", Role.VICTIM), offence(AS_OF, "34A", Role.VICTIM)), 730, "Red"),
    ((offence(AS_OF, "105A", Role.VICTIM),), 10, "Green"),
    ((offence(AS_OF, "8N", Role.VICTIM), offence(AS_OF, "10D", Role.VICTIM),
      intel(AS_OF, AR)), "738.75", "Red"),
])
def test_r_dual_victim_bands(items, score, band):
    """R-DUAL: the victim score has the same bands."""
    result = score_one(AS_OF, *items)
    assert result.victim_units == units(score)
    assert result.victim_band == band


def test_r_dual_band_thresholds_are_exact_units():
    """R-DUAL: comparisons use exact values, not the 2-decimal display."""
    assert DEFAULT.band(0) == "Zero"
    assert DEFAULT.band(1) == "Green"
    assert DEFAULT.band(250 * SCORE_SCALE - 1) == "Green"
    assert DEFAULT.band(250 * SCORE_SCALE) == "Amber"
    assert DEFAULT.band(730 * SCORE_SCALE - 1) == "Amber"
    assert DEFAULT.band(730 * SCORE_SCALE) == "Red"


def test_r_dual_custom_weights_points_cap_and_factors():
    """R-DUAL: weights, factors, points and the cap are all policy data."""
    policy = custom_policy(
        cchi_days={"Violence with injury": 100},
        outcome_factors={"arrested": 0.1, "no_further_action": 0.05},
        intelligence={"max_items_per_category": 1},
        points={"weapon_access": 7.5, "at_risk": 1.25},
        offence_codes_={"XYZ": "Homicide"},
    )
    result = score_one(
        AS_OF,
        offence(AS_OF, "8N", outcome=Outcome.ARRESTED),  # 10
        offence(AS_OF, "8N", outcome=Outcome.NO_FURTHER_ACTION),  # 5
        offence(AS_OF, "XYZ", Role.VICTIM),  # 5475, by its code
        offence(AS_OF, "34A", Role.VICTIM),  # no longer mapped by code: out of scope
        intel(AS_OF, WA), intel(AS_OF - DAY, WA),
        intel(AS_OF, AR), intel(AS_OF, AR),
        policy=policy,
    )
    assert result.harm_units == units(15) + units("7.5")
    assert result.victim_units == units(5475) + units("1.25")
    assert sum(i.reason == OVER_CAP for i in (*result.harm_items, *result.victim_items)) == 2


# --- Explanations ----------------------------------------------------------------------

def test_r_dual_explanation_lists_every_item_with_its_reason():
    """R-DUAL, R-ACCURACY: counted and excluded items, each with why; sums to the score."""
    old = AS_OF - timedelta(days=4000)
    result = score_one(
        AS_OF,
        offence(AS_OF, "8N", event_id="counted"),
        offence(old, "8N", event_id="old"),
        offence(AS_OF + DAY, "8N", event_id="future"),
        offence(AS_OF, "28E", event_id="burglary"),
        offence(AS_OF, "8N", outcome=Outcome.ACQUITTED, event_id="acquitted"),
        offence(AS_OF, "8N", outcome=Outcome.NO_FURTHER_ACTION, event_id="nfa"),
        offence(AS_OF, "8N", Role.VICTIM, event_id="victim"),
        intel(AS_OF, WA, intel_id="w1"), intel(AS_OF, WA, intel_id="w2"),
        intel(AS_OF, WA, intel_id="w3"), intel(AS_OF - DAY, WA, intel_id="w4"),
        intel(AS_OF, VI, source_grade="3", intel_id="ungraded"),
        intel(AS_OF, AR, intel_id="risk"),
        intel(AS_OF, GM, intel_id="membership"),
    )
    harm = {i.ref: i for i in result.harm_items}
    assert {ref: i.reason for ref, i in harm.items()} == {
        "counted": COUNTED, "old": OUTSIDE_WINDOW, "future": AFTER_AS_OF,
        "burglary": OUT_OF_SCOPE, "acquitted": "acquitted", "nfa": "no further action",
        "w1": COUNTED, "w2": COUNTED, "w3": COUNTED, "w4": OVER_CAP, "ungraded": UNGRADED,
    }
    assert {i.ref: i.reason for i in result.victim_items} == {"victim": COUNTED,
                                                              "risk": COUNTED}
    assert harm["counted"].points_units == units(365)
    assert harm["counted"].points == 365.0
    assert harm["w1"].points == 100.0
    assert harm["counted"].detail == "8N Violence with injury"
    assert harm["burglary"].detail == "28E out of scope"
    assert harm["w1"].detail == "weapon_access 1AP"
    assert sum(i.points_units for i in result.harm_items) == result.harm_units
    assert result.harm_units == units(665)
    assert sum(i.points_units for i in result.victim_items) == result.victim_units
    dates = [i.date for i in result.harm_items]
    assert dates == sorted(dates)


# --- 3.3 The inclusion threshold (R-THRESHOLD, R-MUSIC) ------------------------------

def _membership(day: date = AS_OF, source_id: str = "S1", **kw) -> object:
    return intel(day, GM, source_id=source_id, **kw)


def test_r_threshold_minimum_sources_is_two():
    """R-THRESHOLD: more than one source; fixed in code, not in the policy file."""
    assert MIN_CORROBORATING_SOURCES == 2
    assert "min" not in json.dumps(default_policy_data()["intelligence"])


def test_r_threshold_two_graded_items_from_different_sources_eligible():
    """R-THRESHOLD: two graded items from different sources make a person eligible."""
    result = score_one(AS_OF, _membership(source_id="S1"), _membership(source_id="S2"))
    assert result.eligible
    assert result.eligibility.sources == ("S1", "S2")


def test_r_threshold_two_items_from_the_same_source_not_eligible():
    """R-THRESHOLD: the same source twice does not corroborate itself."""
    result = score_one(AS_OF, _membership(source_id="S1"),
                       _membership(AS_OF - DAY, source_id="S1"),
                       _membership(AS_OF - 2 * DAY, source_id="S1",
                                   source_type=SourceType.COMMUNITY))
    assert not result.eligible
    assert result.eligibility.sources == ("S1",)


def test_r_threshold_one_item_not_eligible():
    """R-THRESHOLD: one item is not corroboration."""
    assert not score_one(AS_OF, _membership()).eligible


@pytest.mark.parametrize("other", [SourceType.POLICE, SourceType.PARTNER_AGENCY,
                                   SourceType.COMMUNITY])
def test_r_music_social_media_with_another_source_type_eligible(other):
    """R-MUSIC, R-THRESHOLD: social media plus a police/partner/community source."""
    result = score_one(AS_OF, _membership(source_id="SM1", source_type=SourceType.SOCIAL_MEDIA),
                       _membership(source_id="S2", source_type=other))
    assert result.eligible


def test_r_music_social_media_alone_never_corroborates():
    """R-MUSIC: two (or more) social-media sources are not enough on their own."""
    result = score_one(AS_OF, *(_membership(source_id=f"SM{n}",
                                            source_type=SourceType.SOCIAL_MEDIA)
                                for n in range(4)))
    assert not result.eligible
    assert "social media" in result.eligibility.reason


def test_r_music_social_media_plus_same_source_other_type_not_eligible():
    """R-MUSIC: the non-social-media item must come with a second distinct source."""
    result = score_one(AS_OF, _membership(source_id="S1", source_type=SourceType.SOCIAL_MEDIA),
                       _membership(source_id="S1", source_type=SourceType.POLICE))
    assert not result.eligible


def test_r_music_ungraded_non_social_item_does_not_rescue_social_media():
    """R-MUSIC: the non-social-media item must itself be graded to count."""
    result = score_one(AS_OF,
                       _membership(source_id="SM1", source_type=SourceType.SOCIAL_MEDIA),
                       _membership(source_id="SM2", source_type=SourceType.SOCIAL_MEDIA),
                       _membership(source_id="P1", source_grade="3"),
                       _membership(source_id="P2", intel_grade="D"),
                       _membership(date(2020, 1, 1), source_id="P3"))
    assert not result.eligible


def test_r_music_there_is_no_music_category():
    """R-MUSIC: no intelligence category records music taste."""
    assert {c.value for c in IntelCategory} == {"gang_membership", "weapon_access",
                                                "violence_involvement", "at_risk"}
    with pytest.raises(ValueError, match="music"):
        IntelCategory("music")


@pytest.mark.parametrize(("field", "grade"), [("source_grade", "3"), ("intel_grade", "D"),
                                              ("intel_grade", "E")])
def test_r_threshold_ungraded_item_not_counted(field, grade):
    """R-THRESHOLD: a grade-3 source or a D/E item is not reliable intelligence."""
    result = score_one(AS_OF, _membership(source_id="S1"),
                       _membership(source_id="S2", **{field: grade}))
    assert not result.eligible
    assert result.eligibility.sources == ("S1",)


@pytest.mark.parametrize(("grades", "eligible"), [
    (("1", "A"), True), (("2", "C"), True), (("1", "B"), True), (("3", "A"), False),
    (("1", "D"), False), (("2", "E"), False)])
def test_r_threshold_each_grade(grades, eligible):
    """R-THRESHOLD: source grades 1, 2 and intelligence grades A, B, C count."""
    source_grade, intel_grade = grades
    result = score_one(AS_OF, _membership(source_id="S1"),
                       _membership(source_id="S2", source_grade=source_grade,
                                   intel_grade=intel_grade))
    assert result.eligible is eligible


@pytest.mark.parametrize(("day", "eligible"), [
    (date(2023, 6, 15), False),  # exactly 24 months before as_of: outside
    (date(2023, 6, 16), True),
    (date(2020, 1, 1), False),
    (AS_OF, True),
    (AS_OF + DAY, False),  # after as_of
])
def test_r_threshold_membership_window_24_months(day, eligible):
    """R-THRESHOLD, R-TIMESCALE: membership intelligence counts within 24 months."""
    result = score_one(AS_OF, _membership(source_id="S1"), _membership(day, source_id="S2"))
    assert result.eligible is eligible


def test_r_threshold_membership_window_from_29_february():
    """R-THRESHOLD: as_of 2024-02-29 minus 24 months is 2022-02-28."""
    as_of = date(2024, 2, 29)
    assert not score_one(as_of, _membership(as_of, "S1"),
                         _membership(date(2022, 2, 28), "S2")).eligible
    assert score_one(as_of, _membership(as_of, "S1"),
                     _membership(date(2022, 3, 1), "S2")).eligible


def test_r_threshold_membership_intelligence_never_scores():
    """R-THRESHOLD, R-DUAL: membership intelligence adds nothing to either score."""
    result = score_one(AS_OF, *(_membership(AS_OF - timedelta(days=d), source_id=f"S{d}")
                                for d in range(6)))
    assert result.eligible
    assert (result.harm_units, result.victim_units) == (0, 0)
    assert result.harm_items == result.victim_items == ()


def test_r_threshold_scores_do_not_make_anyone_eligible():
    """R-THRESHOLD: a Red harm score without corroborated membership is not eligible."""
    result = score_one(AS_OF, offence(AS_OF, "1-4.1-4.10-4.2"), intel(AS_OF, WA, source_id="A"),
                       intel(AS_OF, VI, source_id="B"))
    assert result.harm_band == "Red"
    assert not result.eligible


def test_r_threshold_custom_membership_window_and_grades():
    """R-THRESHOLD: the window and the grades come from the policy; two sources stay."""
    policy = custom_policy(windows={"gang_membership_months": 6},
                           intelligence={"source_grades": ["1"], "intel_grades": ["A"]})
    as_of = date(2025, 8, 31)
    assert score_one(as_of, _membership(as_of, "S1"), _membership(date(2025, 3, 1), "S2"),
                     policy=policy).eligible
    assert not score_one(as_of, _membership(as_of, "S1"),
                         _membership(date(2025, 2, 28), "S2"), policy=policy).eligible
    assert not score_one(as_of, _membership(as_of, "S1"),
                         _membership(as_of, "S2", source_grade="2"), policy=policy).eligible


# --- 3.4 Custody (R-CUSTODY) -----------------------------------------------------------

@pytest.mark.parametrize(("periods", "in_custody"), [
    ((), False),
    (((AS_OF, None),), True),  # starts on as_of, open-ended
    (((AS_OF - timedelta(days=400), None),), True),  # open-ended
    (((AS_OF - timedelta(days=30), AS_OF),), True),  # ends on as_of
    (((AS_OF, AS_OF),), True),  # starts and ends on as_of
    (((AS_OF - timedelta(days=30), AS_OF - DAY),), False),  # ended the day before
    (((AS_OF + DAY, None),), False),  # starts tomorrow
    (((AS_OF + DAY, AS_OF + 10 * DAY),), False),
    (((date(2020, 1, 1), date(2021, 1, 1)), (AS_OF - DAY, AS_OF + DAY)), True),
    (((date(2020, 1, 1), date(2021, 1, 1)), (AS_OF + DAY, None)), False),
])
def test_r_custody_edges(periods, in_custody):
    """R-CUSTODY: start <= as_of and (no end or end >= as_of)."""
    result = score_one(AS_OF, *(custody(s, e) for s, e in periods))
    assert result.in_custody is in_custody


def test_r_custody_changes_no_score():
    """R-CUSTODY: custody is shown beside the scores, never changes them."""
    items = [offence(AS_OF, "8N"), intel(AS_OF, AR), _membership(AS_OF, "S1"),
             _membership(AS_OF, "S2")]
    free = score_one(AS_OF, *items)
    held = score_one(AS_OF, *items, custody(AS_OF - DAY))
    assert held.in_custody and not free.in_custody
    assert (held.harm_units, held.victim_units, held.eligible) == (
        free.harm_units, free.victim_units, free.eligible)


# --- Several people at once, and the policy on every result ------------------------

def test_batch_scores_everyone_once_sorted_and_ignores_strangers():
    """R-DUAL: one row per person, sorted; people with no records score 0."""
    people = [
        records("P3", [offence(AS_OF, "8N", person_id="P3")]),
        records("P1", [intel(AS_OF, AR, person_id="P1"),
                       custody(AS_OF, person_id="P1")]),
        records("P2"),
        records("P10", [intel(AS_OF, GM, source_id="a", person_id="P10"),
                        intel(AS_OF, GM, source_id="b", person_id="P10")]),
    ]
    results = score_both(people, AS_OF)
    assert results["P3"].harm_units == units(365)
    assert results["P1"].victim_units == units(100) and results["P1"].in_custody
    assert results["P10"].eligible
    assert results["P2"].harm_units == results["P2"].victim_units == 0


def test_batch_ignores_records_of_people_not_listed_and_unknown_values():
    """R-MUSIC, R-CATEGORY: unknown categories and roles in a frame count for nothing."""
    people, offences, intelligence, periods = to_frames([records("P1")])
    offences = pl.concat([offences, pl.DataFrame(
        [("P1", "E1", AS_OF, "8N", "bystander", "convicted"),
         ("P9", "E2", AS_OF, "8N", "suspect", "convicted")],
        schema=offences.schema, orient="row")])
    intelligence = pl.concat([intelligence, pl.DataFrame(
        [("P1", "I1", AS_OF, "music", "S1", "police", "1", "A"),
         ("P1", "I2", AS_OF, "music", "S2", "police", "1", "A"),
         ("P1", "I3", AS_OF, "gang_membership", "S3", "social_media", "1", "A"),
         ("P9", "I4", AS_OF, "weapon_access", "S1", "police", "1", "A")],
        schema=intelligence.schema, orient="row")])
    periods = pl.DataFrame([("P9", AS_OF, None)], schema=periods.schema, orient="row")
    result = score_batch(people, offences, intelligence, periods, AS_OF, DEFAULT, CATALOGUE)
    assert result.to_dicts() == [{
        "person_id": "P1", "harm_units": 0, "victim_units": 0, "harm_score": 0.0,
        "victim_score": 0.0, "harm_band": "Zero", "victim_band": "Zero",
        "eligible": False, "in_custody": False}]


def test_policy_version_and_hash_on_every_result():
    """R-DUAL: each score records the policy version and its content hash (SPEC 3)."""
    people = [records("P1", [offence(AS_OF, "8N", person_id="P1")]), records("P2")]
    for policy in (DEFAULT, EDGE_POLICY):
        results = score_both(people, AS_OF, policy)
        for result in results.values():
            assert result.policy_version == policy.label
            assert result.policy_hash == policy.content_hash
    assert DEFAULT.label == "default-2026.1"
    assert len(DEFAULT.content_hash) == 64
    assert EDGE_POLICY.content_hash != DEFAULT.content_hash
    canonical = json.dumps(default_policy_data(), sort_keys=True, separators=(",", ":"),
                           default=str)
    assert DEFAULT.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert parse_policy(default_policy_data()).content_hash == DEFAULT.content_hash


def test_default_policy_cchi_days_match_the_shipped_weights():
    """R-DUAL: default.toml's CCHI days are the shipped Crime Harm Index values."""
    path = resources.files("gvm") / "data" / "crime_harm_index_weights.csv"
    with path.open(encoding="utf-8", newline="") as f:
        shipped = {r["prc_subgroup"]: r["cchi_days"] for r in csv.DictReader(f)}
    days = default_policy_data()["cchi_days"]
    assert days
    for subgroup, value in days.items():
        assert subgroup in shipped, subgroup
        assert units(value) == units(shipped[subgroup]), subgroup
        assert DEFAULT.subgroup_weight_units[subgroup] * UNIT == units(shipped[subgroup])


def test_default_policy_maps_the_spec_classes():
    """R-DUAL: the SPEC 3.2 class -> subgroup table is the shipped default."""
    assert dict(DEFAULT.class_subgroups) == {
        "Violence with injury": "Violence with injury",
        "Violence without injury": "Violence without injury",
        "Harassment": "Stalking and harassment",
        "Possession of weapons offences": "Possession of weapons offences",
    }
    assert dict(DEFAULT.code_subgroups) == {
        "1-4.1-4.10-4.2": "Homicide",
        "34A": "Robbery of business property",
        "34B": "Robbery of personal property",
    }
    assert {o: u / UNIT for o, u in DEFAULT.outcome_factor_units.items()} == {
        Outcome.CONVICTED: 1.0, Outcome.CHARGED: 0.5, Outcome.ARRESTED: 0.25,
        Outcome.NO_FURTHER_ACTION: 0.0, Outcome.ACQUITTED: 0.0}
    assert DEFAULT.windows.offender_offences == DEFAULT.windows.victimisation == 36
    assert DEFAULT.windows.weapon_violence_intelligence == 6
    assert DEFAULT.windows.at_risk_intelligence == 6
    assert DEFAULT.windows.gang_membership == 24
    assert DEFAULT.max_items_per_category == 3
    assert DEFAULT.amber_from_units == units(250)
    assert DEFAULT.red_from_units == units(730)

