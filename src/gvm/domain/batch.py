"""Scores for a whole population at once (SPEC 3.2-3.4), as one lazy Polars query.

The rules are exactly those of the one-person path (`gvm.domain.scoring.score_person`
and `gvm.domain.threshold.assess_eligibility`); property tests hold the two to the same
answers, person by person, to the last bit. The batch engine computes the numbers only:
a person's explanation comes from the one-person path.

How it stays fast on tens of millions of rows:
- `as_of` is one date, so each window's cut-off is computed once, in Python, with the
  same calendar arithmetic as the one-person path (`dates.minus_months`);
- cheap tests (dates, roles, outcomes, grades, categories: integer and short-string
  comparisons) run first and drop every row that cannot count: after `as_of`, outside
  its window, a witness, an outcome with factor 0, ungraded intelligence;
- offence weights come from a small code -> weight table built once from the catalogue
  and the policy, joined only to the rows that are left (the join drops out-of-scope
  codes at the same time);
- the per-category intelligence cap needs no sorting: every counted item of a category
  carries the same points, so the capped contribution is `min(count, cap) x points`;
- "at least two distinct sources" is `min(source_id) != max(source_id)`, so no
  per-person set of sources is built;
- offences, intelligence and custody are each summed per person by their own group-by
  (each input keeps whatever order it came in, which the hash tables like), joined to
  the people, and sorted once; the whole thing is one plan, collected once.

All arithmetic is in the integer units of `gvm.domain.policy` (a score x SCORE_SCALE),
so the totals are exact; the float scores are `units / SCORE_SCALE` correctly rounded,
bit for bit what ScoreResult.harm_score gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

import polars as pl

from gvm.domain.dates import minus_months
from gvm.domain.frames import CUSTODY, INTELLIGENCE, OFFENCES, PEOPLE, SCORES
from gvm.domain.model import IntelCategory, Role, SourceType
from gvm.domain.policy import MIN_CORROBORATING_SOURCES, SCORE_SCALE, UNIT, Policy

Frame = pl.DataFrame | pl.LazyFrame

_WEAPON = IntelCategory.WEAPON_ACCESS
_VIOLENCE = IntelCategory.VIOLENCE_INVOLVEMENT
_AT_RISK = IntelCategory.AT_RISK
_MEMBERSHIP = IntelCategory.GANG_MEMBERSHIP


def code_weight_units(policy: Policy, catalogue: Mapping[str, str]) -> dict[str, int]:
    """Home Office code -> CCHI weight x UNIT, for every code that weighs anything.

    The catalogue's codes and the codes the policy maps by themselves, each weighed by
    `Policy.weight_units`; a code absent here (unknown or out of scope) weighs 0.
    """
    codes = sorted(set(catalogue) | set(policy.code_subgroups))
    weights = {code: policy.weight_units(code, catalogue.get(code)) for code in codes}
    return {code: units for code, units in weights.items() if units > 0}


def _columns(frame: Frame, schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    """Only the columns the engine reads, in the types of `gvm.domain.frames`."""
    return frame.lazy().select(pl.col(name).cast(dtype) for name, dtype in schema.items())


def _one_of(column: str, values: Iterable[str]) -> pl.Expr:
    """`column` equals one of a few short strings (cheaper than `is_in` for 2 or 3)."""
    test = pl.lit(False)
    for value in sorted(values):
        test = test | (pl.col(column) == value)
    return test


def _offence_units(offences: Frame, as_of: date, policy: Policy,
                   catalogue: Mapping[str, str]) -> pl.LazyFrame:
    """Per person with any: offence_harm_units, offence_victim_units.

    Suspects within the offender window score weight x outcome factor; victims within
    the victimisation window score the weight whatever the outcome; witnesses never.
    """
    w = policy.windows
    offender_cut = minus_months(as_of, w.offender_offences)
    victim_cut = minus_months(as_of, w.victimisation)
    weights = code_weight_units(policy, catalogue)
    factors = {o.value: u for o, u in policy.outcome_factor_units.items() if u > 0}

    day = pl.col("date")
    suspect = pl.col("role") == Role.SUSPECT.value
    victim = pl.col("role") == Role.VICTIM.value
    outcome_factor = pl.lit(0, dtype=pl.Int64)
    for outcome, units in sorted(factors.items()):
        outcome_factor = (pl.when(pl.col("outcome") == outcome)
                          .then(pl.lit(units, dtype=pl.Int64)).otherwise(outcome_factor))
    factor = pl.when(victim).then(pl.lit(UNIT, dtype=pl.Int64)).otherwise(outcome_factor)
    units = pl.col("weight_units") * factor
    weight_table = pl.LazyFrame(
        {"ho_offence_code": list(weights), "weight_units": list(weights.values())},
        schema={"ho_offence_code": pl.String, "weight_units": pl.Int64},
    )
    return (
        _columns(offences, OFFENCES)
        .filter(
            day <= as_of,
            (suspect & (day > offender_cut) & _one_of("outcome", factors))
            | (victim & (day > victim_cut)),
        )
        .join(weight_table, on="ho_offence_code", how="inner")
        .select(
            "person_id",
            pl.when(victim).then(0).otherwise(units).alias("offence_harm_units"),
            pl.when(victim).then(units).otherwise(0).alias("offence_victim_units"),
        )
        .group_by("person_id")
        .agg(pl.col("offence_harm_units").sum(), pl.col("offence_victim_units").sum())
    )


def _intelligence_counts(intelligence: Frame, as_of: date, policy: Policy) -> pl.LazyFrame:
    """Per person with any graded item in its window: the count in each scored
    category, and whether membership is corroborated (SPEC 3.3)."""
    w = policy.windows
    weapon_violence_cut = minus_months(as_of, w.weapon_violence_intelligence)
    at_risk_cut = minus_months(as_of, w.at_risk_intelligence)
    membership_cut = minus_months(as_of, w.gang_membership)

    day = pl.col("date")

    def category(c: IntelCategory) -> pl.Expr:
        return pl.col("category") == c.value

    in_window = (
        ((category(_WEAPON) | category(_VIOLENCE)) & (day > weapon_violence_cut))
        | (category(_AT_RISK) & (day > at_risk_cut))
        | (category(_MEMBERSHIP) & (day > membership_cut))
    )
    graded = (_one_of("source_grade", (g.value for g in policy.source_grades))
              & _one_of("intel_grade", (g.value for g in policy.intel_grades)))
    source = pl.col("membership_source")
    return (
        _columns(intelligence, INTELLIGENCE)
        .filter(day <= as_of, in_window, graded)
        .select(
            "person_id",
            category(_WEAPON).cast(pl.UInt32).alias("n_weapon"),
            category(_VIOLENCE).cast(pl.UInt32).alias("n_violence"),
            category(_AT_RISK).cast(pl.UInt32).alias("n_at_risk"),
            pl.when(category(_MEMBERSHIP)).then(pl.col("source_id")).alias("membership_source"),
            # A missing source type is not social media, as in the one-person path.
            (category(_MEMBERSHIP)
             & pl.col("source_type").ne_missing(SourceType.SOCIAL_MEDIA.value))
            .alias("membership_not_social"),
        )
        .group_by("person_id")
        .agg(
            pl.col("n_weapon").sum(),
            pl.col("n_violence").sum(),
            pl.col("n_at_risk").sum(),
            # Two or more distinct sources <=> the smallest and the largest differ.
            # (MIN_CORROBORATING_SOURCES is 2, fixed by R-THRESHOLD.)
            (source.min() != source.max()).alias("corroborated"),
            pl.col("membership_not_social").any(),
        )
    )


def _in_custody(custody: Frame, as_of: date) -> pl.LazyFrame:
    """Everyone with a custody period covering as_of (SPEC 3.4)."""
    end = pl.col("end_date")
    return (
        _columns(custody, CUSTODY)
        .filter(pl.col("start_date") <= as_of, end.is_null() | (end >= as_of))
        .select("person_id", pl.lit(True).alias("in_custody"))
        .unique("person_id")
    )


# SCORE_SCALE is a power of ten: a score is its units with this many decimal places.
_SCALE_DIGITS = len(str(SCORE_SCALE)) - 1
if 10**_SCALE_DIGITS != SCORE_SCALE:  # pragma: no cover - a change to policy.UNIT
    raise ImportError("the batch engine needs SCORE_SCALE to be a power of ten")


def _score(units: pl.Expr) -> pl.Expr:
    """`units / SCORE_SCALE` as the correctly rounded float, as Python's `/` gives it.

    Polars divides by a constant by multiplying by its reciprocal, which is one bit off
    for about one value in seven; the one-person path and the batch engine must agree to
    the last bit. A Decimal whose digits are the units and whose scale is SCORE_SCALE's
    converts to float by one exact division (exact for any score below 9e7 days).
    """
    per_unit = pl.lit(Decimal(1).scaleb(-_SCALE_DIGITS), dtype=pl.Decimal(38, _SCALE_DIGITS))
    return (units.cast(pl.Decimal(38, 0)) * per_unit).cast(pl.Float64)


def _band(units: pl.Expr, policy: Policy) -> pl.Expr:
    """The same thresholds as `Policy.band`."""
    return (
        pl.when(units == 0).then(pl.lit("Zero"))
        .when(units < policy.amber_from_units).then(pl.lit("Green"))
        .when(units < policy.red_from_units).then(pl.lit("Amber"))
        .otherwise(pl.lit("Red"))
    )


def score_batch_lazy(
    people: Frame,
    offences: Frame,
    intelligence: Frame,
    custody: Frame,
    as_of: date,
    policy: Policy,
    catalogue: Mapping[str, str],
) -> pl.LazyFrame:
    """The plan of `score_batch`, uncollected (to join into a larger query)."""
    if MIN_CORROBORATING_SOURCES != 2:  # pragma: no cover - fixed by R-THRESHOLD
        raise NotImplementedError("the batch engine counts distinct sources as min != max")
    cap = pl.lit(policy.max_items_per_category, dtype=pl.Int64)
    points = policy.intel_point_units

    def capped(count: str, category: IntelCategory) -> pl.Expr:
        n = pl.col(count).fill_null(0).cast(pl.Int64)
        return pl.min_horizontal(n, cap) * points.get(category, 0)

    harm_units = (pl.col("offence_harm_units").fill_null(0)
                  + capped("n_weapon", _WEAPON) + capped("n_violence", _VIOLENCE))
    victim_units = pl.col("offence_victim_units").fill_null(0) + capped("n_at_risk", _AT_RISK)
    eligible = pl.col("corroborated") & pl.col("membership_not_social")
    harm, victim = pl.col("harm_units"), pl.col("victim_units")
    return (
        _columns(people, PEOPLE)
        .join(_offence_units(offences, as_of, policy, catalogue), on="person_id", how="left")
        .join(_intelligence_counts(intelligence, as_of, policy), on="person_id", how="left")
        .join(_in_custody(custody, as_of), on="person_id", how="left")
        .select(
            "person_id",
            harm_units.alias("harm_units"),
            victim_units.alias("victim_units"),
            eligible.fill_null(False).alias("eligible"),
            pl.col("in_custody").fill_null(False),
        )
        .select(
            "person_id",
            "harm_units",
            "victim_units",
            _score(harm).alias("harm_score"),
            _score(victim).alias("victim_score"),
            _band(harm, policy).alias("harm_band"),
            _band(victim, policy).alias("victim_band"),
            "eligible",
            "in_custody",
        )
        .sort("person_id")
        .cast(SCORES)
    )


def score_batch(
    people: Frame,
    offences: Frame,
    intelligence: Frame,
    custody: Frame,
    as_of: date,
    policy: Policy,
    catalogue: Mapping[str, str],
) -> pl.DataFrame:
    """Both scores, bands, eligibility and custody for everyone in `people` on `as_of`.

    Frames (eager or lazy) have the columns of `gvm.domain.frames`; extra columns are
    ignored. `people` holds each person_id once (it is the register's key). The result
    has exactly the SCORES layout: one row per person, sorted by person_id. People with
    no records score 0 (Zero), are not eligible and not in custody; records of people
    not in `people` are ignored.
    """
    return score_batch_lazy(people, offences, intelligence, custody, as_of, policy,
                            catalogue).collect()


def window_starts(as_of: date, policy: Policy) -> tuple[date, dict[str, date]]:
    """The dates on or before which no record can count on `as_of` (SPEC 3.1: "within
    N months" excludes the cut-off day): one for offences (the longer of the offender
    and victimisation windows), one per intelligence category. A reader may leave out
    the rows dated on or before them; the scores are the same."""
    w = policy.windows
    offences_cut = min(minus_months(as_of, w.offender_offences),
                       minus_months(as_of, w.victimisation))
    weapon_violence = minus_months(as_of, w.weapon_violence_intelligence)
    return offences_cut, {
        _WEAPON.value: weapon_violence, _VIOLENCE.value: weapon_violence,
        _AT_RISK.value: minus_months(as_of, w.at_risk_intelligence),
        _MEMBERSHIP.value: minus_months(as_of, w.gang_membership)}
