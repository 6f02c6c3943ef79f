"""The s.62 audit log as the data protection officer reads it, and the oversight
reports (aggregates only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    actor_role: str
    operation: str
    justification: str
    record_type: str
    record_ids: list[str]
    recipient: str | None
    detail: dict[str, Any]
    hash: str


class AuditEntriesOut(BaseModel):
    count: int
    entries: list[AuditEntryOut]
    next_after: int | None = None  # pass as `after` for the next page; null at the end


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str | None
    head_seq: int | None
    head_hash: str | None


# Oversight reports: aggregates only (counts, shares, ratios, gang ids and names), never
# a person's id, name or date of birth.

class EqualityOut(BaseModel):
    as_of: date
    area: str  # "London" or a borough's GSS code
    cohort: str
    rows: list[dict[str, Any]]  # gvm.reports.equality.COLUMNS
    trend: list[dict[str, Any]]  # the headline rows at each quarter end


class ReleaseTableOut(BaseModel):
    name: str
    title: str
    lines: list[list[str]]  # as published: header, rows, totals; "[c]" where suppressed
    suppressed_cells: int


class QuarterlyOut(BaseModel):
    quarter: str
    as_of: date
    cohort: str
    total: int
    tables: list[ReleaseTableOut]


class BacktestOut(BaseModel):
    as_of: date
    horizon_months: int
    cohort: str
    discrimination: list[dict[str, Any]]
    calibration: list[dict[str, Any]]
    coverage: dict[str, Any]


class WhatIfIn(BaseModel):
    as_of: date
    cohort: Literal["eligible", "register"] = "eligible"
    proposed_policy: str = Field(min_length=1, max_length=50_000,
                                 description="The proposed policy file's TOML text")
    justification: str | None = Field(default=None, max_length=500)


class WhatIfOut(BaseModel):
    as_of: date
    current_policy: str
    proposed_policy: str
    cohort_current: int
    cohort_proposed: int
    eligibility: dict[str, int]
    transitions: list[dict[str, Any]]  # harm and victim band, current x proposed counts
    makeup: list[dict[str, Any]]
    equality: list[dict[str, Any]]


class GangNetworkOut(BaseModel):
    as_of: date
    start: date
    borough: str | None
    totals: dict[str, int]
    nodes: list[dict[str, Any]]  # gang_id, name, borough_code, members, harm, home
    edges: list[dict[str, Any]]  # gang pairs: incidents, rivalry, alliance
