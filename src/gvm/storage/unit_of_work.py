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
from datetime import date, datetime

import polars as pl
from sqlalchemy import Connection

from gvm.authz.accounts import ApiTokenRecord, SessionRecord, UserRecord
from gvm.authz.roles import Role
from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.model import Alias, Bundle, Intelligence, Person, PersonRecords
from gvm.domain.policy import Policy
from gvm.domain.register import CohortMember, Decision, RegisterState, RegisterStatus
from gvm.domain.views import GangSummary, PersonHit, PersonQuery, ScoreRunSummary
from gvm.storage import accounts as account_store
from gvm.storage import audit as audit_log
from gvm.storage import columnar, queries, repository
from gvm.storage import register as register_store
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

    # the read side and its corrections (gvm.storage.queries; the web API's use cases)
    def search_people(self, query: PersonQuery) -> list[PersonHit]:
        return queries.search_people(self.connection, query)

    def people_summaries(self, person_ids: list[str]) -> list[PersonHit]:
        return queries.people_summaries(self.connection, person_ids)

    def gangs(self, boroughs: list[str] | None = None) -> list[GangSummary]:
        return queries.list_gangs(self.connection, boroughs)

    def gang_borough(self, gang_id: str) -> str | None:
        return queries.gang_borough(self.connection, gang_id)

    def intelligence_item(self, intel_id: str) -> Intelligence | None:
        return queries.intelligence_item(self.connection, intel_id)

    def add_intelligence(self, item: Intelligence) -> None:
        queries.insert_intelligence(self.connection, item)

    def replace_intelligence(self, item: Intelligence) -> bool:
        return queries.replace_intelligence(self.connection, item)

    def score_run_summary(self, run_id: int) -> ScoreRunSummary | None:
        return queries.score_run_summary(self.connection, run_id)

    def audit_search(self, *, record_id: str | None = None, actor: str | None = None,
                     operation: Operation | None = None, since: datetime | None = None,
                     until: datetime | None = None, after_seq: int | None = None,
                     limit: int | None = None) -> list[audit_log.AuditEntry]:
        """The audit entries matching every filter given, in seq order (read in full)."""
        return list(audit_log.entries(self.connection, record_id=record_id, actor=actor,
                                      operation=operation, since=since, until=until,
                                      after_seq=after_seq, limit=limit))

    # accounts and sign-in (gvm.storage.accounts; gvm.services.accounts and .sessions)
    def add_user(self, *, username: str, password_hash: str, role: Role,
                 borough_code: str | None, organisation: str | None, totp_secret: str,
                 now: datetime) -> int:
        return account_store.add_user(
            self.connection, username=username, password_hash=password_hash, role=role,
            borough_code=borough_code, organisation=organisation, totp_secret=totp_secret,
            now=now)

    def user_by_name(self, username: str, *, for_update: bool = False) -> UserRecord | None:
        return account_store.user_by_name(self.connection, username, for_update=for_update)

    def user_by_id(self, user_id: int) -> UserRecord | None:
        return account_store.user_by_id(self.connection, user_id)

    def list_users(self) -> list[UserRecord]:
        return account_store.list_users(self.connection)

    def update_user(self, user_id: int, **values: object) -> bool:
        return account_store.update_user(self.connection, user_id, **values)

    def add_session(self, *, token_hash: str, user_id: int, csrf_token: str, now: datetime,
                    absolute_expiry: datetime) -> None:
        account_store.add_session(self.connection, token_hash=token_hash, user_id=user_id,
                                  csrf_token=csrf_token, now=now,
                                  absolute_expiry=absolute_expiry)

    def session_with_user(self, token_hash: str) -> tuple[SessionRecord, UserRecord] | None:
        return account_store.session_with_user(self.connection, token_hash)

    def touch_session(self, token_hash: str, now: datetime) -> None:
        account_store.touch_session(self.connection, token_hash, now)

    def delete_session(self, token_hash: str) -> bool:
        return account_store.delete_session(self.connection, token_hash)

    def delete_user_sessions(self, user_id: int) -> int:
        return account_store.delete_user_sessions(self.connection, user_id)

    def add_api_token(self, *, token_hash: str, user_id: int, name: str,
                      scopes: Iterable[str], now: datetime, expires_at: datetime) -> int:
        return account_store.add_api_token(self.connection, token_hash=token_hash,
                                           user_id=user_id, name=name, scopes=scopes, now=now,
                                           expires_at=expires_at)

    def api_token_with_user(self, token_hash: str
                            ) -> tuple[ApiTokenRecord, UserRecord] | None:
        return account_store.api_token_with_user(self.connection, token_hash)

    def touch_api_token(self, token_id: int, now: datetime) -> None:
        account_store.touch_api_token(self.connection, token_id, now)

    def revoke_user_tokens(self, user_id: int) -> int:
        return account_store.revoke_user_tokens(self.connection, user_id)

    # who is on the register (gvm.storage.register; gvm.services.register)
    def register_entry(self, person_id: str) -> RegisterStatus | None:
        return register_store.register_entry(self.connection, person_id)

    def save_register_decision(self, decision: Decision, state: RegisterState) -> int:
        return register_store.save_decision(self.connection, decision, state)

    def register_decisions(self, person_id: str) -> list[Decision]:
        return register_store.decisions(self.connection, person_id)

    def register_cohort(self, borough_code: str) -> list[CohortMember]:
        return register_store.cohort(self.connection, borough_code)
