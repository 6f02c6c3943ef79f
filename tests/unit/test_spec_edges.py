"""SPEC section 3 read literally, edge by edge, against an oracle written from the
spec's own words and numbers (not from the policy file or the engines).

Every case scores through `score_both`/`score_one` (tests/unit/scoring_support.py), so
the one-person path, the batch engine and the re-score engine are each held to the
same answer. Each test names the requirement or SPEC section it checks.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from fractions import Fraction
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_support import (
    custody,
    custom_policy,
    intel,
    offence,
    records,
    score_both,
    score_one,
    units,
)

from gvm.domain.model import (
    CustodyPeriod,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    PersonRecords,
    Role,
    SourceGrade,
    SourceType,
)
from gvm.domain.policy import SCORE_SCALE
from gvm.domain.scoring import COUNTED, OUTSIDE_WINDOW, OVER_CAP

DAY = timedelta(days=1)
WA, VI, AR, GM = (IntelCategory.WEAPON_ACCESS, IntelCategory.VIOLENCE_INVOLVEMENT,
                  IntelCategory.AT_RISK, IntelCategory.GANG_MEMBERSHIP)
SOCIAL, POLICE = SourceType.SOCIAL_MEDIA, SourceType.POLICE
HOMICIDE = "1-4.1-4.10-4.2"


# --- The oracle: SPEC 3.1-3.4 as written, default policy -----------------------------

def spec_minus_months(day: date, months: int) -> date:
    """SPEC 3.1: as_of - N calendar months, clamped to the month's last day (worked out
    by stepping back from the same day number until the date exists)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    for d in range(day.day, 27, -1):
        try:
            return date(year, month0 + 1, d)
        except ValueError:
            continue
    return date(year, month0 + 1, day.day)


def spec_within(day: date, as_of: date, months: int) -> bool:
    return spec_minus_months(as_of, months) < day <= as_of


# SPEC 3.2's table: Home Office class -> days; Homicide and Robbery by their codes.
SPEC_CLASS_DAYS = {"Violence with injury": Fraction(365), "Violence without injury": Fraction(10),
                   "Harassment": Fraction(10),
                   "Possession of weapons offences": Fraction("273.75")}
SPEC_CODE_DAYS = {HOMICIDE: Fraction(5475), "34A": Fraction(365), "34B": Fraction(365)}
SPEC_FACTORS = {Outcome.CONVICTED: Fraction(1), Outcome.CHARGED: Fraction(1, 2),
                Outcome.ARRESTED: Fraction(1, 4), Outcome.NO_FURTHER_ACTION: Fraction(0),
                Outcome.ACQUITTED: Fraction(0)}
SPEC_POINTS = {WA: 100, VI: 50, AR: 100}
SPEC_CAP = 3


def _reference_classes() -> dict[str, str]:
    """Home Office code -> parent_label, read straight from the shipped CSV."""
    path = resources.files("gvm") / "data" / "home_office_offence_codes.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["ho_offence_code"]: r["parent_label"] for r in csv.DictReader(f)}


REFERENCE_CLASSES = _reference_classes()


def spec_days(code: str) -> Fraction:
    if code in SPEC_CODE_DAYS:
        return SPEC_CODE_DAYS[code]
    return SPEC_CLASS_DAYS.get(REFERENCE_CLASSES.get(code, ""), Fraction(0))


def spec_graded(item: Intelligence) -> bool:
    return item.source_grade.value in "12" and item.intel_grade.value in "ABC"


def spec_band(score: Fraction) -> str:
    if score == 0:
        return "Zero"
    if score < 250:
        return "Green"
    return "Amber" if score < 730 else "Red"


def spec_scores(person: PersonRecords, as_of: date) -> dict[str, object]:
    harm = victim = Fraction(0)
    for o in person.offences:
        if o.role is Role.SUSPECT and spec_within(o.date, as_of, 36) and o.outcome:
            harm += spec_days(o.ho_offence_code) * SPEC_FACTORS[o.outcome]
        elif o.role is Role.VICTIM and spec_within(o.date, as_of, 36):
            victim += spec_days(o.ho_offence_code)
    for category, points in SPEC_POINTS.items():
        n = sum(1 for i in person.intelligence if i.category is category
                and spec_within(i.date, as_of, 6) and spec_graded(i))
        if category is AR:
            victim += min(n, SPEC_CAP) * points
        else:
            harm += min(n, SPEC_CAP) * points
    membership = [i for i in person.intelligence if i.category is GM
                  and spec_within(i.date, as_of, 24) and spec_graded(i)]
    eligible = any(a.source_id != b.source_id
                   and (a.source_type is not SOCIAL or b.source_type is not SOCIAL)
                   for a in membership for b in membership)
    in_custody = any(c.start_date <= as_of and (c.end_date is None or c.end_date >= as_of)
                     for c in person.custody)
    return {"harm_units": harm * SCORE_SCALE, "victim_units": victim * SCORE_SCALE,
            "harm_band": spec_band(harm), "victim_band": spec_band(victim),
            "eligible": eligible, "in_custody": in_custody}


def assert_as_spec(as_of: date, *items: object) -> None:
    result = score_one(as_of, *items)
    expected = spec_scores(records("P1", items), as_of)
    got = {k: getattr(result, k) for k in expected}
    assert got == expected, (got, expected)


# --- 3.1 Windows at month ends, leap days and every boundary -------------------------

# (as_of, months, the last day outside the window), worked out by hand from SPEC 3.1.
BOUNDARIES = [
    (date(2024, 2, 29), 36, date(2021, 2, 28)),  # 29 Feb minus 3 years
    (date(2024, 2, 29), 24, date(2022, 2, 28)),
    (date(2024, 2, 29), 6, date(2023, 8, 29)),
    (date(2028, 2, 29), 48, date(2024, 2, 29)),  # leap year to leap year: no clamping
    (date(2025, 3, 31), 1, date(2025, 2, 28)),  # 31 March minus 1 month
    (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2025, 3, 31), 6, date(2024, 9, 30)),
    (date(2025, 5, 31), 6, date(2024, 11, 30)),
    (date(2025, 12, 31), 6, date(2025, 6, 30)),
    (date(2025, 8, 30), 6, date(2025, 2, 28)),
    (date(2025, 3, 1), 6, date(2024, 9, 1)),
    (date(2025, 1, 1), 36, date(2022, 1, 1)),
    (date(2026, 2, 28), 24, date(2024, 2, 28)),  # not 29: same day number exists
]


@pytest.mark.parametrize(("as_of", "months", "outside"), BOUNDARIES)
def test_spec_3_1_oracle_month_arithmetic(as_of, months, outside):
    """SPEC 3.1 (R-TIMESCALE): the oracle's calendar arithmetic gives the hand-worked
    cut-off days, so the comparisons below test the engines against the spec."""
    assert spec_minus_months(as_of, months) == outside


@pytest.mark.parametrize(("as_of", "months", "outside"), BOUNDARIES)
def test_r_timescale_every_window_boundary_every_engine(as_of, months, outside):
    """R-TIMESCALE, SPEC 3.1: the day exactly N months back is outside, the next day and
    as_of inside, the day after as_of ignored, for offender offences, victimisation,
    weapon/violence and at-risk intelligence and membership, with the window set to N."""
    policy = custom_policy(windows={
        "offender_offences_months": months, "victimisation_months": months,
        "weapon_violence_intelligence_months": months, "at_risk_intelligence_months": months,
        "gang_membership_months": months})
    for day, counts in ((outside, False), (outside + DAY, True), (as_of, True),
                        (as_of + DAY, False), (outside - DAY, False)):
        result = score_one(
            as_of, offence(day, "8N"), offence(day, "10D", Role.VICTIM), intel(day, WA),
            intel(day, VI), intel(day, AR), intel(day, GM, source_id="S1"),
            intel(as_of, GM, source_id="S2"), policy=policy)
        assert result.harm_units == (units(365 + 100 + 50) if counts else 0), day
        assert result.victim_units == (units("373.75") if counts else 0), day
        assert result.eligible is counts, day


@pytest.mark.parametrize(("as_of", "day", "counts"), [
    (date(2024, 2, 29), date(2021, 2, 28), False),
    (date(2024, 2, 29), date(2021, 3, 1), True),
    (date(2025, 2, 28), date(2022, 2, 28), False),
    (date(2028, 2, 29), date(2025, 2, 28), False),
    (date(2028, 2, 29), date(2025, 3, 1), True),
    (date(2025, 3, 31), date(2022, 3, 31), False),
    (date(2025, 3, 31), date(2022, 4, 1), True),
])
def test_r_timescale_default_three_year_windows_at_leap_days(as_of, day, counts):
    """R-TIMESCALE, SPEC 3.1: the default offender and victimisation windows are 3
    calendar years (29 February minus 3 years is 28 February)."""
    assert_as_spec(as_of, offence(day, "34A"), offence(day, HOMICIDE, Role.VICTIM))
    assert score_one(as_of, offence(day, "34A")).harm_units == (units(365) if counts else 0)


@pytest.mark.parametrize(("as_of", "day", "counts"), [
    (date(2025, 3, 31), date(2024, 9, 30), False),  # 31 March minus 6 months
    (date(2025, 3, 31), date(2024, 10, 1), True),
    (date(2024, 8, 31), date(2024, 2, 29), False),
    (date(2025, 8, 31), date(2025, 2, 28), False),
    (date(2025, 8, 31), date(2025, 3, 1), True),
])
def test_r_timescale_default_six_month_intelligence_windows_at_month_ends(as_of, day, counts):
    """R-TIMESCALE, SPEC 3.1: weapon, violence and at-risk intelligence: 6 months."""
    result = score_one(as_of, intel(day, WA), intel(day, VI), intel(day, AR))
    assert result.harm_units == (units(150) if counts else 0)
    assert result.victim_units == (units(100) if counts else 0)


@pytest.mark.parametrize(("as_of", "day", "eligible"), [
    (date(2026, 2, 28), date(2024, 2, 28), False),  # exactly 24 months back
    (date(2026, 2, 28), date(2024, 2, 29), True),
    (date(2025, 12, 31), date(2023, 12, 31), False),
    (date(2025, 12, 31), date(2024, 1, 1), True),
])
def test_r_threshold_default_membership_window_is_24_calendar_months(as_of, day, eligible):
    """R-THRESHOLD, SPEC 3.1: gang membership intelligence: 24 months."""
    result = score_one(as_of, intel(as_of, GM, source_id="S1"), intel(day, GM, source_id="S2"))
    assert result.eligible is eligible


# --- 3.2 Weights: every code in the reference list --------------------------------------

def test_r_dual_every_reference_code_weighs_as_the_spec_table_says():
    """R-DUAL, SPEC 3.2: each Home Office code in the shipped list, as suspect
    (convicted) and as victim, weighs its class's CCHI days per the SPEC table (Homicide
    and Robbery by code); every other class is out of scope (0)."""
    as_of = date(2025, 6, 15)
    people = [records(f"C{n}", [offence(as_of, code, person_id=f"C{n}"),
                                offence(as_of, code, Role.VICTIM, person_id=f"C{n}")])
              for n, code in enumerate(sorted(REFERENCE_CLASSES))]
    results = score_both(people, as_of)
    in_scope = set()
    for n, code in enumerate(sorted(REFERENCE_CLASSES)):
        days = spec_days(code)
        result = results[f"C{n}"]
        assert result.harm_units == result.victim_units == days * SCORE_SCALE, code
        if days:
            in_scope.add(code)
    # The spec's six subgroups are all reached, and nothing else.
    assert {spec_days(c) for c in in_scope} == {5475, 365, 10, Fraction("273.75")}
    assert {"34A", "34B", HOMICIDE, "8L", "8R", "10A", "10D", "8N", "105A"} <= in_scope


@pytest.mark.parametrize("code", ["8n", " 8N", "8N ", "34a", "1-4.1-4.10-4.2 ", "34"])
def test_r_dual_scoring_matches_codes_exactly(code):
    """SPEC 3.2: weights are looked up by the exact Home Office code (the import stores
    each code in its reference spelling); any other text weighs 0 in every engine."""
    result = score_one(date(2025, 6, 15), offence(date(2025, 6, 15), code),
                       offence(date(2025, 6, 15), code, Role.VICTIM))
    assert (result.harm_units, result.victim_units) == (0, 0)


@pytest.mark.parametrize("outcome", [None, *Outcome])
def test_r_dual_a_victims_outcome_does_not_matter(outcome):
    """SPEC 3.2: the victim score is the weight whatever the outcome a victim's row
    carries (the import lets a victim's row carry the case outcome: test_spec_bundle)."""
    day = date(2025, 6, 1)
    result = score_one(date(2025, 6, 15), offence(day, "8N", Role.VICTIM, outcome),
                       offence(day, "34A", Role.WITNESS, outcome))
    assert (result.victim_units, result.harm_units) == (units(365), 0)


# --- 3.2 Exact sums and band edges --------------------------------------------------------

@pytest.mark.parametrize(("items", "score", "band"), [
    # 273.75 x 0.25 = 68.4375 three times, plus 365 x 0.5 ... sums with quarters
    ((("10D", Outcome.ARRESTED),) * 3, "205.3125", "Green"),
    ((("34B", Outcome.CHARGED), ("105A", Outcome.ARRESTED), ("105A", Outcome.ARRESTED),
      ("105A", Outcome.ARRESTED), ("8L", Outcome.CONVICTED)), "200", "Green"),
    ((("10D", Outcome.CONVICTED), ("10D", Outcome.CONVICTED), ("34A", Outcome.CHARGED)),
     "730", "Red"),
    ((("10D", Outcome.CONVICTED), ("10D", Outcome.CONVICTED), ("34A", Outcome.CHARGED),
      (HOMICIDE, Outcome.ACQUITTED), ("8N", Outcome.NO_FURTHER_ACTION)), "730", "Red"),
    ((("10D", Outcome.CONVICTED), ("10D", Outcome.CHARGED), ("10D", Outcome.ARRESTED),
      ("8N", Outcome.CHARGED), ("105A", Outcome.CONVICTED), ("8R", Outcome.ARRESTED),
      ("8Q", Outcome.ARRESTED)), "676.5625", "Amber"),
])
def test_r_dual_exact_sums_with_quarter_factors(items, score, band):
    """R-DUAL, SPEC 3.2: weight x factor summed exactly (273.75 x 0.25 and the like),
    and the band decided on the exact sum."""
    as_of = date(2025, 6, 15)
    result = score_one(as_of, *(offence(as_of, c, outcome=o) for c, o in items))
    assert result.harm_units == units(score)
    assert result.harm_band == band
    assert_as_spec(as_of, *(offence(as_of, c, outcome=o) for c, o in items))


def test_r_dual_band_edges_exact_with_intelligence():
    """R-DUAL, SPEC 3.2: 182.5 + 50 + 10 + 3 x 2.5 is exactly 250: Amber, not Green."""
    as_of = date(2025, 6, 15)
    items = [offence(as_of, "34B", outcome=Outcome.CHARGED), intel(as_of, VI),
             offence(as_of, "8L"), *(offence(as_of, "105A", outcome=Outcome.ARRESTED)
                                     for _ in range(3))]
    result = score_one(as_of, *items)
    assert result.harm_units == units(250) and result.harm_band == "Amber"
    without_one = score_one(as_of, *items[:-1])
    assert without_one.harm_units == units("247.5") and without_one.harm_band == "Green"


def test_r_dual_band_edges_are_not_float_sums():
    """R-DUAL, SPEC 3.2 ("comparisons use exact values"): 249.7 + 0.2 + 0.1 is 250 (a
    float sum in that order gives 249.99999999999997), and 3 x 243.3333 is 729.9999."""
    assert 249.7 + 0.2 + 0.1 < 250  # why this case matters
    policy = custom_policy(cchi_days={"Violence without injury": 249.7,
                                      "Stalking and harassment": 0.2,
                                      "Violence with injury": 0.1,
                                      "Possession of weapons offences": 243.3333})
    as_of = date(2025, 6, 15)
    result = score_one(as_of, offence(as_of, "105A", Role.VICTIM),
                       offence(as_of, "8L", Role.VICTIM), offence(as_of, "8N", Role.VICTIM),
                       *(offence(as_of, "10D") for _ in range(3)), policy=policy)
    assert result.victim_units == units(250) and result.victim_band == "Amber"
    assert result.harm_units == units("729.9999") and result.harm_band == "Amber"


# --- 3.2 The intelligence cap ---------------------------------------------------------------

def test_r_dual_cap_with_ties_on_date_counts_three_and_explains_which():
    """R-DUAL, SPEC 3.2: five graded weapon items on one day: 3 count (300), 2 are over
    the cap; the explanation counts the same three whichever way they come."""
    as_of = date(2025, 6, 15)
    items = [intel(as_of - DAY, WA, intel_id=f"W{n}") for n in (5, 3, 1, 4, 2)]
    result = score_one(as_of, *items)
    assert result.harm_units == units(300)
    reasons = {i.ref: i.reason for i in result.harm_items}
    assert sorted(r for r in reasons.values()) == [COUNTED] * 3 + [OVER_CAP] * 2
    again = score_one(as_of, *reversed(items))
    assert {i.ref: i.reason for i in again.harm_items} == reasons


def test_r_dual_cap_counts_the_most_recent_items():
    """R-DUAL, SPEC 3.2: when more than 3 qualify, no item over the cap is more recent
    than a counted one (ties on date included)."""
    as_of = date(2025, 6, 15)
    days = [as_of - timedelta(days=d) for d in (40, 1, 1, 90, 20, 1)]
    result = score_one(as_of, *(intel(d, AR, intel_id=f"R{n}") for n, d in enumerate(days)))
    assert result.victim_units == units(300)
    counted = [i.date for i in result.victim_items if i.reason == COUNTED]
    capped = [i.date for i in result.victim_items if i.reason == OVER_CAP]
    assert len(counted) == 3 and len(capped) == 3
    assert min(counted) >= max(capped)


def test_r_dual_cap_is_per_category_for_all_three_categories():
    """R-DUAL, SPEC 3.2: 4 items in each of weapon, violence and at-risk: 3 of each
    count (300 + 150 harm, 300 victim)."""
    as_of = date(2025, 6, 15)
    items = [intel(as_of - timedelta(days=d), c) for d in range(4) for c in (WA, VI, AR)]
    result = score_one(as_of, *items)
    assert result.harm_units == units(450)
    assert result.victim_units == units(300)
    assert sum(i.reason == OVER_CAP for i in result.harm_items) == 2
    assert sum(i.reason == OVER_CAP for i in result.victim_items) == 1


def test_r_dual_items_outside_window_never_take_a_place_under_the_cap():
    """R-DUAL, SPEC 3.2: an item dated exactly 6 months back, or after as_of, or
    ungraded, is excluded for that reason and leaves the 3 places to the others."""
    as_of = date(2025, 8, 31)
    result = score_one(
        as_of, intel(date(2025, 2, 28), WA, intel_id="edge"),
        intel(as_of + DAY, WA, intel_id="future"),
        intel(as_of, WA, source_grade="3", intel_id="ungraded"),
        *(intel(date(2025, 3, 1) + timedelta(days=d), WA, intel_id=f"in{d}") for d in range(3)))
    assert result.harm_units == units(300)
    assert {i.ref: i.reason for i in result.harm_items}["edge"] == OUTSIDE_WINDOW


# --- 3.3 Eligibility: which combinations corroborate ------------------------------------

def _member(source_id: str, source_type: SourceType = POLICE, day: date = date(2025, 6, 1),
            **grades: str) -> Intelligence:
    return intel(day, GM, source_id=source_id, source_type=source_type, **grades)


@pytest.mark.parametrize(("items", "eligible"), [
    # two social media sources and a police item from one of them: police S1 + social S2
    ((("S1", SOCIAL), ("S2", SOCIAL), ("S1", POLICE)), True),
    # the same, but the police item is ungraded: only social media is left
    ((("S1", SOCIAL), ("S2", SOCIAL), ("S1", POLICE, "3")), False),
    # police twice from one source, social media from another
    ((("S1", POLICE), ("S1", POLICE), ("S2", SOCIAL)), True),
    # social media from S1 and a community item from S1: one source only
    ((("S1", SOCIAL), ("S1", SourceType.COMMUNITY)), False),
    # partner agency S1, social media S1 and S2
    ((("S1", SourceType.PARTNER_AGENCY), ("S1", SOCIAL), ("S2", SOCIAL)), True),
    # three sources, all social media
    ((("S1", SOCIAL), ("S2", SOCIAL), ("S3", SOCIAL)), False),
    # only the pair (S1 police, S2 ungraded) differs in source: not enough
    ((("S1", POLICE), ("S1", SOCIAL), ("S2", POLICE, "3")), False),
    # source ids are compared as written: "S1" and "s1" are different sources
    ((("S1", POLICE), ("s1", POLICE)), True),
    # grades 2 and C at the limit
    ((("S1", POLICE, "2", "C"), ("S2", SOCIAL, "2", "C")), True),
    ((("S1", POLICE, "2", "D"), ("S2", SOCIAL, "1", "A")), False),
])
def test_r_threshold_combinations(items, eligible):
    """R-THRESHOLD, R-MUSIC, SPEC 3.3: eligible when two graded membership items in the
    window have different source_ids and at least one of the two is not social media."""
    as_of = date(2025, 6, 15)
    made = []
    for spec in items:
        source_id, source_type, *grade = spec
        kw = dict(zip(("source_grade", "intel_grade"), grade, strict=False))
        made.append(_member(source_id, source_type, **kw))
    result = score_one(as_of, *made)
    assert result.eligible is eligible
    assert_as_spec(as_of, *made)


def test_r_threshold_items_outside_the_window_do_not_pair():
    """R-THRESHOLD, SPEC 3.3: a police item exactly 24 months back (or after as_of)
    cannot make a social-media pair eligible."""
    as_of = date(2025, 6, 15)
    socials = [_member("S1", SOCIAL), _member("S2", SOCIAL)]
    assert not score_one(as_of, *socials, _member("S3", day=date(2023, 6, 15))).eligible
    assert not score_one(as_of, *socials, _member("S3", day=as_of + DAY)).eligible
    assert score_one(as_of, *socials, _member("S3", day=date(2023, 6, 16))).eligible


# --- 3.4 Custody --------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "in_custody"), [
    (date(2024, 2, 29), None, True),
    (date(2024, 2, 29), date(2024, 2, 29), True),
    (date(2024, 2, 28), date(2024, 2, 28), False),
    (date(2024, 3, 1), None, False),
    (date(2020, 1, 1), date(2024, 3, 1), True),
])
def test_r_custody_on_a_leap_day(start, end, in_custody):
    """R-CUSTODY, SPEC 3.4: start_date <= as_of and (no end_date or end_date >= as_of)."""
    result = score_one(date(2024, 2, 29), custody(start, end))
    assert result.in_custody is in_custody


# --- Everything at once, against the oracle ----------------------------------------------

CODES = [*sorted(REFERENCE_CLASSES), "NOT-A-CODE", "8n"]


@st.composite
def person_records(draw: st.DrawFn, as_of: date) -> PersonRecords:
    edges = sorted({as_of + timedelta(days=k) for k in (-1, 0, 1)}
                   | {spec_minus_months(as_of, m) + timedelta(days=k)
                      for m in (6, 24, 36) for k in (-1, 0, 1)})
    days = st.one_of(st.sampled_from(edges),
                     st.dates(as_of - timedelta(days=40 * 31), as_of + timedelta(days=20)))
    offences = []
    for n in range(draw(st.integers(0, 6))):
        role = draw(st.sampled_from(Role))
        outcomes = list(Outcome) if role is Role.SUSPECT else [None, *Outcome]
        offences.append(Offence(f"E{n}", draw(days), draw(st.sampled_from(CODES)), "P1",
                                role, draw(st.sampled_from(outcomes))))
    intelligence = [
        Intelligence(f"I{n}", draw(days), "P1", None, draw(st.sampled_from(IntelCategory)),
                     draw(st.sampled_from(["S1", "S2", "S3"])),
                     draw(st.sampled_from(SourceType)), draw(st.sampled_from(SourceGrade)),
                     draw(st.sampled_from(IntelGrade)), HandlingCode.P, "")
        for n in range(draw(st.integers(0, 12)))]
    periods = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(days)
        length = draw(st.one_of(st.none(), st.integers(0, 400)))
        periods.append(CustodyPeriod(
            "P1", start, None if length is None else start + timedelta(days=length)))
    return PersonRecords("P1", tuple(offences), tuple(intelligence), tuple(periods))


@st.composite
def cases(draw: st.DrawFn) -> tuple[PersonRecords, date]:
    as_of = draw(st.one_of(
        st.sampled_from([date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 31),
                         date(2024, 8, 31), date(2025, 12, 31), date(2028, 2, 29)]),
        st.dates(date(2021, 1, 1), date(2029, 12, 31))))
    return draw(person_records(as_of)), as_of


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_spec_3_every_engine_matches_the_spec_oracle(case):
    """SPEC 3.1-3.4 (R-DUAL, R-TIMESCALE, R-THRESHOLD, R-MUSIC, R-CUSTODY): scores,
    bands, eligibility and custody of all three engines equal the oracle's, exactly."""
    person, as_of = case
    result = score_both([person], as_of)["P1"]
    expected = spec_scores(person, as_of)
    assert {k: getattr(result, k) for k in expected} == expected
