"""Boroughs, gangs, intelligence, score runs and the register's decisions."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from gvm.api.schemas.common import (
    BoroughCode,
    Justification,
    Rationale,
    RecordId,
    Request,
    ScoringDate,
    Text,
)
from gvm.api.schemas.people import IntelligenceOut, PersonHitOut
from gvm.domain.model import HandlingCode, IntelCategory, IntelGrade, SourceGrade, SourceType
from gvm.domain.register import MIN_RATIONALE_CHARS

Code = str  # enumerated values are checked by the importer's rules (same messages)


def _choices(enum) -> dict[str, list[str]]:
    return {"enum": [m.value for m in enum]}


class BoroughOut(BaseModel):
    code: str
    name: str
    population: int
    visible: bool = Field(description="Whether you may see this borough's people and gangs")


class GangOut(BaseModel):
    gang_id: str
    name: str
    borough_code: str
    members: int = Field(description="People linked by gang-membership intelligence")


class IntelligenceIn(Request):
    """A new graded intelligence item (3x5x2). There is no music category (R-MUSIC)."""

    person_id: RecordId
    date: date
    gang_id: RecordId | None = Field(None, description="Required for gang_membership")
    category: Code = Field(max_length=64, json_schema_extra=_choices(IntelCategory))
    source_id: RecordId
    source_type: Code = Field(max_length=64, json_schema_extra=_choices(SourceType))
    source_grade: Code = Field(max_length=8, json_schema_extra=_choices(SourceGrade))
    intel_grade: Code = Field(max_length=8, json_schema_extra=_choices(IntelGrade))
    handling_code: Code = Field(max_length=8, json_schema_extra=_choices(HandlingCode))
    summary: Text = Field("", max_length=2000)
    justification: Justification = Field(description="Why this is recorded (logged)")


class IntelligenceCorrectionIn(Request):
    """The fields to correct or re-grade (only those given change) and why."""

    date: dt.date | None = None
    gang_id: RecordId | None = Field(None, description="null removes the link (not for "
                                     "gang_membership)")
    category: Code | None = Field(None, max_length=64, json_schema_extra=_choices(IntelCategory))
    source_id: RecordId | None = None
    source_type: Code | None = Field(None, max_length=64,
                                     json_schema_extra=_choices(SourceType))
    source_grade: Code | None = Field(None, max_length=8,
                                      json_schema_extra=_choices(SourceGrade))
    intel_grade: Code | None = Field(None, max_length=8, json_schema_extra=_choices(IntelGrade))
    handling_code: Code | None = Field(None, max_length=8,
                                       json_schema_extra=_choices(HandlingCode))
    summary: Text | None = Field(None, max_length=2000)
    justification: Justification = Field(description="Why the item is corrected (logged)")


class CorrectionOut(BaseModel):
    item: IntelligenceOut
    changed: list[str] = Field(description="The fields that changed (names only)")
    notices: list[dict[str, Any]] = Field(
        default_factory=list, description="One per earlier recipient to notify (R-ACCURACY)")


class ScoreRunIn(Request):
    as_of: ScoringDate
    borough: BoroughCode | None = Field(None, description="Borough roles: their own "
                                        "(the default); force-wide roles: omit for everyone")


class ScoreRunOut(BaseModel):
    run_id: int
    as_of: date
    scope: str | None = Field(description="Borough code, or null for force-wide")
    policy_version: str
    policy_hash: str
    created_at: datetime
    people: int
    harm_bands: dict[str, int]
    victim_bands: dict[str, int]
    eligible: int
    in_custody: int


class CohortMemberOut(PersonHitOut):
    on_register_since: datetime


class CohortOut(BaseModel):
    borough_code: str
    count: int
    people: list[CohortMemberOut]


class DecisionIn(Request):
    person_id: RecordId
    decision: Literal["include", "remove"]
    rationale: Rationale = Field(
        description="The supervisor's reasons (R-HUMAN), kept and logged: at least "
        f"{MIN_RATIONALE_CHARS} characters once stripped")
    as_of: ScoringDate | None = Field(None, description="Scoring date shown with the decision; "
                               "default today")


class DecisionOut(BaseModel):
    decision_id: int
    person_id: str
    decision: str
    decided_by: str
    decided_at: datetime
    as_of: date
    harm_score: float
    victim_score: float
    eligible: bool
    policy_version: str
