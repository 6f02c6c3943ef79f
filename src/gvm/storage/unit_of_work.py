"""`UnitOfWork`: one connection and one transaction, through which services read and
write the register and append the audit entries that record what they did, all committed
(or rolled back) together. It implements gvm.services.ports.UnitOfWork.

    with database.unit_of_work() as uow:
        counts = uow.save_bundle(bundle, source_name="people.csv", sha256=digest)
        uow.append_audit(AuditEvent(...))
        uow.commit()
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import polars as pl
from sqlalchemy import Connection

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.model import Alias, Bundle, Person, PersonRecords
from gvm.domain.policy import Policy
from gvm.storage import audit as audit_log
from gvm.storage import columnar, repository
from gvm.storage import scores as score_store


class UnitOfWork:
    """Everything goes through one transaction. Nothing is kept unless `commit()` is
    called; leaving the `with` block without it (or on an exception) rolls back. After a
    commit the unit of work may go on: the next statement opens a new transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    # records
    def save_bundle(self, bundle: Bundle, *, source_name: str,
                    sha256: str) -> dict[str, dict[str, int]]:
        return repository.save_bundle(self.connection, bundle, source_name=source_name,
                                      sha256=sha256)

    def person(self, person_id: str) -> Person | None:
        return repository.person(self.connection, person_id)

    def aliases(self, person_id: str) -> list[Alias]:
        return repository.person_aliases(self.connection, person_id)

    def list_people(self, borough: str | None = None) -> list[Person]:
        return repository.list_people(self.connection, borough)

    def people_boroughs(self, borough: str | None = None) -> pl.DataFrame:
        """person_id and borough_code of everyone held (or of one borough)."""
        return columnar.people_boroughs(self.connection, borough)

    def person_records(self, person_id: str) -> PersonRecords | None:
        return repository.person_records(self.connection, person_id)

    def erase_person(self, person_id: str) -> bool:
        return repository.erase_person(self.connection, person_id)

    # scoring
    def scoring_frames(self, borough: str | None = None
                       ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        return columnar.scoring_frames(self.connection, borough)

    def save_score_run(self, as_of: date, policy: Policy, scores_df: pl.DataFrame,
                       scope: str | None = None) -> int:
        return score_store.save_score_run(self.connection, as_of, policy, scores_df, scope)

    def latest_scores(self, person_id: str) -> score_store.StoredScore | None:
        return score_store.latest_score(self.connection, person_id)

    def run_scores(self, run_id: int) -> pl.DataFrame:
        return score_store.run_scores(self.connection, run_id)

    # the s.62 log
    def append_audit(self, event: AuditEvent) -> int:
        """Log `event` in this transaction; its seq."""
        return audit_log.append(self.connection, event)

    def append_audit_many(self, events: Iterable[AuditEvent]) -> list[int]:
        return audit_log.append_many(self.connection, events)

    def audit_entries(self, *, record_type: str | None = None, record_id: str | None = None,
                      operation: Operation | None = None) -> Iterator[audit_log.AuditEntry]:
        return audit_log.entries(self.connection, record_type=record_type,
                                 record_id=record_id, operation=operation)

    def verify_audit(self) -> audit_log.VerifyResult:
        return audit_log.verify(self.connection)
