"""The s.62 audit log as the data protection officer reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


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
