"""The inclusion threshold (SPEC 3.3, R-THRESHOLD, R-MUSIC).

Eligible needs gang-membership intelligence from at least two different sources, each
graded, within the membership window, and at least one of the counted items not from
social media: social media alone never corroborates membership. Eligible is not
included; a supervisor decides (R-HUMAN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from gvm.domain.dates import window_start
from gvm.domain.model import IntelCategory, Intelligence, SourceType
from gvm.domain.policy import MIN_CORROBORATING_SOURCES, Policy


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    reason: str
    qualifying: tuple[str, ...]  # intel_ids of graded membership items in the window
    sources: tuple[str, ...]  # their distinct source_ids


def assess_eligibility(
    intelligence: Iterable[Intelligence], as_of: date, policy: Policy,
) -> Eligibility:
    months = policy.windows.gang_membership
    start = window_start(as_of, months)
    qualifying = sorted(
        (i for i in intelligence
         if i.category is IntelCategory.GANG_MEMBERSHIP
         and start < i.date <= as_of
         and policy.graded(i.source_grade, i.intel_grade)),
        key=lambda i: (i.date, i.intel_id),
    )
    sources = tuple(sorted({i.source_id for i in qualifying}))
    ids = tuple(i.intel_id for i in qualifying)
    non_social = [i for i in qualifying if i.source_type is not SourceType.SOCIAL_MEDIA]
    # With two or more distinct sources, any non-social-media item has a partner from a
    # different source, so the pair it makes satisfies both conditions.
    if len(sources) < MIN_CORROBORATING_SOURCES:
        reason = (f"graded membership intelligence from {len(sources)} source(s) in the last "
                  f"{months} months; {MIN_CORROBORATING_SOURCES} different sources needed")
        return Eligibility(False, reason, ids, sources)
    if not non_social:
        reason = "membership is corroborated only by social media, which cannot corroborate"
        return Eligibility(False, reason, ids, sources)
    return Eligibility(True, f"corroborated by {len(sources)} sources", ids, sources)
