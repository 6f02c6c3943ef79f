"""Policy what-if (SPEC 5): the same data scored under the current and a proposed
policy, side by side. Who changes band or eligibility, how the cohort's size and make-up
shift, and the equality headline under each. Pure computation: no storage, no I/O.

Inputs are SCORES frames of `gvm.domain.batch.score_batch` (one per policy, the same
people) and, for the make-up, cohort frames as in gvm.reports.equality (DEMOGRAPHICS +
harm_band).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from gvm.reports.equality import (
    AGE_BANDS,
    GROUPS,
    equality_report,
    headline,
    prepare,
)

BANDS = ("Red", "Amber", "Green", "Zero")
_RANK = {"Zero": 0, "Green": 1, "Amber": 2, "Red": 3}
CHANGE_COLUMNS = ("person_id", "harm_band_current", "harm_band_proposed",
                  "victim_band_current", "victim_band_proposed", "eligible_current",
                  "eligible_proposed")


def side_by_side(current: pl.DataFrame, proposed: pl.DataFrame) -> pl.DataFrame:
    """One row per person: bands, scores and eligibility under each policy."""
    keep = ["person_id", "harm_score", "victim_score", "harm_band", "victim_band", "eligible"]
    return current.select(keep).join(proposed.select(keep), on="person_id", how="full",
                                     coalesce=True, suffix="_proposed").rename(
        {c: f"{c}_current" for c in keep[1:]})


def transitions(both: pl.DataFrame, score: str = "harm") -> pl.DataFrame:
    """Counts of people by (current band, proposed band) for `score` ("harm" or
    "victim"): all 16 pairs, zeros included, with `direction` up / down / same."""
    cur, new = f"{score}_band_current", f"{score}_band_proposed"
    got = both.group_by(cur, new).len()
    index = {(r[cur], r[new]): r["len"] for r in got.iter_rows(named=True)}
    rows = []
    for a in BANDS:
        for b in BANDS:
            direction = ("same" if a == b else "up" if _RANK[b] > _RANK[a] else "down")
            rows.append({"score": score, "current": a, "proposed": b,
                         "count": index.get((a, b), 0), "direction": direction})
    return pl.DataFrame(rows, schema={"score": pl.String, "current": pl.String,
                                      "proposed": pl.String, "count": pl.Int64,
                                      "direction": pl.String})


def transition_matrix(table: pl.DataFrame) -> pl.DataFrame:
    """A transitions table as a matrix: a row per current band, a column per proposed."""
    return (table.pivot(on="proposed", index="current", values="count")
            .select("current", *BANDS))


def eligibility_changes(both: pl.DataFrame) -> dict[str, int]:
    e0, e1 = pl.col("eligible_current"), pl.col("eligible_proposed")
    return {
        "stays_eligible": both.filter(e0 & e1).height,
        "becomes_eligible": both.filter(~e0 & e1).height,
        "no_longer_eligible": both.filter(e0 & ~e1).height,
        "never_eligible": both.filter(~e0 & ~e1).height,
    }


def changes(both: pl.DataFrame) -> pl.DataFrame:
    """The people whose harm band, victim band or eligibility differs (CHANGE_COLUMNS),
    sorted by person_id. Personal data: whoever writes it must protect and log it."""
    differs = ((pl.col("harm_band_current") != pl.col("harm_band_proposed"))
               | (pl.col("victim_band_current") != pl.col("victim_band_proposed"))
               | (pl.col("eligible_current") != pl.col("eligible_proposed")))
    return both.filter(differs).select(CHANGE_COLUMNS).sort("person_id")


def makeup(cohort: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Counts and shares of the cohort by ethnic group, age band, sex and borough."""
    frame = prepare(cohort, as_of)
    rows = []
    for breakdown, column, known in (("ethnic_group", "group", GROUPS),
                                     ("age_band", "age_band", AGE_BANDS),
                                     ("sex", "sex", ("M", "F", "X")),
                                     ("borough", "borough_code", ())):
        got = frame.group_by(column).len()
        counts = {r[column]: r["len"] for r in got.iter_rows(named=True)}
        for category in [*known, *sorted(set(counts) - set(known), key=str)]:
            n = counts.get(category, 0)
            rows.append({"breakdown": breakdown, "category": str(category), "count": n,
                         "share": n / frame.height if frame.height else None})
    return pl.DataFrame(rows, schema={"breakdown": pl.String, "category": pl.String,
                                      "count": pl.Int64, "share": pl.Float64})


def makeup_shift(current: pl.DataFrame, proposed: pl.DataFrame, as_of: date
                 ) -> pl.DataFrame:
    """makeup() under each policy side by side, with the change in share
    (percentage points)."""
    a = makeup(current, as_of).rename({"count": "count_current", "share": "share_current"})
    b = makeup(proposed, as_of).rename({"count": "count_proposed",
                                        "share": "share_proposed"})
    return (a.join(b, on=["breakdown", "category"], how="full", coalesce=True,
                   maintain_order="left")
            .with_columns(pl.col("count_current", "count_proposed").fill_null(0))
            .with_columns(((pl.col("share_proposed").fill_null(0)
                            - pl.col("share_current").fill_null(0)) * 100)
                          .alias("share_change_pp")))


_HEADLINE = ("group", "count", "cohort_share", "rri_census", "rri_census_low",
             "rri_census_high", "rri_suspects", "rri_suspects_low", "rri_suspects_high")


def equality_side_by_side(current: tuple[pl.DataFrame, pl.DataFrame],
                          proposed: tuple[pl.DataFrame, pl.DataFrame],
                          census: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The force-wide equality headline (RRI vs census and vs suspects, per group) for
    (cohort, suspects) under each policy, one row per group."""
    def top(pair: tuple[pl.DataFrame, pl.DataFrame], suffix: str) -> pl.DataFrame:
        report = equality_report(pair[0], pair[1], census, as_of, by_borough=False)
        return headline(report).select(_HEADLINE).rename(
            {c: f"{c}_{suffix}" for c in _HEADLINE[1:]})
    return top(current, "current").join(top(proposed, "proposed"), on="group",
                                        maintain_order="left")


@dataclass(frozen=True, slots=True)
class WhatIf:
    as_of: date
    harm: pl.DataFrame  # transitions(both, "harm")
    victim: pl.DataFrame
    eligibility: dict[str, int]
    changed: pl.DataFrame  # personal data
    cohort_current: int
    cohort_proposed: int
    makeup: pl.DataFrame
    equality: pl.DataFrame

    def moved(self, score: str = "harm", direction: str = "down") -> int:
        table = self.harm if score == "harm" else self.victim
        return int(table.filter(pl.col("direction") == direction)["count"].sum())


def what_if(current: pl.DataFrame, proposed: pl.DataFrame, *, scope: pl.DataFrame,
            cohorts: tuple[pl.DataFrame, pl.DataFrame],
            suspects: tuple[pl.DataFrame, pl.DataFrame], census: pl.DataFrame,
            as_of: date) -> WhatIf:
    """The whole comparison. `scope` (person_id) limits the transitions and the list of
    changes (the cohort under either policy); `cohorts` and `suspects` are each policy's
    cohort (DEMOGRAPHICS + harm_band) and suspects of in-scope violence."""
    both = side_by_side(current, proposed).join(scope.select("person_id"), on="person_id",
                                                how="semi")
    return WhatIf(
        as_of=as_of,
        harm=transitions(both, "harm"),
        victim=transitions(both, "victim"),
        eligibility=eligibility_changes(both),
        changed=changes(both),
        cohort_current=cohorts[0].height,
        cohort_proposed=cohorts[1].height,
        makeup=makeup_shift(cohorts[0], cohorts[1], as_of),
        equality=equality_side_by_side((cohorts[0], suspects[0]), (cohorts[1], suspects[1]),
                                       census, as_of),
    )


def what_if_of(inputs: Any, census: pl.DataFrame) -> WhatIf:
    """what_if() of what gvm.services.whatif reads (its WhatIfInputs)."""
    return what_if(inputs.current, inputs.proposed, scope=inputs.scope, cohorts=inputs.cohorts,
                   suspects=inputs.suspects, census=census, as_of=inputs.as_of)
