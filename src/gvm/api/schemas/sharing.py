"""Information Sharing Agreements and disclosures (R-ISA, R-NOT-SOLE, R-ACCURACY)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from gvm.api.schemas.common import (
    MAX_ID,
    BoroughCode,
    Justification,
    RecordId,
    Request,
    ScoringDate,
    Text,
)
from gvm.domain.sharing import DisclosableField, OrganisationType


class IsaIn(Request):
    """An agreement with one partner organisation. Courts and prosecutors are not valid
    recipients and no purpose may be sentencing or prosecution (R-NO-COURT)."""

    organisation: Text = Field(min_length=1, max_length=200)
    organisation_type: OrganisationType
    purpose: Text = Field(min_length=1, max_length=2000)
    boroughs: list[BoroughCode] = Field(min_length=1, max_length=33)
    permitted_fields: list[DisclosableField] = Field(min_length=1)
    handling_conditions: Text = Field(default="", max_length=2000)
    start_date: date
    end_date: date


class IsaOut(BaseModel):
    isa_id: int
    organisation: str
    organisation_type: str
    purpose: str
    boroughs: list[str]
    permitted_fields: list[str]
    handling_conditions: str
    start_date: date
    end_date: date
    in_force: bool = Field(description="In force today")


class IsaListOut(BaseModel):
    count: int
    isas: list[IsaOut]


class DisclosureIn(Request):
    """Who and what to disclose under an ISA; `as_of` (default today) is the date the
    scores and records are taken on."""

    isa_id: int = Field(ge=1, le=MAX_ID)
    person_ids: list[RecordId] = Field(min_length=1, max_length=200)
    fields: list[DisclosableField] = Field(min_length=1)
    as_of: ScoringDate | None = None
    justification: Justification


class DisclosureOut(BaseModel):
    """The disclosure as its recipient gets it (a preview has no id)."""

    disclosure_id: int | None
    isa_id: int
    recipient: str
    made_by: str
    made_at: datetime | None
    as_of: date
    policy_version: str
    condition: str = Field(description="The not-sole-basis condition (R-NOT-SOLE)")
    handling_conditions: str
    fields: list[str]
    withheld_fields: list[str] = Field(description="Requested, not permitted by the ISA")
    people: list[dict[str, Any]]
    acknowledged_at: datetime | None = None


class DisclosureSummaryOut(BaseModel):
    disclosure_id: int
    isa_id: int
    recipient: str
    made_by: str
    made_at: datetime
    as_of: date
    fields: list[str]
    person_ids: list[str]
    condition: str
    handling_conditions: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class DisclosureListOut(BaseModel):
    count: int
    disclosures: list[DisclosureSummaryOut]
