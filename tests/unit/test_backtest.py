"""The backtest's maths (gvm.reports.backtest): AUC by ranks with DeLong's interval,
Wilson intervals and the calibration and coverage tables, on hand examples."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import polars as pl
import pytest

from gvm.reports.backtest import (
    auc,
    auc_delong,
    backtest,
    calibration_rows,
    coverage,
    prepare_outcomes,
    wilson,
)

AS_OF = date(2024, 6, 30)


def brute_auc(scores, labels):
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0
               for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_auc_perfect_reversed_ties():
    assert auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert auc([4, 3, 2, 1], [False, False, True, True]) == 0.0
    assert auc([5, 5, 5, 5], [False, True, False, True]) == 0.5
    assert auc([1, 2], [True, True]) is None and auc([], []) is None


def test_auc_worked_example():
    # positives 3, 2, 2; negatives 1, 2, 0: the 3 wins 3 pairs, each 2 wins 2 and ties
    # 1 (2.5): 8 of 9 pairs
    scores = [3, 2, 2, 1, 2, 0]
    labels = [True, True, True, False, False, False]
    assert auc(scores, labels) == pytest.approx(8 / 9)
    rng = np.random.default_rng(7)
    for _ in range(20):
        s = rng.integers(0, 5, size=30)
        y = rng.random(30) < 0.4
        assert auc(s, y) == pytest.approx(brute_auc(s.tolist(), y.tolist()))


def test_delong_interval():
    # Hand computation: positives [3, 2], negatives [1, 2, 0]. V10 = [1, 5/6]
    # (share of negatives below, ties half), V01 = [1, 3/4, 1] (share of positives
    # above). AUC = 11/12; var(V10) = 1/72, var(V01) = 1/48 (n - 1 denominators);
    # SE^2 = (1/72)/2 + (1/48)/3 = 1/72, SE = sqrt(2)/12.
    a, lo, hi, se = auc_delong([3, 2, 1, 2, 0], [True, True, False, False, False])
    assert a == pytest.approx(11 / 12)
    assert se == pytest.approx(np.sqrt(2) / 12)
    assert lo == pytest.approx(11 / 12 - 1.959963984540054 * se)
    assert hi == 1.0  # clipped
    assert auc_delong([1, 2, 3], [False, False, True])[1:] == (None, None, None)


def test_wilson_values():
    p, lo, hi = wilson(5, 10)
    assert p == 0.5
    assert lo == pytest.approx(0.236593, abs=1e-6)
    assert hi == pytest.approx(0.763407, abs=1e-6)
    p, lo, hi = wilson(0, 20)
    assert (p, lo) == (0.0, 0.0) and hi == pytest.approx(0.161125, abs=1e-6)
    assert wilson(0, 0) == (None, None, None)


def _outcomes():
    rows = [
        # person, band, harm, victim, eligible, known, outcome, suspect
        ("A", "Red", 800.0, 0.0, True, True, True, True),
        ("B", "Amber", 300.0, 10.0, True, True, True, False),
        ("C", "Amber", 260.0, 0.0, True, True, False, False),
        ("D", "Green", 20.0, 365.0, True, True, True, True),
        ("E", "Green", 10.0, 0.0, False, True, False, False),
        ("F", "Zero", 0.0, 0.0, False, True, False, False),
        ("G", "Zero", 0.0, 0.0, False, True, True, False),
        ("H", "Zero", 0.0, 0.0, False, False, True, True),  # first known afterwards
    ]
    frame = pl.DataFrame(rows, orient="row", schema=[
        "person_id", "harm_band", "harm_score", "victim_score", "in_cohort", "known",
        "outcome", "outcome_suspect"])
    return frame.with_columns(
        pl.Series("ethnicity", ["Black", "White", "Black", "White", None, "Black", "White",
                                "Asian"]),
        pl.lit("M").alias("sex"), pl.lit(date(2000, 1, 1)).alias("date_of_birth"))


def test_calibration_table():
    frame = prepare_outcomes(_outcomes(), AS_OF).filter("known")
    rows = {r["harm_band"]: r for r in calibration_rows("scored", "all", "all", frame)}
    assert [(rows[b]["n"], rows[b]["events"]) for b in ("Red", "Amber", "Green", "Zero",
                                                        "all")] == [
        (1, 1), (2, 1), (2, 1), (2, 1), (7, 4)]
    assert rows["Amber"]["rate"] == 0.5
    assert rows["Amber"]["rate_low"] == pytest.approx(wilson(1, 2)[1])


def test_backtest_tables_and_coverage():
    result = backtest(_outcomes(), AS_OF, 12)
    assert coverage(prepare_outcomes(_outcomes(), AS_OF)) == result.coverage == {
        "involved": 5, "in_cohort": 3, "known_not_in_cohort": 1, "not_known": 1,
        "share_not_in_cohort": 0.4}
    top = result.headline()
    known = _outcomes().filter("known")
    assert top["n"] == 7 and top["events"] == 4
    assert top["auc"] == pytest.approx(brute_auc(known["harm_score"].to_list(),
                                                 known["outcome"].to_list()))
    cal = result.calibration
    black = cal.filter(pl.col("outcome") == "involved", pl.col("population") == "cohort",
                       pl.col("breakdown") == "group", pl.col("stratum") == "Black",
                       pl.col("harm_band") == "all").row(0, named=True)
    assert (black["n"], black["events"]) == (2, 1)
    sus = result.discrimination.filter(pl.col("outcome") == "suspect",
                                       pl.col("population") == "scored",
                                       pl.col("breakdown") == "all",
                                       pl.col("score") == "harm+victim").row(0, named=True)
    assert sus["events"] == 2
    assert sus["auc"] == pytest.approx(brute_auc(
        (known["harm_score"] + known["victim_score"]).to_list(),
        known["outcome_suspect"].to_list()))
    assert set(result.discrimination["breakdown"]) == {"all", "group", "age_band", "sex"}
