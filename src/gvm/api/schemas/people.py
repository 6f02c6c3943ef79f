"""People: search and the profile a justified consultation returns."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from gvm.api.schemas.common import (
    NOT_BLANK,
    BoroughCode,
    Justification,
    RecordId,
    Request,
    ScoringDate,
    ShortText,
)


class SearchIn(Request):
    """Criteria combine with AND; at least one of name, alias, date of birth or id.
    Names and dates of birth travel in the body, never in a URL."""

    # The "at least one" rule in the document too, so a client (or a fuzzer) can tell a
    # valid search from the schema alone; blank text is no criterion.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["name"], "properties": {"name": {"type": "string", "pattern": NOT_BLANK}}},
        {"required": ["alias"], "properties": {"alias": {"type": "string", "pattern": NOT_BLANK}}},
        {"required": ["date_of_birth"], "properties": {"date_of_birth": {"type": "string"}}},
        {"required": ["person_id"],
         "properties": {"person_id": {"type": "string", "pattern": NOT_BLANK}}},
    ]})

    name: ShortText | None = Field(None, description="Part of 'forenames surname', any case")
    alias: ShortText | None = None
    date_of_birth: date | None = None
    person_id: RecordId | None = None
    borough: BoroughCode | None = None
    limit: int = Field(50, ge=1, le=200)


class PersonHitOut(BaseModel):
    person_id: str
    surname: str
    forenames: str
    date_of_birth: date
    borough_code: str
    harm_band: str | None = Field(description="From the latest stored score run; null if "
                                  "never scored")
    victim_band: str | None
    scored_as_of: date | None


class SearchOut(BaseModel):
    count: int
    results: list[PersonHitOut]


class ViewIn(Request):
    justification: Justification = Field(description="Why you are viewing this record "
                                         "(logged, DPA 2018 s.62)")
    as_of: ScoringDate | None = Field(None, description="Scoring date; default today")


class PersonOut(BaseModel):
    """Identification only: ethnicity and sex are held for equality monitoring, not shown."""

    person_id: str
    surname: str
    forenames: str
    date_of_birth: date
    borough_code: str


class AliasOut(BaseModel):
    surname: str
    forenames: str


class OffenceOut(BaseModel):
    event_id: str
    date: date
    ho_offence_code: str
    role: str = Field(description="suspect, victim or witness")
    outcome: str | None


class CustodyOut(BaseModel):
    start_date: date
    end_date: date | None


class FactsOut(BaseModel):
    """What police systems record as having happened (R-CATEGORY)."""

    offences: list[OffenceOut]
    custody: list[CustodyOut]
    in_custody: bool


class IntelligenceOut(BaseModel):
    intel_id: str
    person_id: str
    date: date
    gang_id: str | None
    category: str
    source_id: str
    source_type: str
    source_grade: str = Field(description="3x5x2 source evaluation: 1, 2 or 3")
    intel_grade: str = Field(description="3x5x2 intelligence assessment: A to E")
    handling_code: str = Field(description="3x5x2 handling: P or C")
    summary: str


class ExplanationItemOut(BaseModel):
    kind: str
    ref: str
    date: date
    detail: str
    weight: float | None
    factor: float | None
    points: float
    reason: str


class ScoreOut(BaseModel):
    score: float
    band: str
    items: list[ExplanationItemOut] = Field(description="Counted and excluded items; the "
                                            "counted points sum to the score")


class EligibilityOut(BaseModel):
    eligible: bool
    reason: str
    qualifying: list[str]
    sources: list[str]


class AssessmentsOut(BaseModel):
    """Judgements about the person: graded intelligence and the scores (R-CATEGORY)."""

    intelligence: list[IntelligenceOut]
    harm: ScoreOut
    victim: ScoreOut
    eligibility: EligibilityOut
    policy_version: str
    policy_hash: str


class RegisterStatusOut(BaseModel):
    status: str = Field(description="on or off")
    since: datetime
    decided_by: str
    rationale: str


class ProfileOut(BaseModel):
    person: PersonOut
    aliases: list[AliasOut]
    categories: list[str] = Field(description="convicted, suspect, victim, witness "
                                  "(DPA 2018 s.38(3)), most serious first")
    as_of: date
    facts: FactsOut
    assessments: AssessmentsOut
    register_status: RegisterStatusOut | None = Field(description="null: never on the register")
