"""`UnitOfWork`: one connection and one transaction, through which services read and
write the register and append the audit entries that record what they did, all committed
(or rolled back) together. It implements gvm.services.ports.UnitOfWork.

    with database.unit_of_work() as uow:
        counts = uow.save_bundle(bundle, source_name="people.csv", sha256=digest)
        uow.append_audit(AuditEvent(...))
        uow.commit()

A consultation writes nothing but its audit entry: it reads in a read-only unit of work
and logs with `commit_audit`, which returns once the entry is committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection

from gvm.authz.accounts import ApiTokenRecord, Principal, SessionRecord, UserRecord
from gvm.authz.roles import Role
from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.model import Alias, Bundle, Intelligence, Person, PersonRecords
from gvm.domain.policy import Policy
from gvm.domain.register import CohortMember, Decision, RegisterState, RegisterStatus
from gvm.domain.views import GangSummary, PersonHit, PersonQuery, ScoreRunSummary
from gvm.storage import accounts as account_store
from gvm.storage import arrow_frames, columnar, freshness, queries, repository
from gvm.storage import audit as audit_log
from gvm.storage import register as register_store
from gvm.storage import scores as score_store
from gvm.storage.audit_writer import AuditWriter
from gvm.storage.governance_uow import GovernanceMethods
from gvm.storage.name_indexes import empty_write_ahead_log


class UnitOfWork(GovernanceMethods):
    """Everything goes through one transaction. Nothing is kept unless `commit()` is
    called; leaving the `with` block without it (or on an exception) rolls back. After a
    commit the unit of work may go on: the next statement opens a new transaction."""

    def __init__(self, connection: Connection, *, read_only: bool = False,
                 audit_writer: AuditWriter | None = None,
                 give_back: Callable[[], None] | None = None) -> None:
        self.connection = connection
        self.read_only = read_only
        self._audit_writer = audit_writer
        self._give_back = give_back  # a kept connection's early return (commit_audit)

    def commit(self) -> None:
        self.connection.commit()
        empty_write_ahead_log(self.connection, committed=True)

    def rollback(self) -> None:
        self.connection.rollback()
        empty_write_ahead_log(self.connection, committed=False)

    # records
    def save_bundle(self, bundle: Bundle, *, source_name: str,
                    sha256: str) -> dict[str, dict[str, int]]:
        return repository.save_bundle(self.connection, bundle, source_name=source_name,
                                      sha256=sha256)

    def save_bundle_chunks(self, chunks: Iterable[tuple[str, Sequence[Any]]], *,
                           source_name: str, sha256: str | Callable[[], str]
                           ) -> dict[str, dict[str, int]]:
        """As `save_bundle`, from (table, records) chunks such as a BundleStream's."""
        return repository.save_bundle_chunks(self.connection, chunks, source_name=source_name,
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

    def person_records(self, person_id: str, *, known: bool = False) -> PersonRecords | None:
        """`known`: the person was just read in this transaction, skip the check."""
        return repository.person_records(self.connection, person_id, known=known)

    def erase_person(self, person_id: str) -> bool:
        return repository.erase_person(self.connection, person_id)

    # scoring
    def scoring_frames(self, borough: str | None = None
                       ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """Through ADBC (Arrow-native, several times faster on a whole register) when
        that sees exactly what this transaction sees, else through this connection:
        gvm.storage.arrow_frames says when."""
        fast = arrow_frames.scoring_frames(self.connection, borough)
        return fast if fast is not None else columnar.scoring_frames(self.connection, borough)

    def reduce_scoring_frames(self, reduce: Callable[..., pl.DataFrame],
                              borough: str | None = None) -> pl.DataFrame:
        """`reduce(people, offences, intelligence, custody)` of the scoring frames. Where
        they are read in a process of their own (a big register), it runs there
        and only its result comes back: `reduce` must pickle (a module's function, or a
        partial of one)."""
        fast = arrow_frames.reduced(self.connection, reduce, borough)
        return fast if fast is not None else reduce(
            *columnar.scoring_frames(self.connection, borough))

    def save_score_run(self, as_of: date, policy: Policy, scores_df: pl.DataFrame,
                       scope: str | None = None) -> int:
        return score_store.save_score_run(self.connection, as_of, policy, scores_df, scope)

    def latest_scores(self, person_id: str) -> score_store.StoredScore | None:
        return score_store.latest_score(self.connection, person_id)

    def run_scores(self, run_id: int) -> pl.DataFrame:
        return score_store.run_scores(self.connection, run_id)

    # incremental freshness (gvm.storage.freshness; gvm.services.freshness)
    def any_stale(self) -> bool:
        return freshness.any_stale(self.connection)

    def stale_count(self) -> int:
        return freshness.stale_count(self.connection)

    def stale_people(self) -> list[str]:
        return freshness.stale_people(self.connection)

    def claim_stale(self, limit: int) -> list[str]:
        return freshness.claim_stale(self.connection, limit)

    def scoring_frames_of(self, person_ids: list[str], *, offences_after: date | None = None,
                          intelligence_after: dict[str, date] | None = None
                          ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        return freshness.scoring_frames_of(self.connection, person_ids,
                                           offences_after=offences_after,
                                           intelligence_after=intelligence_after)

    def save_current_scores(self, as_of: date, policy: Policy, scores_df: pl.DataFrame) -> int:
        return freshness.save_current_scores(self.connection, as_of, policy, scores_df)

    def remove_stale(self, person_ids: list[str]) -> None:
        freshness.remove_stale(self.connection, person_ids)

    # the s.62 log
    def append_audit(self, event: AuditEvent) -> int:
        """Log `event` in this transaction; its seq."""
        return audit_log.append(self.connection, event)

    def append_audit_many(self, events: Iterable[AuditEvent]) -> list[int]:
        return audit_log.append_many(self.connection, events)

    def commit_audit(self, event: AuditEvent) -> int:
        """Log `event` and return its seq once it is committed; raise if it was not.

        Writing unit of work: appended in this transaction, which is committed. Read-only
        one: the read transaction ends first (what was read stays read), then the
        Database's audit writer commits the entry with those of concurrent requests
        (group commit, see audit_writer.py). It ends a read-only unit's reads: on SQLite
        its connection goes back to be reused meanwhile (kept_connections.py). Never call
        it on a read-only unit of work while this thread holds a writing one: the writer
        would wait for that one.
        """
        if not self.read_only or self._audit_writer is None:
            seq = self.append_audit(event)
            self.commit()
            return seq
        if self.connection.in_transaction():
            self.connection.rollback()
        if self._give_back is not None:  # the reads are over: the connection goes back
            self._give_back()
            self.connection = None  # type: ignore[assignment]  # any later use fails loudly
        return self._audit_writer.append(event)

    def audit_entries(self, *, record_type: str | None = None, record_id: str | None = None,
                      operation: Operation | None = None) -> Iterator[audit_log.AuditEntry]:
        return audit_log.entries(self.connection, record_type=record_type,
                                 record_id=record_id, operation=operation)

    def ping(self) -> None:
        """Raise unless the database answers a read of the schema (readiness)."""
        self.connection.exec_driver_sql("SELECT max(seq) FROM audit_log").scalar()

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

    def session_with_user(self, token_hash: str) -> tuple[SessionRecord, Principal] | None:
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
                            ) -> tuple[ApiTokenRecord, Principal] | None:
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

    # information sharing (gvm.storage.sharing; gvm.services.sharing)
    def add_isa(self, isa: object, *, created_by: str, now: datetime) -> int:
        from gvm.storage import sharing as sharing_store
        return sharing_store.add_isa(self.connection, isa, created_by=created_by,  # type: ignore[arg-type]
                                     now=now)

    def isa(self, isa_id: int) -> object:
        from gvm.storage import sharing as sharing_store
        return sharing_store.isa(self.connection, isa_id)

    def list_isas(self, organisation: str | None = None) -> list:
        from gvm.storage import sharing as sharing_store
        return sharing_store.list_isas(self.connection, organisation)

    def add_disclosure(self, record: object, *, made_by_role: str, contents: dict) -> int:
        from gvm.storage import sharing as sharing_store
        return sharing_store.add_disclosure(self.connection, record,  # type: ignore[arg-type]
                                            made_by_role=made_by_role, contents=contents)

    def disclosure(self, disclosure_id: int) -> object:
        from gvm.storage import sharing as sharing_store
        return sharing_store.disclosure(self.connection, disclosure_id)

    def list_disclosures(self, recipient: str | None = None) -> list:
        from gvm.storage import sharing as sharing_store
        return sharing_store.list_disclosures(self.connection, recipient)

    def disclosure_contents(self, disclosure_id: int) -> dict:
        from gvm.storage import sharing as sharing_store
        return sharing_store.disclosure_contents_of(self.connection, disclosure_id)

    def acknowledge_disclosure(self, disclosure_id: int, *, by: str, at: datetime) -> bool:
        from gvm.storage import sharing as sharing_store
        return sharing_store.acknowledge(self.connection, disclosure_id, by=by, at=at)

    def recipients_of(self, person_id: str) -> list:
        from gvm.storage import sharing as sharing_store
        return sharing_store.recipients_of(self.connection, person_id)

    # equality monitoring and the quarterly release (gvm.services.oversight_reports)
    def equality_frames(self, after: date, until: date
                        ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(people, register decisions, suspect offences dated after..until): see
        gvm.storage.columnar.equality_frames."""
        return columnar.equality_frames(self.connection, after, until)

    def gang_frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(gangs, gang relations, gang memberships): gvm.storage.columnar.gang_frames."""
        return columnar.gang_frames(self.connection)

    # quarterly cohort reviews, retention, subject and removal requests
    # (gvm.storage.reviews; gvm.services.reviews, .retention, .subject)
    def add_review(self, *, borough_code: str, opened_by: str, opened_at: datetime,
                   as_of: date, items: Iterable[dict]) -> int:
        from gvm.storage import reviews as review_store
        return review_store.add_review(self.connection, borough_code=borough_code,
                                       opened_by=opened_by, opened_at=opened_at, as_of=as_of,
                                       items=items)

    def review(self, review_id: int) -> object:
        from gvm.storage import reviews as review_store
        return review_store.review(self.connection, review_id)

    def open_review_of(self, borough_code: str) -> object:
        from gvm.storage import reviews as review_store
        return review_store.open_review_of(self.connection, borough_code)

    def review_items(self, review_id: int) -> list:
        from gvm.storage import reviews as review_store
        return review_store.items(self.connection, review_id)

    def person_review_items(self, person_id: str) -> list:
        from gvm.storage import reviews as review_store
        return review_store.person_items(self.connection, person_id)

    def decide_review_item(self, review_id: int, person_id: str, **values: object) -> bool:
        from gvm.storage import reviews as review_store
        return review_store.decide_item(self.connection, review_id, person_id, **values)  # type: ignore[arg-type]

    def close_review(self, review_id: int, *, closed_by: str, closed_at: datetime) -> bool:
        from gvm.storage import reviews as review_store
        return review_store.close_review(self.connection, review_id, closed_by=closed_by,
                                         closed_at=closed_at)

    def last_closed_reviews(self) -> dict:
        from gvm.storage import reviews as review_store
        return review_store.last_closed_reviews(self.connection)

    def on_register(self) -> list:
        from gvm.storage import reviews as review_store
        return review_store.on_register(self.connection)

    def last_reviewed(self) -> dict:
        from gvm.storage import reviews as review_store
        return review_store.last_reviewed(self.connection)

    def never_on_register(self) -> list:
        from gvm.storage import reviews as review_store
        return review_store.never_on_register(self.connection)

    def open_custody(self) -> set:
        from gvm.storage import reviews as review_store
        return review_store.open_custody(self.connection)

    def record_counts(self, person_id: str) -> dict:
        from gvm.storage import reviews as review_store
        return review_store.record_counts(self.connection, person_id)

    def add_removal_request(self, *, person_id: str, received_at: datetime, deadline: date,
                            logged_by: str) -> int:
        from gvm.storage import reviews as review_store
        return review_store.add_removal_request(self.connection, person_id=person_id,
                                                received_at=received_at, deadline=deadline,
                                                logged_by=logged_by)

    def removal_request(self, request_id: int) -> object:
        from gvm.storage import reviews as review_store
        return review_store.removal_request(self.connection, request_id)

    def removal_requests(self, *, person_id: str | None = None,
                         unanswered: bool = False) -> list:
        from gvm.storage import reviews as review_store
        return review_store.removal_requests_list(self.connection, person_id=person_id,
                                                  unanswered=unanswered)

    def answer_removal_request(self, request_id: int, **values: object) -> bool:
        from gvm.storage import reviews as review_store
        return review_store.answer_removal_request(self.connection, request_id, **values)  # type: ignore[arg-type]
