"""The register's tables, as SQLAlchemy Core (no ORM: bulk import and scoring read
columns, not objects). Names, types and constraints work on SQLite and PostgreSQL alike.
Strings carry no length (SQLite would not enforce one, PostgreSQL would: the backends
would disagree); enum-valued columns are bounded by CHECK constraints instead.

This module describes the schema at head; `migrations/versions/` creates it. A test
compares the two, so a change here without a migration fails the build.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from gvm.authz.roles import Role as UserRole
from gvm.domain.audit import Operation
from gvm.domain.model import (
    Ethnicity,
    GangRelation,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Outcome,
    Role,
    Sex,
    SourceGrade,
    SourceType,
)

BANDS = ("Red", "Amber", "Green", "Zero")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always UTC: aware datetimes in, aware UTC datetimes out.

    PostgreSQL stores timestamptz; SQLite stores naive UTC text.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column: str, values: type[StrEnum] | tuple[str, ...]) -> CheckConstraint:
    """CHECK that an enum-valued column holds one of its allowed short strings."""
    allowed = [m.value for m in values] if isinstance(values, type) else list(values)
    listed = ", ".join(f"'{v}'" for v in allowed)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


def _person_fk() -> ForeignKey:
    return ForeignKey("people.person_id", ondelete="CASCADE")


boroughs = Table(
    "boroughs", metadata,
    Column("code", String, primary_key=True),  # GSS code E09000001..E09000033
    Column("name", String, nullable=False),
    Column("population", Integer, nullable=False),
)

people = Table(
    "people", metadata,
    Column("person_id", String, primary_key=True),
    Column("surname", String, nullable=False),
    Column("forenames", String, nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("sex", String, nullable=False),
    Column("ethnicity", String, nullable=True),  # None: not stated
    Column("borough_code", String, ForeignKey("boroughs.code"), nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_updated", UTCDateTime, nullable=False),
    one_of("sex", Sex),
    one_of("ethnicity", Ethnicity),
    # In the name search's order: a page of one name's people needs no sort (0010).
    Index("ix_people_surname_order", "surname", "forenames", "person_id"),
    Index("ix_people_forenames_order", "forenames", "surname", "person_id"),
    Index("ix_people_date_of_birth", "date_of_birth"),
    Index("ix_people_borough_code", "borough_code"),
)

aliases = Table(
    "aliases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("surname", String, nullable=False),
    Column("forenames", String, nullable=False),
    UniqueConstraint("person_id", "surname", "forenames"),  # also serves person_id lookups
    Index("ix_aliases_name", "surname", "forenames"),
)

gangs = Table(
    "gangs", metadata,
    Column("gang_id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("borough_code", String, ForeignKey("boroughs.code"), nullable=False),
    Index("ix_gangs_borough_code", "borough_code"),
)

# Recorded rivalries and alliances between two gangs (the optional gang_relations file).
# About groups, not people. The importer stores each pair in one order (sorted ids).
gang_relations = Table(
    "gang_relations", metadata,
    Column("gang_a", String, ForeignKey("gangs.gang_id"), nullable=False),
    Column("gang_b", String, ForeignKey("gangs.gang_id"), nullable=False),
    Column("relation", String, nullable=False),
    Column("date", Date, nullable=False),
    Column("source", String, nullable=False),
    PrimaryKeyConstraint("gang_a", "gang_b", "relation", "date"),
    CheckConstraint("gang_a <> gang_b", name="gang_pair"),
    one_of("relation", GangRelation),
    Index("ix_gang_relations_gang_b", "gang_b"),
)

offences = Table(
    "offences", metadata,
    Column("event_id", String, nullable=False),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("role", String, nullable=False),
    Column("date", Date, nullable=False),
    Column("ho_offence_code", String, nullable=False),
    Column("outcome", String, nullable=True),
    PrimaryKeyConstraint("event_id", "person_id"),
    one_of("role", Role),
    one_of("outcome", Outcome),
    Index("ix_offences_person_id", "person_id"),
)

intelligence = Table(
    "intelligence", metadata,
    Column("intel_id", String, primary_key=True),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("gang_id", String, ForeignKey("gangs.gang_id"), nullable=True),
    Column("date", Date, nullable=False),
    Column("category", String, nullable=False),
    Column("source_id", String, nullable=False),
    Column("source_type", String, nullable=False),
    Column("source_grade", String, nullable=False),
    Column("intel_grade", String, nullable=False),
    Column("handling_code", String, nullable=False),
    Column("summary", Text, nullable=False),
    one_of("category", IntelCategory),
    one_of("source_type", SourceType),
    one_of("source_grade", SourceGrade),
    one_of("intel_grade", IntelGrade),
    one_of("handling_code", HandlingCode),
    Index("ix_intelligence_person_id", "person_id"),
    Index("ix_intelligence_gang_id", "gang_id"),
)

custody = Table(
    "custody", metadata,
    Column("person_id", String, _person_fk(), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),  # None while in custody
    PrimaryKeyConstraint("person_id", "start_date"),  # serves person_id lookups
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("source_name", String, nullable=False),  # file name only, never a path
    Column("sha256", String(64), nullable=False),
    Column("counts", JSON, nullable=False),
    Index("ix_imports_sha256", "sha256"),
)

score_runs = Table(
    "score_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("policy_name", String, nullable=False),
    Column("policy_version", String, nullable=False),
    Column("policy_hash", String(64), nullable=False),
    Column("scope", String, ForeignKey("boroughs.code"), nullable=True),  # None: force-wide
    Column("created_at", UTCDateTime, nullable=False),
    Column("people_count", Integer, nullable=False),
    Index("ix_score_runs_as_of", "as_of"),
)

scores = Table(
    "scores", metadata,
    Column("run_id", Integer, ForeignKey("score_runs.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("harm_units", BigInteger, nullable=False),  # score x 1e8, exact
    Column("victim_units", BigInteger, nullable=False),
    Column("harm_band", String, nullable=False),
    Column("victim_band", String, nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("in_custody", Boolean, nullable=False),
    PrimaryKeyConstraint("run_id", "person_id"),
    one_of("harm_band", BANDS),
    one_of("victim_band", BANDS),
    Index("ix_scores_person_id", "person_id", "run_id"),
)

# s.62 log (R-LOG). Append-only (triggers, see the migration) and hash-chained: seq is
# assigned by gvm as head + 1 under a lock, so the chain has no gaps from rollbacks.
audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("actor_role", String, nullable=False),
    Column("operation", String, nullable=False),
    Column("justification", Text, nullable=False),
    Column("record_type", String, nullable=False),
    Column("record_ids", Text, nullable=False),  # canonical JSON list of ids
    Column("recipient", String, nullable=True),
    Column("detail", Text, nullable=False),  # canonical JSON object, never personal data
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    one_of("operation", Operation),
    Index("ix_audit_log_record_type", "record_type", "operation"),
)

# Accounts of the register's users (staff and partners), never of nominals. Passwords are
# argon2id hashes; session and API tokens are stored only as their sha256, so a copy of
# the database signs no one in.
users = Table(
    "users", metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String, nullable=False),
    Column("password_hash", String, nullable=False),
    Column("role", String, nullable=False),
    Column("borough_code", String, ForeignKey("boroughs.code"), nullable=True),
    Column("organisation", String, nullable=True),
    Column("totp_secret", String, nullable=True),
    Column("mfa_enrolled", Boolean, nullable=False),
    Column("totp_last_step", BigInteger, nullable=True),  # replay guard: last step accepted
    Column("failed_logins", Integer, nullable=False),  # consecutive
    Column("locked_until", UTCDateTime, nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=True),
    UniqueConstraint("username"),
    one_of("role", UserRole),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex of the cookie token
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"),
           nullable=False),
    Column("csrf_token", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("absolute_expiry", UTCDateTime, nullable=False),
    Index("ix_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("token_id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),  # sha256 hex of the token
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"),
           nullable=False),
    Column("name", String, nullable=False),
    Column("scopes", Text, nullable=False),  # canonical JSON list of permissions
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    UniqueConstraint("token_hash"),
    Index("ix_api_tokens_user_id", "user_id"),
)

# Who is on the register (R-HUMAN): the current state per person, and the history of
# the named supervisors' decisions with the score they saw. Both go with the person.
REGISTER_STATUSES = ("on", "off")
REGISTER_DECISIONS = ("include", "remove")

register_entries = Table(
    "register_entries", metadata,
    Column("person_id", String, _person_fk(), primary_key=True),
    Column("status", String, nullable=False),
    Column("since", UTCDateTime, nullable=False),
    Column("decided_by", String, nullable=False),  # user name
    Column("rationale", Text, nullable=False),
    one_of("status", REGISTER_STATUSES),
    Index("ix_register_entries_status", "status"),
)

register_decisions = Table(
    "register_decisions", metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("decision", String, nullable=False),
    Column("decided_by", String, nullable=False),
    Column("decided_by_role", String, nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("as_of", Date, nullable=False),  # the scoring date of the snapshot below
    Column("harm_units", BigInteger, nullable=False),
    Column("victim_units", BigInteger, nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("policy_version", String, nullable=False),
    Column("policy_hash", String(64), nullable=False),
    one_of("decision", REGISTER_DECISIONS),
    Index("ix_register_decisions_person_id", "person_id", "decided_at"),
)

PERSONAL_TABLES = (people, aliases, offences, intelligence, custody, scores, register_entries,
                   register_decisions)

# Information Sharing Agreements and disclosures (R-ISA, R-SELECTED, R-NOT-SOLE,
# R-ACCURACY). An ISA names no one. `disclosure_items` keep who received whose record as
# ids only, with no foreign key to people, so the list of earlier recipients survives the
# person's erasure (R-ACCURACY); the content disclosed (`disclosure_contents`, personal
# data) goes with the person (R-RETENTION).
from gvm.domain.sharing import DisclosableField, OrganisationType  # noqa: E402

isas = Table(
    "isas", metadata,
    Column("isa_id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String, nullable=False),
    Column("organisation_type", String, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("handling_conditions", Text, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("created_by", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    one_of("organisation_type", OrganisationType),
    Index("ix_isas_organisation", "organisation"),
)

isa_boroughs = Table(
    "isa_boroughs", metadata,
    Column("isa_id", Integer, ForeignKey("isas.isa_id", ondelete="CASCADE"), nullable=False),
    Column("borough_code", String, ForeignKey("boroughs.code"), nullable=False),
    PrimaryKeyConstraint("isa_id", "borough_code"),
)

isa_fields = Table(
    "isa_fields", metadata,
    Column("isa_id", Integer, ForeignKey("isas.isa_id", ondelete="CASCADE"), nullable=False),
    Column("field", String, nullable=False),
    PrimaryKeyConstraint("isa_id", "field"),
    one_of("field", DisclosableField),
)

disclosures = Table(
    "disclosures", metadata,
    Column("disclosure_id", Integer, primary_key=True, autoincrement=True),
    Column("isa_id", Integer, ForeignKey("isas.isa_id"), nullable=False),
    Column("recipient", String, nullable=False),  # the ISA's organisation, as then named
    Column("made_by", String, nullable=False),
    Column("made_by_role", String, nullable=False),
    Column("made_at", UTCDateTime, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("policy_version", String, nullable=False),
    Column("fields", Text, nullable=False),  # canonical JSON list of DisclosableField
    Column("handling_conditions", Text, nullable=False),
    Column("condition", Text, nullable=False),  # NOT_SOLE_BASIS as sent
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("acknowledged_by", String, nullable=True),
    Index("ix_disclosures_recipient", "recipient"),
    Index("ix_disclosures_isa_id", "isa_id"),
)

disclosure_items = Table(
    "disclosure_items", metadata,
    Column("disclosure_id", Integer,
           ForeignKey("disclosures.disclosure_id", ondelete="CASCADE"), nullable=False),
    Column("person_id", String, nullable=False),  # no FK: survives erasure (R-ACCURACY)
    PrimaryKeyConstraint("disclosure_id", "person_id"),
    Index("ix_disclosure_items_person_id", "person_id"),
)

disclosure_contents = Table(
    "disclosure_contents", metadata,
    Column("disclosure_id", Integer,
           ForeignKey("disclosures.disclosure_id", ondelete="CASCADE"), nullable=False),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("content", Text, nullable=False),  # canonical JSON of the fields sent
    PrimaryKeyConstraint("disclosure_id", "person_id"),
    Index("ix_disclosure_contents_person_id", "person_id"),
)

# Quarterly cohort reviews (R-REVIEW) and removal requests (R-SUBJECT). A review lists
# every person on the borough's register with the scores the lead saw; each item gets one
# recorded decision, and items go with the person on erasure. A removal request keeps
# the person id only, with no foreign key, so it survives the erasure it may lead to.
from gvm.domain.reviews import RemovalOutcome, ReviewDecision  # noqa: E402

cohort_reviews = Table(
    "cohort_reviews", metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=True),
    Column("borough_code", String, ForeignKey("boroughs.code"), nullable=False),
    Column("opened_by", String, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),  # None while open
    Column("closed_by", String, nullable=True),
    Index("ix_cohort_reviews_borough_code", "borough_code", "closed_at"),
)

review_items = Table(
    "review_items", metadata,
    Column("review_id", Integer, ForeignKey("cohort_reviews.review_id", ondelete="CASCADE"),
           nullable=False),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("decision", String, nullable=True),  # None until decided
    Column("rationale", Text, nullable=True),
    Column("decided_by", String, nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("harm_units", BigInteger, nullable=False),
    Column("victim_units", BigInteger, nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("policy_hash", String(64), nullable=False),
    PrimaryKeyConstraint("review_id", "person_id"),
    one_of("decision", ReviewDecision),
    Index("ix_review_items_person_id", "person_id"),
)

removal_requests = Table(
    "removal_requests", metadata,
    Column("request_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String, nullable=False),  # no FK: survives erasure (R-SUBJECT)
    Column("received_at", UTCDateTime, nullable=False),
    Column("deadline", Date, nullable=False),  # received + 30 days
    Column("logged_by", String, nullable=False),
    Column("outcome", String, nullable=True),  # None until answered
    Column("answered_at", UTCDateTime, nullable=True),
    Column("answered_by", String, nullable=True),
    one_of("outcome", RemovalOutcome),
    Index("ix_removal_requests_person_id", "person_id"),
)

# Meetings and diversion referrals, the queue of stale scores and the current scores
# (incremental freshness) and the name search's vocabulary live in modules of their own,
# on this metadata.
from gvm.storage.freshness_tables import current_scores, score_queue  # noqa: E402, F401
from gvm.storage.governance_tables import (  # noqa: E402, F401
    guardian_contacts,
    meeting_actions,
    meeting_attendees,
    meetings,
    support_referrals,
)
from gvm.storage.name_tables import NAME_SEARCH_OBJECTS, name_vocabulary  # noqa: E402, F401
