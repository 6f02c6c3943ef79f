"""Equality monitoring (R-EQUALITY, SPEC 5): relative rate indices and their 95%
intervals against worked calculations, age bands, the "not stated" group and the
population weighting of the force-wide census shares."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from gvm import reference
from gvm.reports.equality import (
    FORCE_WIDE,
    NOT_STATED,
    age_band,
    census_frame,
    census_shares,
    equality_report,
    equality_trend,
    headline,
    rri_katz,
    rri_vs_known,
)

AS_OF = date(2024, 6, 30)
B1, B2 = "E09000001", "E09000002"


def census(rows: list[tuple[str, int, dict[str, float]]]) -> pl.DataFrame:
    """A census frame from (code, population, {group: percent})."""
    cols = {"Asian": "ethnicity_asian_perc", "Black": "ethnicity_black_perc",
            "Mixed": "ethnicity_mixed_perc", "White": "ethnicity_white_perc",
            "Other": "ethnicity_other_perc_derived"}
    return census_frame([{"code": code, "population_total": str(pop),
                          **{c: str(pct.get(g, 0.0)) for g, c in cols.items()}}
                         for code, pop, pct in rows])


def people(rows: list[tuple], *, banded: bool = True) -> pl.DataFrame:
    """(person_id, borough, ethnicity, sex, dob[, harm_band])."""
    schema = {"person_id": pl.String, "borough_code": pl.String, "ethnicity": pl.String,
              "sex": pl.String, "date_of_birth": pl.Date}
    if banded:
        schema["harm_band"] = pl.String
    return pl.DataFrame(rows, schema=schema, orient="row")


# --------------------------------------------------------------- RRI and intervals

def test_rri_vs_census_worked_example():
    # 10 of 50 in the cohort, 10% of the population: RRI 2.0;
    # SE(ln) = sqrt(1/10 - 1/50) = sqrt(0.08) = 0.28284; 2 x exp(+-1.95996 x 0.28284).
    rri, low, high = rri_vs_known(10, 50, 0.10)
    assert rri == pytest.approx(2.0)
    assert low == pytest.approx(1.14888, abs=1e-5)
    assert high == pytest.approx(3.48166, abs=1e-5)


def test_rri_vs_suspects_katz_worked_example():
    # 10/50 against 20/200: RRI 2.0; SE(ln) = sqrt(1/10 - 1/50 + 1/20 - 1/200)
    # = sqrt(0.125) = 0.35355; 2 x exp(+-0.69296) = 1.00020 .. 3.99922.
    rri, low, high = rri_katz(10, 50, 20, 200)
    assert rri == pytest.approx(2.0)
    assert low == pytest.approx(1.00020, abs=1e-5)
    assert high == pytest.approx(3.99922, abs=1e-5)
    # the interval is symmetric on the log scale
    assert math.log(high / rri) == pytest.approx(math.log(rri / low))


def test_rri_undefined_cases():
    assert rri_vs_known(0, 50, 0.1) == (0.0, None, None)
    assert rri_vs_known(3, 0, 0.1) == (None, None, None)
    assert rri_vs_known(3, 10, None) == (None, None, None)
    assert rri_katz(3, 10, 0, 20) == (None, None, None)
    assert rri_katz(0, 10, 5, 20) == (0.0, None, None)


# ------------------------------------------------------------------------ age bands

@pytest.mark.parametrize(("dob", "band"), [
    (date(2006, 6, 30), "18-24"),  # 18th birthday on as_of
    (date(2006, 7, 1), "10-17"),  # 18 tomorrow
    (date(2014, 6, 30), "10-17"),  # 10 today
    (date(2014, 7, 1), "under 10"),
    (date(1999, 7, 1), "18-24"),  # 24, 25 tomorrow
    (date(1999, 6, 30), "25+"),
])
def test_age_band_edges(dob, band):
    got = pl.DataFrame({"date_of_birth": [dob]}).select(age_band(AS_OF).alias("b"))
    assert got["b"][0] == band


def test_leap_day_birthday_comes_of_age_on_first_of_march():
    frame = pl.DataFrame({"date_of_birth": [date(2004, 2, 29)]})
    assert frame.select(age_band(date(2022, 2, 28)))[0, 0] == "10-17"
    assert frame.select(age_band(date(2022, 3, 1)))[0, 0] == "18-24"


# ----------------------------------------------------------------- census weighting

def test_force_wide_census_share_is_population_weighted():
    c = census([(B1, 100, {"Black": 50.0, "White": 50.0}),
                (B2, 300, {"Black": 10.0, "White": 90.0})])
    shares = census_shares(c, None)
    assert shares["Black"] == pytest.approx((100 * 0.5 + 300 * 0.1) / 400)  # 0.2, not 0.3
    assert shares["White"] == pytest.approx(0.8)
    assert census_shares(c, B1)["Black"] == pytest.approx(0.5)


def test_real_census_london_black_share():
    shares = census_shares(census_frame(reference.census_rows()), None)
    assert 0.13 < shares["Black"] < 0.14  # PROVENANCE: "about 13%"
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.005)


# ---------------------------------------------------------------- the whole report

def small_case():
    c = census([(B1, 100, {"Black": 50.0, "White": 50.0}),
                (B2, 300, {"Black": 10.0, "White": 90.0})])
    dob = date(2000, 1, 1)  # 24 on as_of
    cohort = people([
        ("P1", B1, "Black", "M", dob, "Red"),
        ("P2", B1, "Black", "M", dob, "Green"),
        ("P3", B2, "Black", "M", date(2010, 1, 1), "Green"),
        ("P4", B2, "White", "F", dob, "Zero"),
        ("P5", B2, None, "M", dob, "Zero"),
    ])
    suspects = people([
        ("S1", B1, "Black", "M", dob), ("S2", B2, "White", "M", dob),
        ("S3", B2, "White", "M", dob), ("S4", B2, "White", "F", dob),
        ("S5", B2, None, "M", dob),
    ], banded=False)
    return cohort, suspects, c


def test_report_force_wide_counts_shares_and_rris():
    cohort, suspects, c = small_case()
    report = equality_report(cohort, suspects, c, AS_OF)
    top = {r["group"]: r for r in headline(report).iter_rows(named=True)}
    assert list(top) == ["Asian", "Black", "Mixed", "White", "Other", NOT_STATED]
    black = top["Black"]
    assert (black["count"], black["cohort_n"]) == (3, 5)
    assert black["cohort_share"] == pytest.approx(3 / 5)
    assert black["census_share"] == pytest.approx(0.2)
    # Stated denominators: 3 of 4 stated in the cohort; 1 of 4 stated suspects.
    assert black["rri_census"] == pytest.approx((3 / 4) / 0.2)
    assert black["rri_suspects"] == pytest.approx((3 / 4) / (1 / 4))
    se = math.sqrt(1 / 3 - 1 / 4 + 1 / 1 - 1 / 4)
    assert black["rri_suspects_low"] == pytest.approx(3 * math.exp(-1.959964 * se), rel=1e-5)
    assert black["small_cell"] is True  # 3 < 5: marked, never suppressed
    # no Asian people in this census: no ratio against a zero share
    assert top["Asian"]["count"] == 0 and top["Asian"]["rri_census"] is None


def test_not_stated_has_no_census_comparison():
    cohort, suspects, c = small_case()
    row = headline(equality_report(cohort, suspects, c, AS_OF)).filter(
        pl.col("group") == NOT_STATED).row(0, named=True)
    assert row["count"] == 1 and row["census_share"] is None and row["rri_census"] is None
    assert row["cohort_share"] == pytest.approx(1 / 5)
    assert row["suspect_share"] == pytest.approx(1 / 5)
    assert row["rri_suspects"] == pytest.approx(1.0)  # over everyone: (1/5) / (1/5)


def test_borough_rows_use_the_borough_census():
    cohort, suspects, c = small_case()
    report = equality_report(cohort, suspects, c, AS_OF)
    b1 = headline(report, B1).filter(pl.col("group") == "Black").row(0, named=True)
    assert (b1["count"], b1["cohort_n"], b1["census_share"]) == (2, 2, 0.5)
    assert b1["rri_census"] == pytest.approx(2.0)
    assert set(report["area"].unique()) == {FORCE_WIDE, B1, B2}
    only = equality_report(cohort, suspects, c, AS_OF, borough=B2)
    assert set(only["area"].unique()) == {B2}


def test_breakdowns_by_age_sex_and_harm_band():
    cohort, suspects, c = small_case()
    report = equality_report(cohort, suspects, c, AS_OF).filter(pl.col("area") == FORCE_WIDE)

    def count(breakdown: str, stratum: str, group: str) -> int:
        return report.filter(pl.col("breakdown") == breakdown, pl.col("stratum") == stratum,
                             pl.col("group") == group)["count"][0]

    assert count("age_band", "10-17", "Black") == 1  # P3, 14
    assert count("age_band", "18-24", "Black") == 2
    assert count("sex", "F", "White") == 1
    assert count("harm_band", "Green", "Black") == 2
    assert count("harm_band", "Red", "Black") == 1
    # the harm band strata are compared with all suspects
    green = report.filter(pl.col("breakdown") == "harm_band", pl.col("stratum") == "Green",
                          pl.col("group") == "Black").row(0, named=True)
    assert green["suspects_n"] == 5
    # the sex strata with the suspects of that sex
    female = report.filter(pl.col("breakdown") == "sex", pl.col("stratum") == "F",
                           pl.col("group") == "White").row(0, named=True)
    assert female["suspects_n"] == 1


def test_trend_has_one_headline_per_date():
    cohort, suspects, c = small_case()
    later = date(2024, 9, 30)
    trend = equality_trend({later: (cohort, suspects), AS_OF: (cohort.head(2), suspects)}, c)
    assert trend["as_of"].unique().sort().to_list() == [AS_OF, later]
    assert set(trend["breakdown"].unique()) == {"all"}
    first = trend.filter(pl.col("as_of") == AS_OF, pl.col("group") == "Black")
    assert first["count"][0] == 2
