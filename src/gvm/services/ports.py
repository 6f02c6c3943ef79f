"""What the use cases need from storage, as Protocols. The storage package provides
them; unit tests can provide fakes. Services never import SQLAlchemy."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, Protocol

import polars as pl

from gvm.domain.audit import AuditEvent
from gvm.domain.model import Bundle, Person, PersonRecords
from gvm.domain.policy import Policy


class UnitOfWork(Protocol):
    """One transaction: everything done through it, audit records included, commits
    together or not at all."""

    def commit(self) -> None: ...

    def save_bundle(self, bundle: Bundle, *, source_name: str, sha256: str) -> dict[str, Any]: ...

    def scoring_frames(
        self, borough: str | None = None,
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]: ...

    def person(self, person_id: str) -> Person | None: ...

    def person_records(self, person_id: str) -> PersonRecords | None: ...

    def save_score_run(
        self, as_of: date, policy: Policy, scores: pl.DataFrame, scope: str | None = None,
    ) -> int: ...

    def append_audit(self, event: AuditEvent) -> int: ...

    def people_boroughs(self, borough: str | None = None) -> pl.DataFrame: ...

    def verify_audit(self) -> Any: ...


UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]
