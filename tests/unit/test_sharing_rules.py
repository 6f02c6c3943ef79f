"""The sharing rules (R-ISA, R-SELECTED, R-NATIONAL, R-NO-COURT, R-ACCURACY): pure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gvm.domain.sharing import (
    NOT_SOLE_BASIS,
    DisclosableField,
    OrganisationType,
    SharingError,
    disclosable,
    in_force,
    new_isa,
)

CAMDEN, HACKNEY, ISLINGTON = "E09000007", "E09000012", "E09000019"
KNOWN = {CAMDEN, HACKNEY, ISLINGTON}
F = DisclosableField


def isa(**overrides: Any):
    values: dict[str, Any] = {
        "organisation": "Camden Youth Offending Service",
        "organisation_type": "youth_offending_service",
        "purpose": "safeguarding young people at risk of serious violence",
        "boroughs": [CAMDEN, HACKNEY], "permitted_fields": ["person_id", "names", "harm_band",
                                                          "score_explanation"],
        "handling_conditions": "OFFICIAL-SENSITIVE; named staff only",
        "start_date": date(2024, 1, 1), "end_date": date(2024, 12, 31),
        "known_boroughs": KNOWN, "isa_id": 7}
    values.update(overrides)
    return new_isa(**values)


@pytest.mark.parametrize("purpose", [
    "to inform sentencing of gang members", "Support PROSECUTION decisions",
    "evidence for the Crown Court", "case files for the CPS", "magistrates' bail hearings"])
def test_no_purpose_may_be_sentencing_or_prosecution(purpose):
    with pytest.raises(SharingError, match="R-NO-COURT") as refused:
        isa(purpose=purpose)
    assert "purpose" in str(refused.value)


@pytest.mark.parametrize("organisation", [
    "Wood Green Crown Court", "Crown Prosecution Service", "CPS London",
    "Highbury Corner Magistrates", "Prosecutions Unit"])
def test_courts_and_prosecutors_are_refused_as_organisations(organisation):
    with pytest.raises(SharingError, match="R-NO-COURT"):
        isa(organisation=organisation)


@pytest.mark.parametrize("kind", ["court", "prosecutor", "cps", "crown_court", ""])
def test_an_organisation_type_outside_the_partners_is_refused(kind):
    with pytest.raises(SharingError, match="organisation_type"):
        isa(organisation_type=kind)


def test_the_partner_types_include_the_national_bodies():
    """R-NATIONAL: probation, CRCs, other forces and ROCUs share under ISAs like anyone."""
    assert {t.value for t in OrganisationType} == {
        "local_authority", "youth_offending_service", "probation",
        "community_rehabilitation_company", "housing", "education", "health",
        "police_force", "rocu"}
    for kind in ("probation", "community_rehabilitation_company", "police_force", "rocu"):
        assert isa(organisation="Regional unit", organisation_type=kind).organisation_type == kind


def test_an_isa_needs_boroughs_fields_and_sensible_dates():
    with pytest.raises(SharingError, match="boroughs"):
        isa(boroughs=[])
    with pytest.raises(SharingError, match="boroughs"):
        isa(boroughs=["E09999999"])
    with pytest.raises(SharingError, match="permitted_fields"):
        isa(permitted_fields=["address"])
    with pytest.raises(SharingError, match="permitted_fields"):
        isa(permitted_fields=[])
    with pytest.raises(SharingError, match="end_date"):
        isa(start_date=date(2024, 2, 1), end_date=date(2024, 1, 31))


def test_scores_and_summaries_go_only_with_their_reliability():
    """R-ACCURACY: a score without its explanation, a summary without grades and dates."""
    with pytest.raises(SharingError, match="score_explanation"):
        isa(permitted_fields=["harm_score"])
    with pytest.raises(SharingError, match="intelligence_summary_graded"):
        isa(permitted_fields=["intelligence_summary"])


def test_in_force_includes_both_ends():
    agreement = isa()
    assert not in_force(agreement, date(2023, 12, 31))
    assert in_force(agreement, date(2024, 1, 1))
    assert in_force(agreement, date(2024, 12, 31))
    assert not in_force(agreement, date(2025, 1, 1))


def test_disclosable_is_the_intersection_with_the_reliability_fields():
    agreement = isa()
    day = date(2024, 6, 1)
    got = disclosable(agreement, CAMDEN, ["names", "date_of_birth", "offences"], day)
    assert got == {F.NAMES}
    # a band brings its explanation, which the ISA permits
    assert disclosable(agreement, HACKNEY, ["harm_band"], day) == {F.HARM_BAND,
                                                                   F.SCORE_EXPLANATION}
    assert disclosable(agreement, CAMDEN, ["victim_band"], day) == {F.SCORE_EXPLANATION}
    graded = isa(permitted_fields=["intelligence_summary_graded"])
    assert disclosable(graded, CAMDEN, ["intelligence_summary"], day) == {
        F.INTELLIGENCE_SUMMARY_GRADED}


def test_people_outside_the_boroughs_and_isas_out_of_force_are_refused():
    agreement = isa()
    with pytest.raises(SharingError, match="R-SELECTED"):
        disclosable(agreement, ISLINGTON, ["names"], date(2024, 6, 1))
    with pytest.raises(SharingError, match="not in force"):
        disclosable(agreement, CAMDEN, ["names"], date(2025, 6, 1))
    with pytest.raises(SharingError, match="catalogue"):
        disclosable(agreement, CAMDEN, ["ethnicity"], date(2024, 6, 1))


def test_the_condition_says_not_the_sole_basis():
    assert "solely" in NOT_SOLE_BASIS and "sentencing" in NOT_SOLE_BASIS
