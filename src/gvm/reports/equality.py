"""Equality monitoring (R-EQUALITY, SPEC 5): the cohort's make-up by ethnic group against
the Census 2021 population and against the people recorded as suspects of in-scope
violence, as relative rate indices (RRI) with 95% confidence intervals.

Pure computation on Polars frames: no storage, no I/O. The method is in
docs/EQUALITY.md; in short, for a group with `a` of the `n1` people in the cohort:

- RRI vs census = (a/n1) / p, p the census share (treated as known: the census counts
  millions, so the interval comes from the cohort's binomial only):
  ln RRI +- 1.96 sqrt(1/a - 1/n1);
- RRI vs suspects = (a/n1) / (b/n2), `b` of the `n2` suspects (Katz log interval for a
  ratio of two independent proportions): ln RRI +- 1.96 sqrt(1/a - 1/n1 + 1/b - 1/n2).

For the five stated groups both RRIs are computed over people whose ethnicity is stated
(the census has no "not stated"); the "not stated" row shows its shares of everyone and
its RRI vs suspects over everyone. No cell is suppressed here (an internal report);
cells with fewer than 5 people are marked `small_cell`.

Input frames:
- cohort: person_id, borough_code, ethnicity (null: not stated), sex, date_of_birth,
  harm_band;
- suspects: person_id, borough_code, ethnicity, sex, date_of_birth (each person once);
- census: `census_frame(rows)`: borough_code, population, group, share (0..1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import polars as pl

STATED_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
NOT_STATED = "Not stated"
GROUPS = (*STATED_GROUPS, NOT_STATED)
AGE_BANDS = ("10-17", "18-24", "25+")
UNDER_10 = "under 10"
HARM_BANDS = ("Red", "Amber", "Green", "Zero")
FORCE_WIDE = "London"  # the `area` of force-wide rows
SMALL_CELL = 5  # counts below this are marked (never suppressed here)
Z95 = 1.959963984540054

_CENSUS_COLUMNS = {"Asian": "ethnicity_asian_perc", "Black": "ethnicity_black_perc",
                   "Mixed": "ethnicity_mixed_perc", "White": "ethnicity_white_perc",
                   "Other": "ethnicity_other_perc_derived"}

COLUMNS = (
    "as_of", "area", "breakdown", "stratum", "group", "count", "cohort_n", "cohort_share",
    "census_share", "suspects_count", "suspects_n", "suspect_share", "rri_census",
    "rri_census_low", "rri_census_high", "rri_suspects", "rri_suspects_low",
    "rri_suspects_high", "small_cell",
)


# ---------------------------------------------------------------------------- the maths

def rri_vs_known(a: int, n1: int, p: float | None
                 ) -> tuple[float | None, float | None, float | None]:
    """(RRI, low, high) of a/n1 against a known share p (census). The interval is the
    log-scale binomial one, SE = sqrt(1/a - 1/n1); None where undefined (a or n1 = 0,
    or no reference share). With a = 0 the RRI is 0 and the interval undefined."""
    if n1 <= 0 or p is None or p <= 0:
        return None, None, None
    rri = (a / n1) / p
    if a == 0:
        return rri, None, None
    se = math.sqrt(max(1 / a - 1 / n1, 0.0))
    return rri, rri * math.exp(-Z95 * se), rri * math.exp(Z95 * se)


def rri_katz(a: int, n1: int, b: int, n2: int
             ) -> tuple[float | None, float | None, float | None]:
    """(RRI, low, high) of a/n1 against b/n2, the Katz log interval:
    SE = sqrt(1/a - 1/n1 + 1/b - 1/n2). None where undefined (b = 0 gives no ratio;
    a = 0 a ratio of 0 with no interval)."""
    if n1 <= 0 or n2 <= 0 or b <= 0:
        return None, None, None
    rri = (a / n1) / (b / n2)
    if a == 0:
        return rri, None, None
    se = math.sqrt(max(1 / a - 1 / n1 + 1 / b - 1 / n2, 0.0))
    return rri, rri * math.exp(-Z95 * se), rri * math.exp(Z95 * se)


# ------------------------------------------------------------------------ the inputs

def census_frame(rows: Iterable[Mapping[str, str]]) -> pl.DataFrame:
    """Census 2021 rows (gvm.reference.census_rows()) as borough_code, population, group,
    share: one row per borough and stated group."""
    out = [{"borough_code": r["code"], "population": int(r["population_total"]),
            "group": g, "share": float(r[c]) / 100} for r in rows
           for g, c in _CENSUS_COLUMNS.items()]
    return pl.DataFrame(out, schema={"borough_code": pl.String, "population": pl.Int64,
                                     "group": pl.String, "share": pl.Float64})


def census_shares(census: pl.DataFrame, borough: str | None) -> dict[str, float]:
    """Each stated group's share of one borough, or of London (None): the boroughs'
    shares weighted by their population."""
    if borough is not None:
        part = census.filter(pl.col("borough_code") == borough)
        return dict(zip(part["group"].to_list(), part["share"].to_list(), strict=True))
    weighted = (census.group_by("group")
                .agg((pl.col("share") * pl.col("population")).sum()
                     / pl.col("population").sum()))
    return dict(zip(weighted["group"].to_list(), weighted["share"].to_list(), strict=True))


def age_on(as_of: date) -> pl.Expr:
    """Age in whole years on `as_of` (a birthday on as_of counts; 29 February birthdays
    come of age on 1 March in other years)."""
    dob = pl.col("date_of_birth")
    before_birthday = (pl.lit(as_of.month * 100 + as_of.day)
                       < dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32))
    return pl.lit(as_of.year) - dob.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)


def age_band(as_of: date) -> pl.Expr:
    age = age_on(as_of)
    return (pl.when(age < 10).then(pl.lit(UNDER_10))
            .when(age <= 17).then(pl.lit("10-17"))
            .when(age <= 24).then(pl.lit("18-24"))
            .otherwise(pl.lit("25+")))


def prepare(frame: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Add `group` (ethnicity, or "Not stated") and `age_band` on as_of."""
    return frame.with_columns(
        pl.col("ethnicity").fill_null(NOT_STATED).alias("group"),
        age_band(as_of).alias("age_band"),
    )


# ------------------------------------------------------------------------ the report

def _counts(frame: pl.DataFrame) -> dict[str, int]:
    got = frame.group_by("group").len()
    return dict(zip(got["group"].to_list(), got["len"].to_list(), strict=True))


def _rows(as_of: date, area: str, breakdown: str, stratum: str, cohort: pl.DataFrame,
          suspects: pl.DataFrame, census: Mapping[str, float]) -> list[dict]:
    c, s = _counts(cohort), _counts(suspects)
    n_all, m_all = cohort.height, suspects.height
    n_stated = n_all - c.get(NOT_STATED, 0)
    m_stated = m_all - s.get(NOT_STATED, 0)
    rows = []
    for group in GROUPS:
        a, b = c.get(group, 0), s.get(group, 0)
        if group == NOT_STATED:
            vs_census = (None, None, None)
            vs_suspects = rri_katz(a, n_all, b, m_all)
        else:
            vs_census = rri_vs_known(a, n_stated, census.get(group))
            vs_suspects = rri_katz(a, n_stated, b, m_stated)
        rows.append({
            "as_of": as_of, "area": area, "breakdown": breakdown, "stratum": stratum,
            "group": group, "count": a, "cohort_n": n_all,
            "cohort_share": a / n_all if n_all else None,
            "census_share": census.get(group),
            "suspects_count": b, "suspects_n": m_all,
            "suspect_share": b / m_all if m_all else None,
            "rri_census": vs_census[0], "rri_census_low": vs_census[1],
            "rri_census_high": vs_census[2],
            "rri_suspects": vs_suspects[0], "rri_suspects_low": vs_suspects[1],
            "rri_suspects_high": vs_suspects[2],
            "small_cell": a < SMALL_CELL or b < SMALL_CELL,
        })
    return rows


SCHEMA = {
    "as_of": pl.Date, "area": pl.String, "breakdown": pl.String, "stratum": pl.String,
    "group": pl.String, "count": pl.Int64, "cohort_n": pl.Int64, "cohort_share": pl.Float64,
    "census_share": pl.Float64, "suspects_count": pl.Int64, "suspects_n": pl.Int64,
    "suspect_share": pl.Float64, "rri_census": pl.Float64, "rri_census_low": pl.Float64,
    "rri_census_high": pl.Float64, "rri_suspects": pl.Float64,
    "rri_suspects_low": pl.Float64, "rri_suspects_high": pl.Float64, "small_cell": pl.Boolean,
}


def _area_rows(as_of: date, area: str, cohort: pl.DataFrame, suspects: pl.DataFrame,
               census: Mapping[str, float]) -> list[dict]:
    rows = _rows(as_of, area, "all", "all", cohort, suspects, census)
    # Age and sex: against the suspects of the same age band / sex. The census share is
    # the area's whole-population one (the extract has no ethnicity by age or sex).
    for breakdown, column, strata in (("age_band", "age_band", AGE_BANDS),
                                      ("sex", "sex", ("M", "F", "X"))):
        present = set(cohort[column].to_list()) | set(suspects[column].to_list())
        extra = sorted(present - set(strata) - {None})
        for stratum in (*strata, *extra):
            rows += _rows(as_of, area, breakdown, stratum,
                          cohort.filter(pl.col(column) == stratum),
                          suspects.filter(pl.col(column) == stratum), census)
    # Harm band: suspects are not banded, so each band is compared with all suspects.
    for band in HARM_BANDS:
        rows += _rows(as_of, area, "harm_band", band,
                      cohort.filter(pl.col("harm_band") == band), suspects, census)
    return rows


def equality_report(cohort: pl.DataFrame, suspects: pl.DataFrame, census: pl.DataFrame,
                    as_of: date, *, borough: str | None = None,
                    by_borough: bool = True) -> pl.DataFrame:
    """The report as one long frame (COLUMNS): for London (force-wide, unless `borough`
    is given) and each borough (if `by_borough`, or only `borough`), each breakdown
    ("all", "age_band", "sex", "harm_band") and stratum, one row per ethnic group."""
    cohort, suspects = prepare(cohort, as_of), prepare(suspects, as_of)
    rows: list[dict] = []
    if borough is None:
        rows += _area_rows(as_of, FORCE_WIDE, cohort, suspects, census_shares(census, None))
        areas = sorted(set(census["borough_code"].to_list())) if by_borough else []
    else:
        areas = [borough]
    for code in areas:
        rows += _area_rows(as_of, code, cohort.filter(pl.col("borough_code") == code),
                           suspects.filter(pl.col("borough_code") == code),
                           census_shares(census, code))
    return pl.DataFrame(rows, schema=SCHEMA)


def equality_trend(inputs: Mapping[date, tuple[pl.DataFrame, pl.DataFrame]],
                   census: pl.DataFrame, *, borough: str | None = None) -> pl.DataFrame:
    """The headline rows ("all" breakdown) of the report at each date (quarter ends),
    for London or one borough, oldest first."""
    parts = [equality_report(c, s, census, day, borough=borough, by_borough=False)
             .filter(pl.col("breakdown") == "all") for day, (c, s) in sorted(inputs.items())]
    return pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMA)


def equality_with_trend(inputs: Mapping[date, Any], census: pl.DataFrame, as_of: date, *,
                        borough: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The report on as_of and the trend over every date of `inputs` (each with
    `.cohort` and `.suspects`, as gvm.services.oversight_reports.report_inputs gives)."""
    now = inputs[as_of]
    report = equality_report(now.cohort, now.suspects, census, as_of, borough=borough)
    trend = equality_trend({d: (i.cohort, i.suspects) for d, i in inputs.items()}, census,
                           borough=borough)
    return report, trend


def headline(report: pl.DataFrame, area: str = FORCE_WIDE) -> pl.DataFrame:
    """One area's "all" rows: the table the CLI prints."""
    return report.filter(pl.col("area") == area, pl.col("breakdown") == "all")


def disproportion_by_band(report: pl.DataFrame, area: str = FORCE_WIDE) -> pl.DataFrame:
    """RRI vs census per harm band and group for one area (wide: a column per band), to
    see whether Green and Zero are more disproportionate than Red."""
    return (report.filter(pl.col("area") == area, pl.col("breakdown") == "harm_band")
            .pivot(on="stratum", index="group", values="rri_census"))
