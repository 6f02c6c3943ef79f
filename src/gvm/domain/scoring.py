"""Harm (offender) and victim (risk) scores for one person, with their explanation
(SPEC 3.2-3.4). The batch engine (`gvm.domain.batch`) applies the same rules to
everyone at once; property tests hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from gvm.domain.dates import window_start
from gvm.domain.model import (
    IntelCategory,
    Intelligence,
    Offence,
    Outcome,
    PersonRecords,
    Role,
)
from gvm.domain.policy import SCORE_SCALE, UNIT, Policy
from gvm.domain.threshold import Eligibility, assess_eligibility

# Why an item did or did not count. Stable strings: reports and tests read them.
COUNTED = "counted"
AFTER_AS_OF = "dated after as_of"
OUTSIDE_WINDOW = "outside window"
OUT_OF_SCOPE = "offence out of scope (weight 0)"
UNGRADED = "ungraded (source or intelligence grade too low)"
OVER_CAP = "over the cap"
OUTCOME_ZERO = {
    Outcome.ACQUITTED: "acquitted",
    Outcome.NO_FURTHER_ACTION: "no further action",
}

# The catalogue of Home Office codes: code -> class (parent_label).
OffenceCatalogue = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ExplanationItem:
    """One event or intelligence item and what it did to a score."""

    kind: str  # "offence" or "intelligence"
    ref: str  # event_id or intel_id
    date: date
    detail: str  # offence code and subgroup, or intelligence category and grades
    weight: float | None  # CCHI days (offences)
    factor: float | None  # outcome factor (suspect offences)
    points_units: int  # what it added, in 1e-8 days
    reason: str

    @property
    def counted(self) -> bool:
        return self.reason == COUNTED

    @property
    def points(self) -> float:
        return self.points_units / SCORE_SCALE


@dataclass(frozen=True, slots=True)
class ScoreResult:
    person_id: str
    as_of: date
    harm_units: int
    victim_units: int
    harm_band: str
    victim_band: str
    eligibility: Eligibility
    in_custody: bool
    policy_version: str
    policy_hash: str
    harm_items: tuple[ExplanationItem, ...]
    victim_items: tuple[ExplanationItem, ...]

    @property
    def harm_score(self) -> float:
        return self.harm_units / SCORE_SCALE

    @property
    def victim_score(self) -> float:
        return self.victim_units / SCORE_SCALE

    @property
    def eligible(self) -> bool:
        return self.eligibility.eligible


def _offence_item(
    offence: Offence, as_of: date, start: date, policy: Policy, catalogue: OffenceCatalogue,
    *, scored_outcome: bool,
) -> ExplanationItem:
    """`start`: the window's last day outside it (dates.window_start)."""
    subgroup = policy.subgroup_for(offence.ho_offence_code, catalogue.get(offence.ho_offence_code))
    weight_u = 0 if subgroup is None else policy.subgroup_weight_units[subgroup]
    factor_u = UNIT
    if scored_outcome:
        # A suspect's row without an outcome cannot pass import; treat it as unscored.
        factor_u = policy.outcome_factor_units.get(offence.outcome, 0) if offence.outcome else 0
    detail = f"{offence.ho_offence_code} {subgroup or 'out of scope'}"
    if offence.date > as_of:
        reason = AFTER_AS_OF
    elif offence.date <= start:
        reason = OUTSIDE_WINDOW
    elif weight_u == 0:
        reason = OUT_OF_SCOPE
    elif factor_u == 0:
        reason = OUTCOME_ZERO.get(offence.outcome, "outcome scores 0") if offence.outcome else (
            "no outcome recorded")
    else:
        reason = COUNTED
    return ExplanationItem(
        kind="offence",
        ref=offence.event_id,
        date=offence.date,
        detail=detail,
        weight=weight_u / UNIT,
        factor=(factor_u / UNIT) if scored_outcome else None,
        points_units=weight_u * factor_u if reason == COUNTED else 0,
        reason=reason,
    )


def _recent_first(item: Intelligence) -> tuple[int, str]:
    return (-item.date.toordinal(), item.intel_id)


def _intel_items(
    items: Iterable[Intelligence], category: IntelCategory, as_of: date, start: date,
    policy: Policy,
) -> list[ExplanationItem]:
    """Graded items in the window (after `start`) count, the most recent first, up to
    the cap."""
    points_u = policy.intel_point_units.get(category, 0)
    out: list[ExplanationItem] = []
    counted = 0
    for item in sorted((i for i in items if i.category is category), key=_recent_first):
        if item.date > as_of:
            reason = AFTER_AS_OF
        elif item.date <= start:
            reason = OUTSIDE_WINDOW
        elif not policy.graded(item.source_grade, item.intel_grade):
            reason = UNGRADED
        elif counted >= policy.max_items_per_category:
            reason = OVER_CAP
        else:
            reason = COUNTED
            counted += 1
        out.append(ExplanationItem(
            kind="intelligence",
            ref=item.intel_id,
            date=item.date,
            detail=f"{category.value} {item.source_grade.value}{item.intel_grade.value}"
                   f"{item.handling_code.value}",
            weight=None,
            factor=None,
            points_units=points_u if reason == COUNTED else 0,
            reason=reason,
        ))
    return out


def _by_date(items: list[ExplanationItem]) -> tuple[ExplanationItem, ...]:
    return tuple(sorted(items, key=lambda i: (i.date, i.kind, i.ref)))


def score_person(
    records: PersonRecords, as_of: date, policy: Policy, catalogue: OffenceCatalogue,
) -> ScoreResult:
    """Both scores, bands, eligibility and custody for one person on `as_of`."""
    w = policy.windows
    # Each window's start once per person, not once per item (month arithmetic).
    offender_start = window_start(as_of, w.offender_offences)
    victim_start = window_start(as_of, w.victimisation)
    harm: list[ExplanationItem] = []
    victim: list[ExplanationItem] = []
    for offence in records.offences:
        if offence.role is Role.SUSPECT:
            harm.append(_offence_item(offence, as_of, offender_start, policy, catalogue,
                                      scored_outcome=True))
        elif offence.role is Role.VICTIM:
            victim.append(_offence_item(offence, as_of, victim_start, policy, catalogue,
                                        scored_outcome=False))
        # Witnesses are never scored (R-CATEGORY).
    intel_start = window_start(as_of, w.weapon_violence_intelligence)
    for category in (IntelCategory.WEAPON_ACCESS, IntelCategory.VIOLENCE_INVOLVEMENT):
        harm.extend(_intel_items(records.intelligence, category, as_of, intel_start, policy))
    victim.extend(_intel_items(records.intelligence, IntelCategory.AT_RISK, as_of,
                               window_start(as_of, w.at_risk_intelligence), policy))

    harm_units = sum(i.points_units for i in harm)
    victim_units = sum(i.points_units for i in victim)
    return ScoreResult(
        person_id=records.person_id,
        as_of=as_of,
        harm_units=harm_units,
        victim_units=victim_units,
        harm_band=policy.band(harm_units),
        victim_band=policy.band(victim_units),
        eligibility=assess_eligibility(records.intelligence, as_of, policy),
        in_custody=any(p.covers(as_of) for p in records.custody),
        policy_version=policy.label,
        policy_hash=policy.content_hash,
        harm_items=_by_date(harm),
        victim_items=_by_date(victim),
    )
