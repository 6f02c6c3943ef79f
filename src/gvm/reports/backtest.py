"""The backtest ("does the score work?"): score everyone held at a past date, then see who
was involved in in-scope violence afterwards. Method in docs/BACKTEST.md.

Pure computation on Polars / NumPy: no storage, no I/O.

- Discrimination: ROC AUC of a score for the outcome, by the Mann-Whitney rank formula
  (mid-ranks for ties), with DeLong's 95% interval (the variance of the AUC from its
  structural components), clipped to [0, 1].
- Calibration: per harm band, the observed rate of the outcome with a Wilson 95%
  interval; overall and per ethnic group, age band and sex; among everyone scored and
  among the cohort (eligible or on the register) at the date.
- Coverage: of the people involved in future violence, how many were in the cohort at
  the date, known but outside it, or not known at all.

Input frame (`outcomes`): one row per person held, with person_id, ethnicity (null: not
stated), sex, date_of_birth, harm_score, victim_score, harm_band, in_cohort (bool),
known (bool: any record on or before as_of), outcome (bool: involved, as suspect or
victim, in in-scope violence within the horizon) and outcome_suspect (the same, as
suspect only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from gvm.reports.equality import AGE_BANDS, GROUPS, HARM_BANDS, Z95, prepare

SCORES = {"harm": "harm_score", "harm+victim": "harm_plus_victim"}
# involved: as suspect or victim (the primary outcome); suspect: as suspect only.
OUTCOMES = {"involved": "outcome", "suspect": "outcome_suspect"}
POPULATIONS = ("scored", "cohort")  # everyone known at as_of / the cohort at as_of
ALL = "all"


# ---------------------------------------------------------------------------- the maths

def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of x, ties sharing the mean of their ranks."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    n = len(x)
    # boundaries of runs of equal values
    starts = np.flatnonzero(np.concatenate([[True], xs[1:] != xs[:-1]]))
    ends = np.concatenate([starts[1:], [n]])
    mean_rank = (starts + ends + 1) / 2.0  # mean of ranks starts+1 .. ends
    ranks_sorted = np.repeat(mean_rank, ends - starts)
    out = np.empty(n, dtype=float)
    out[order] = ranks_sorted
    return out


def auc(scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray
        ) -> float | None:
    """ROC AUC: P(score of a positive > score of a negative) + 0.5 P(tie), by the
    Mann-Whitney formula (R_pos - m(m+1)/2) / (m n). None without both classes."""
    x = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    m, n = int(y.sum()), int((~y).sum())
    if m == 0 or n == 0:
        return None
    r = _midranks(x)
    return float((r[y].sum() - m * (m + 1) / 2) / (m * n))


def auc_delong(scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray
               ) -> tuple[float | None, float | None, float | None, float | None]:
    """(AUC, low, high, SE): DeLong's variance, V10 and V01 from mid-ranks (Sun & Xu
    2014), interval AUC +- 1.96 SE clipped to [0, 1]. SE needs two of each class."""
    x = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    m, n = int(y.sum()), int((~y).sum())
    a = auc(x, y)
    if a is None or m < 2 or n < 2:
        return a, None, None, None
    pos, neg = x[y], x[~y]
    r_all = _midranks(x)
    v10 = (r_all[y] - _midranks(pos)) / n  # per positive: share of negatives below
    v01 = 1.0 - (r_all[~y] - _midranks(neg)) / m  # per negative: share of positives above
    se = math.sqrt(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
    return a, max(0.0, a - Z95 * se), min(1.0, a + Z95 * se), se


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None, float | None]:
    """(rate, low, high): the Wilson score interval of k events in n."""
    if n <= 0:
        return None, None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


# ------------------------------------------------------------------------ the tables

def prepare_outcomes(outcomes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Add group, age_band and harm_plus_victim."""
    return prepare(outcomes, as_of).with_columns(
        (pl.col("harm_score") + pl.col("victim_score")).alias("harm_plus_victim"))


def _strata(frame: pl.DataFrame) -> list[tuple[str, str, pl.DataFrame]]:
    out = [(ALL, ALL, frame)]
    for breakdown, column, known in (("group", "group", GROUPS), ("age_band", "age_band",
                                     AGE_BANDS), ("sex", "sex", ("M", "F", "X"))):
        present = set(frame[column].drop_nulls().to_list())
        for stratum in [*known, *sorted(present - set(known))]:
            out.append((breakdown, stratum, frame.filter(pl.col(column) == stratum)))
    return out


def _populations(frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    scored = frame.filter(pl.col("known"))
    return [("scored", scored), ("cohort", scored.filter(pl.col("in_cohort")))]


DISCRIMINATION_SCHEMA = {
    "outcome": pl.String, "population": pl.String, "breakdown": pl.String,
    "stratum": pl.String, "score": pl.String, "n": pl.Int64, "events": pl.Int64, "auc": pl.Float64,
    "auc_low": pl.Float64, "auc_high": pl.Float64, "auc_se": pl.Float64,
}


def discrimination(frame: pl.DataFrame) -> pl.DataFrame:
    """AUC with DeLong 95% CI, per population, breakdown, stratum and score."""
    rows = []
    for outcome, target in OUTCOMES.items():
        for population, part in _populations(frame):
            for breakdown, stratum, sub in _strata(part):
                y = sub[target].to_numpy()
                for name, column in SCORES.items():
                    a, lo, hi, se = auc_delong(sub[column].to_numpy(), y)
                    rows.append({"outcome": outcome, "population": population,
                                 "breakdown": breakdown, "stratum": stratum, "score": name,
                                 "n": sub.height, "events": int(y.sum()), "auc": a,
                                 "auc_low": lo, "auc_high": hi, "auc_se": se})
    return pl.DataFrame(rows, schema=DISCRIMINATION_SCHEMA)


CALIBRATION_SCHEMA = {
    "outcome": pl.String, "population": pl.String, "breakdown": pl.String,
    "stratum": pl.String, "harm_band": pl.String, "n": pl.Int64, "events": pl.Int64,
    "rate": pl.Float64, "rate_low": pl.Float64, "rate_high": pl.Float64,
}


def calibration_rows(population: str, breakdown: str, stratum: str,
                     frame: pl.DataFrame, outcome: str = "involved") -> list[dict]:
    """Per harm band (and ALL bands): people, events, observed rate, Wilson 95% CI."""
    target = OUTCOMES[outcome]
    got = frame.group_by("harm_band").agg(pl.len().alias("n"),
                                          pl.col(target).sum().alias("events"))
    index = {r["harm_band"]: (r["n"], r["events"]) for r in got.iter_rows(named=True)}
    index[ALL] = (frame.height, int(frame[target].sum()))
    rows = []
    for band in (*HARM_BANDS, ALL):
        n, k = index.get(band, (0, 0))
        rate, lo, hi = wilson(int(k), int(n))
        rows.append({"outcome": outcome, "population": population, "breakdown": breakdown,
                     "stratum": stratum, "harm_band": band, "n": n, "events": k, "rate": rate,
                     "rate_low": lo, "rate_high": hi})
    return rows


def calibration(frame: pl.DataFrame) -> pl.DataFrame:
    """Observed future-violence rate per harm band, per population, breakdown, stratum."""
    rows = []
    for outcome in OUTCOMES:
        for population, part in _populations(frame):
            for breakdown, stratum, sub in _strata(part):
                rows += calibration_rows(population, breakdown, stratum, sub, outcome)
    return pl.DataFrame(rows, schema=CALIBRATION_SCHEMA)


def coverage(frame: pl.DataFrame) -> dict[str, int | float | None]:
    """Of the people involved in future violence: in the cohort at as_of, known but not
    in it, not known at all; and the share not in the cohort."""
    involved = frame.filter(pl.col("outcome"))
    total = involved.height
    in_cohort = involved.filter(pl.col("in_cohort") & pl.col("known")).height
    unknown = involved.filter(~pl.col("known")).height
    outside = total - in_cohort
    return {"involved": total, "in_cohort": in_cohort, "known_not_in_cohort":
            outside - unknown, "not_known": unknown,
            "share_not_in_cohort": outside / total if total else None}


def roc_points(scores: Sequence[float] | np.ndarray, labels: Sequence[bool] | np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) at each distinct score taken as the
    cut-off, from the highest down, starting at (0, 0) and ending at (1, 1). Ties move
    both rates at once (a diagonal step), so the area under the points is the AUC."""
    x = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    m, n = int(y.sum()), int((~y).sum())
    if m == 0 or n == 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0])
    order = np.argsort(-x, kind="mergesort")
    xs, ys = x[order], y[order]
    last = np.flatnonzero(np.concatenate([xs[1:] != xs[:-1], [True]]))  # end of each tie
    tp, fp = np.cumsum(ys)[last], np.cumsum(~ys)[last]
    return np.concatenate([[0.0], fp / n]), np.concatenate([[0.0], tp / m])


def roc(frame: pl.DataFrame) -> pl.DataFrame:
    """The ROC points of each score for the primary outcome among everyone scored."""
    scored = frame.filter(pl.col("known"))
    parts = []
    for name, column in SCORES.items():
        fpr, tpr = roc_points(scored[column].to_numpy(), scored[OUTCOMES["involved"]].to_numpy())
        parts.append(pl.DataFrame({"score": [name] * len(fpr), "fpr": fpr, "tpr": tpr}))
    return pl.concat(parts)


@dataclass(frozen=True, slots=True)
class Backtest:
    as_of: date
    horizon_months: int
    discrimination: pl.DataFrame
    calibration: pl.DataFrame
    coverage: dict
    roc: pl.DataFrame  # score, fpr, tpr: everyone scored, involvement as suspect or victim

    def headline(self, population: str = "scored", score: str = "harm",
                 outcome: str = "involved") -> dict:
        """The force-wide AUC row of one outcome, population and score."""
        return self.discrimination.filter(
            pl.col("outcome") == outcome, pl.col("population") == population,
            pl.col("breakdown") == ALL, pl.col("score") == score).row(0, named=True)


def backtest(outcomes: pl.DataFrame, as_of: date, horizon_months: int) -> Backtest:
    """All of the backtest's tables for one outcomes frame (see the module docstring)."""
    frame = prepare_outcomes(outcomes, as_of)
    return Backtest(as_of, horizon_months, discrimination(frame), calibration(frame),
                    coverage(frame), roc(frame))
