"""Policy what-if (gvm.reports.whatif): a hand-built population scored under the default
policy and under one that raises amber_from, transitions counted exactly."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

import polars as pl
import pytest

from gvm import reference
from gvm.domain.batch import score_batch
from gvm.domain.policy import parse_policy
from gvm.reports.equality import census_frame
from gvm.reports.whatif import (
    changes,
    eligibility_changes,
    makeup_shift,
    side_by_side,
    transition_matrix,
    transitions,
    what_if,
)

AS_OF = date(2024, 6, 30)
CATALOGUE = {"8N": "Violence with injury", "105A": "Violence without injury"}


def _policy(**bands):
    with (resources.files("gvm") / "data" / "policy" / "default.toml").open("rb") as f:
        data = tomllib.load(f)
    data["bands"] = {**data["bands"], **bands}
    data["policy"] = {**data["policy"], "version": "test"}
    return parse_policy(data)


CURRENT = _policy()  # amber from 250, red from 730
PROPOSED = _policy(amber_from=400)


def _offence(pid, n, code="8N", outcome="convicted"):
    return [{"person_id": pid, "event_id": f"{pid}-{i}", "date": date(2024, 1, 1 + i),
             "ho_offence_code": code, "role": "suspect", "outcome": outcome}
            for i in range(n)]


def _membership(pid):
    return [{"person_id": pid, "intel_id": f"{pid}-m{i}", "date": date(2024, 3, 1),
             "category": "gang_membership", "source_id": f"S{i}", "source_type": "cover",
             "source_grade": "1", "intel_grade": "A"} for i in range(2)]


@pytest.fixture
def frames():
    # P1: 365 x 1 = 365 -> Amber now, Green under amber_from 400.
    # P2: 365 x 0.25 = 91.25 -> Green both. P3: 730 -> Red both. P4: nothing -> Zero.
    # P5: 365 + 10 = 375 -> Amber now, Green proposed. P6: 2 x 365 x 0.5 = 365 + 50 = 415
    #   (one violence_involvement item) -> Amber both. P7: 365, not eligible -> out of scope.
    offences = pl.DataFrame(
        _offence("P1", 1) + _offence("P2", 1, outcome="arrested") + _offence("P3", 2)
        + _offence("P5", 1) + _offence("P5", 1, code="105A")[:1]
        + _offence("P6", 2, outcome="charged") + _offence("P7", 1))
    offences = offences.with_columns(
        pl.format("{}-{}", pl.col("event_id"), pl.col("ho_offence_code")).alias("event_id"))
    intel = _membership("P1") + _membership("P2") + _membership("P3") + _membership("P4") \
        + _membership("P5") + _membership("P6")
    intel.append({"person_id": "P6", "intel_id": "P6-v", "date": date(2024, 5, 1),
                  "category": "violence_involvement", "source_id": "S9",
                  "source_type": "cover", "source_grade": "1", "intel_grade": "A"})
    people = pl.DataFrame({"person_id": [f"P{i}" for i in range(1, 8)]})
    custody = pl.DataFrame(schema={"person_id": pl.String, "start_date": pl.Date,
                                   "end_date": pl.Date})
    return people, offences, pl.DataFrame(intel), custody


def _scores(frames, policy):
    return score_batch(*frames, AS_OF, policy, CATALOGUE)


def test_hand_built_scores_are_as_planned(frames):
    s = _scores(frames, CURRENT)
    bands = dict(zip(s["person_id"], s["harm_band"], strict=True))
    assert bands == {"P1": "Amber", "P2": "Green", "P3": "Red", "P4": "Zero", "P5": "Amber",
                     "P6": "Amber", "P7": "Amber"}
    assert s.filter("eligible")["person_id"].to_list() == ["P1", "P2", "P3", "P4", "P5",
                                                           "P6"]


def test_raising_amber_from_moves_exactly_two_amber_to_green(frames):
    both = side_by_side(_scores(frames, CURRENT), _scores(frames, PROPOSED))
    t = transitions(both.filter(pl.col("person_id") != "P7"), "harm")
    counts = {(r["current"], r["proposed"]): r["count"] for r in t.iter_rows(named=True)}
    assert t.height == 16
    assert counts[("Amber", "Green")] == 2
    assert counts[("Amber", "Amber")] == 1
    assert counts[("Red", "Red")] == 1
    assert counts[("Green", "Green")] == 1
    assert counts[("Zero", "Zero")] == 1
    assert sum(counts.values()) == 6
    assert t.filter(pl.col("direction") == "up")["count"].sum() == 0
    assert t.filter(pl.col("direction") == "down")["count"].sum() == 2
    m = transition_matrix(t)
    assert m.columns == ["current", "Red", "Amber", "Green", "Zero"]
    assert m.filter(pl.col("current") == "Amber").row(0) == ("Amber", 0, 1, 2, 0)


def test_changes_list_and_eligibility(frames):
    both = side_by_side(_scores(frames, CURRENT), _scores(frames, PROPOSED))
    changed = changes(both)
    assert changed["person_id"].to_list() == ["P1", "P5", "P7"]
    assert changed.filter(pl.col("person_id") == "P1").row(0) == (
        "P1", "Amber", "Green", "Zero", "Zero", True, True)
    assert eligibility_changes(both) == {"stays_eligible": 6, "becomes_eligible": 0,
                                         "no_longer_eligible": 0, "never_eligible": 1}


def test_tighter_membership_window_changes_eligibility_and_makeup(frames):
    with (resources.files("gvm") / "data" / "policy" / "default.toml").open("rb") as f:
        data = tomllib.load(f)
    data["intelligence"] = {**data["intelligence"], "source_grades": ["2"]}
    strict = parse_policy(data)  # grade-1 sources no longer count: nobody corroborated
    both = side_by_side(_scores(frames, CURRENT), _scores(frames, strict))
    assert eligibility_changes(both)["no_longer_eligible"] == 6
    demo = pl.DataFrame({
        "person_id": ["P1", "P2", "P3"], "borough_code": ["E09000001"] * 3,
        "ethnicity": ["Black", "White", None], "sex": ["M", "F", "M"],
        "date_of_birth": [date(2000, 1, 1), date(2008, 1, 1), date(1990, 1, 1)],
        "harm_band": ["Amber", "Green", "Red"]})
    shift = makeup_shift(demo, demo.filter(pl.col("person_id") != "P1"), AS_OF)
    black = shift.filter(pl.col("breakdown") == "ethnic_group",
                         pl.col("category") == "Black").row(0, named=True)
    assert (black["count_current"], black["count_proposed"]) == (1, 0)
    assert black["share_change_pp"] == pytest.approx(-100 / 3)
    ages = shift.filter(pl.col("breakdown") == "age_band")
    assert dict(zip(ages["category"], ages["count_current"], strict=True)) == {
        "10-17": 1, "18-24": 1, "25+": 1}


def test_what_if_end_to_end(frames):
    cur, new = _scores(frames, CURRENT), _scores(frames, PROPOSED)
    demo = pl.DataFrame({
        "person_id": [f"P{i}" for i in range(1, 8)],
        "borough_code": ["E09000001"] * 7, "ethnicity": ["Black", "White"] * 3 + ["Asian"],
        "sex": ["M"] * 7, "date_of_birth": [date(2000, 1, 1)] * 7})

    def cohort(scores):
        return demo.join(scores.filter("eligible").select("person_id", "harm_band"),
                         on="person_id")
    result = what_if(cur, new, scope=cohort(cur).select("person_id"),
                     cohorts=(cohort(cur), cohort(new)), suspects=(demo, demo),
                     census=census_frame(reference.census_rows()), as_of=AS_OF)
    assert result.moved("harm", "down") == 2 and result.moved("harm", "up") == 0
    assert result.changed["person_id"].to_list() == ["P1", "P5"]
    assert (result.cohort_current, result.cohort_proposed) == (6, 6)
    black = result.equality.filter(pl.col("group") == "Black").row(0, named=True)
    assert black["count_current"] == black["count_proposed"] == 3
    assert black["rri_suspects_current"] == pytest.approx((3 / 6) / (3 / 7))
