"""What the use cases need from storage, as Protocols. The storage package provides
them; unit tests can provide fakes. Services never import SQLAlchemy.

A unit-of-work factory is called as `factory()` for a writing unit of work or
`factory(read_only=True)` for one that only reads (on SQLite it neither waits for nor
holds up a writer). A read that must be logged (a consultation) reads in a read-only unit
of work and ends with `commit_audit(event)`, which returns only once the entry is
committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

import polars as pl

from gvm.authz.accounts import ApiTokenRecord, Principal, SessionRecord, UserRecord
from gvm.authz.roles import Role
from gvm.domain.audit import AuditEvent
from gvm.domain.model import Alias, Bundle, Intelligence, Person, PersonRecords
from gvm.domain.policy import Policy
from gvm.domain.register import CohortMember, Decision, RegisterState, RegisterStatus
from gvm.domain.views import GangSummary, PersonHit, PersonQuery, ScoreRunSummary


class UnitOfWork(Protocol):
    """One transaction: everything done through it, audit records included, commits
    together or not at all."""

    def commit(self) -> None: ...

    def save_bundle(self, bundle: Bundle, *, source_name: str, sha256: str) -> dict[str, Any]: ...

    def save_bundle_chunks(self, chunks: Iterable[tuple[str, Sequence[Any]]], *,
                           source_name: str, sha256: str | Callable[[], str]
                           ) -> dict[str, Any]: ...

    def scoring_frames(
        self, borough: str | None = None,
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]: ...

    def reduce_scoring_frames(
        self, reduce: Callable[..., pl.DataFrame], borough: str | None = None,
    ) -> pl.DataFrame: ...

    def person(self, person_id: str) -> Person | None: ...

    def person_records(self, person_id: str, *, known: bool = False
                       ) -> PersonRecords | None: ...

    def save_score_run(
        self, as_of: date, policy: Policy, scores: pl.DataFrame, scope: str | None = None,
    ) -> int: ...

    def append_audit(self, event: AuditEvent) -> int: ...

    def commit_audit(self, event: AuditEvent) -> int: ...

    def people_boroughs(self, borough: str | None = None) -> pl.DataFrame: ...

    def verify_audit(self) -> Any: ...


UnitOfWorkFactory = Callable[..., AbstractContextManager[UnitOfWork]]


class FreshnessUnitOfWork(UnitOfWork, Protocol):
    """The queue of stale scores and the current scores (gvm.services.freshness). The
    queue is filled by the storage itself, in the transaction of every write of a
    person's records."""

    def any_stale(self) -> bool: ...

    def stale_count(self) -> int: ...

    def stale_people(self) -> list[str]: ...

    def claim_stale(self, limit: int) -> list[str]: ...

    def scoring_frames_of(
        self, person_ids: list[str], *, offences_after: date | None = None,
        intelligence_after: dict[str, date] | None = None,
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]: ...

    def save_current_scores(self, as_of: date, policy: Policy, scores: pl.DataFrame) -> int: ...

    def remove_stale(self, person_ids: list[str]) -> None: ...


FreshnessUnitOfWorkFactory = Callable[..., AbstractContextManager[FreshnessUnitOfWork]]


class AccountsUnitOfWork(Protocol):
    """Users, sessions and API tokens (gvm.services.accounts, gvm.services.sessions)."""

    def commit(self) -> None: ...

    def append_audit(self, event: AuditEvent) -> int: ...

    def add_user(self, *, username: str, password_hash: str, role: Role,
                 borough_code: str | None, organisation: str | None, totp_secret: str,
                 now: datetime) -> int: ...

    def user_by_name(self, username: str, *, for_update: bool = False
                     ) -> UserRecord | None: ...

    def user_by_id(self, user_id: int) -> UserRecord | None: ...

    def list_users(self) -> list[UserRecord]: ...

    def update_user(self, user_id: int, **values: Any) -> bool: ...

    def add_session(self, *, token_hash: str, user_id: int, csrf_token: str, now: datetime,
                    absolute_expiry: datetime) -> None: ...

    def session_with_user(self, token_hash: str
                          ) -> tuple[SessionRecord, Principal] | None: ...

    def touch_session(self, token_hash: str, now: datetime) -> None: ...

    def delete_session(self, token_hash: str) -> bool: ...

    def delete_user_sessions(self, user_id: int) -> int: ...

    def add_api_token(self, *, token_hash: str, user_id: int, name: str, scopes: Any,
                      now: datetime, expires_at: datetime) -> int: ...

    def api_token_with_user(self, token_hash: str
                            ) -> tuple[ApiTokenRecord, Principal] | None: ...

    def touch_api_token(self, token_id: int, now: datetime) -> None: ...

    def revoke_user_tokens(self, user_id: int) -> int: ...


# Called as (read_only=..., wait=...): a writing unit asked not to `wait` raises
# TimeoutError at once if another writer holds the register.
AccountsUnitOfWorkFactory = Callable[..., AbstractContextManager[AccountsUnitOfWork]]


class RegisterUnitOfWork(UnitOfWork, Protocol):
    """Who is on the register: the decisions of named supervisors (R-HUMAN)."""

    def register_entry(self, person_id: str) -> RegisterStatus | None: ...

    def save_register_decision(self, decision: Decision, state: RegisterState) -> int: ...

    def register_decisions(self, person_id: str) -> list[Decision]: ...

    def register_cohort(self, borough_code: str) -> list[CohortMember]: ...


RegisterUnitOfWorkFactory = Callable[..., AbstractContextManager[RegisterUnitOfWork]]


class RecordsUnitOfWork(RegisterUnitOfWork, Protocol):
    """The web API's read side, intelligence corrections and the DPO's log queries
    (gvm.services.records, .intelligence, .score_runs, .oversight)."""

    def aliases(self, person_id: str) -> list[Alias]: ...

    def search_people(self, query: PersonQuery) -> list[PersonHit]: ...

    def people_summaries(self, person_ids: list[str]) -> list[PersonHit]: ...

    def gangs(self, boroughs: list[str] | None = None) -> list[GangSummary]: ...

    def gang_borough(self, gang_id: str) -> str | None: ...

    def intelligence_item(self, intel_id: str) -> Intelligence | None: ...

    def add_intelligence(self, item: Intelligence) -> None: ...

    def replace_intelligence(self, item: Intelligence) -> bool: ...

    def score_run_summary(self, run_id: int) -> ScoreRunSummary | None: ...

    def recipients_of(self, person_id: str) -> list[Any]: ...

    def disclosure(self, disclosure_id: int) -> Any: ...

    def audit_search(self, *, record_id: str | None = None, actor: str | None = None,
                     operation: Any = None, since: datetime | None = None,
                     until: datetime | None = None, after_seq: int | None = None,
                     limit: int | None = None) -> list[Any]: ...


RecordsUnitOfWorkFactory = Callable[..., AbstractContextManager[RecordsUnitOfWork]]


class ReportsUnitOfWork(UnitOfWork, Protocol):
    """Equality monitoring and the quarterly release (gvm.services.oversight_reports)."""

    def equality_frames(self, after: date, until: date
                        ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]: ...

    def gang_frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]: ...


ReportsUnitOfWorkFactory = Callable[[], AbstractContextManager[ReportsUnitOfWork]]


class ReviewsUnitOfWork(RegisterUnitOfWork, Protocol):
    """Quarterly cohort reviews, erasure and retention, subject access and removal
    requests (gvm.services.reviews, .retention, .subject)."""

    def aliases(self, person_id: str) -> list[Alias]: ...

    def erase_person(self, person_id: str) -> bool: ...

    def add_review(self, *, borough_code: str, opened_by: str, opened_at: datetime,
                   as_of: date, items: Any) -> int: ...

    def review(self, review_id: int) -> Any: ...

    def open_review_of(self, borough_code: str) -> Any: ...

    def review_items(self, review_id: int) -> list[Any]: ...

    def person_review_items(self, person_id: str) -> list[Any]: ...

    def decide_review_item(self, review_id: int, person_id: str, **values: Any) -> bool: ...

    def close_review(self, review_id: int, *, closed_by: str, closed_at: datetime) -> bool: ...

    def last_closed_reviews(self) -> dict[str, datetime]: ...

    def on_register(self) -> list[Any]: ...

    def last_reviewed(self) -> dict[str, datetime]: ...

    def never_on_register(self) -> list[Any]: ...

    def open_custody(self) -> set[str]: ...

    def record_counts(self, person_id: str) -> dict[str, int]: ...

    def add_removal_request(self, *, person_id: str, received_at: datetime, deadline: date,
                            logged_by: str) -> int: ...

    def removal_request(self, request_id: int) -> Any: ...

    def removal_requests(self, *, person_id: str | None = None,
                         unanswered: bool = False) -> list[Any]: ...

    def answer_removal_request(self, request_id: int, **values: Any) -> bool: ...

    def recipients_of(self, person_id: str) -> list[Any]: ...

    def disclosure(self, disclosure_id: int) -> Any: ...

    def referrals_of(self, person_ids: list[str]) -> list[Any]: ...

    def add_guardian_contact(self, *, person_id: str, purpose: str, guardian: str,
                             recorded_by: str, recorded_at: datetime) -> int: ...

    def audit_search(self, *, record_id: str | None = None, actor: str | None = None,
                     operation: Any = None, since: datetime | None = None,
                     until: datetime | None = None, after_seq: int | None = None,
                     limit: int | None = None) -> list[Any]: ...


ReviewsUnitOfWorkFactory = Callable[..., AbstractContextManager[ReviewsUnitOfWork]]


class MeetingsUnitOfWork(ReviewsUnitOfWork, Protocol):
    """Four-weekly borough meetings and diversion referrals (gvm.services.meetings,
    .meeting_packs, .diversion); ISAs and users to decide who may receive a pack."""

    def add_meeting(self, *, borough_code: str, held_on: date, agenda: list[str],
                    scheduled_by: str, scheduled_at: datetime) -> int: ...

    def meeting(self, meeting_id: int) -> Any: ...

    def meetings_of(self, borough_code: str) -> list[Any]: ...

    def previous_meeting(self, borough_code: str, before: date) -> Any: ...

    def add_attendee(self, *, meeting_id: int, kind: Any, name: str,
                     organisation: str | None, added_by: str) -> int: ...

    def attendees(self, meeting_id: int) -> list[Any]: ...

    def sign_agreement(self, attendee_id: int, *, signed_at: datetime, version: str,
                       read_out_by: str) -> bool: ...

    def add_action(self, *, meeting_id: int, description: str, owner: str, due_on: date,
                   person_id: str | None, recorded_by: str, recorded_at: datetime) -> int: ...

    def meeting_actions(self, meeting_id: int) -> list[Any]: ...

    def decisions_between(self, borough_code: str, after: datetime | None,
                          until: datetime) -> list[Any]: ...

    def add_referral(self, *, person_id: str, organisation: str, referred_on: date,
                     referred_by: str, recorded_at: datetime) -> int: ...

    def referral(self, referral_id: int) -> Any: ...

    def record_referral_outcome(self, referral_id: int, **values: Any) -> bool: ...

    def list_isas(self, organisation: str | None = None) -> list[Any]: ...

    def add_disclosure(self, record: Any, *, made_by_role: str, contents: Any) -> int: ...

    def user_by_name(self, username: str, *, for_update: bool = False
                     ) -> UserRecord | None: ...


MeetingsUnitOfWorkFactory = Callable[..., AbstractContextManager[MeetingsUnitOfWork]]
