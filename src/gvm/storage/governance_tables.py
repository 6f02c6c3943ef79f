"""Tables of the four-weekly borough meetings and diversion referrals, on the metadata of
gvm.storage.tables (import them from there: that module imports this one last)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from gvm.domain.diversion import ReferralOutcome
from gvm.domain.meetings import AttendeeKind
from gvm.storage.tables import UTCDateTime, _person_fk, metadata, one_of

# Four-weekly borough meetings (R-MEETING, R-CONFIDENTIAL): the schedule, who attends
# and each attendee's signed agreement for that meeting, and the actions recorded. An
# action about a person goes with the person on erasure; a meeting names no nominal.

meetings = Table(
    "meetings", metadata,
    Column("meeting_id", Integer, primary_key=True, autoincrement=True),
    Column("borough_code", String, ForeignKey("boroughs.code"), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("agenda", Text, nullable=False),  # canonical JSON list of agenda items
    Column("scheduled_by", String, nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    UniqueConstraint("borough_code", "held_on"),
)

meeting_attendees = Table(
    "meeting_attendees", metadata,
    Column("attendee_id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.meeting_id", ondelete="CASCADE"),
           nullable=False),
    Column("kind", String, nullable=False),
    Column("name", String, nullable=False),  # username, or the representative's name
    Column("organisation", String, nullable=True),  # None for police users
    Column("added_by", String, nullable=False),
    Column("signed_at", UTCDateTime, nullable=True),  # None until signed
    Column("agreement_version", String, nullable=True),
    Column("read_out_by", String, nullable=True),
    one_of("kind", AttendeeKind),
    UniqueConstraint("meeting_id", "kind", "name"),
)

meeting_actions = Table(
    "meeting_actions", metadata,
    Column("action_id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.meeting_id", ondelete="CASCADE"),
           nullable=False),
    Column("description", Text, nullable=False),
    Column("owner", String, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("person_id", String, _person_fk(), nullable=True),
    Column("recorded_by", String, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_meeting_actions_meeting_id", "meeting_id"),
    Index("ix_meeting_actions_person_id", "person_id"),
)

# Diversion referrals (R-DIVERT): personal data, erased with the person.
support_referrals = Table(
    "support_referrals", metadata,
    Column("referral_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("organisation", String, nullable=False),
    Column("referred_on", Date, nullable=False),
    Column("referred_by", String, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("outcome", String, nullable=True),  # None while open
    Column("outcome_on", Date, nullable=True),
    Column("outcome_by", String, nullable=True),
    one_of("outcome", ReferralOutcome),
    Index("ix_support_referrals_person_id", "person_id"),
)

# The parent or guardian a subject report about a child went to (policy [children]):
# erased with the child, like the rest of their record.
guardian_contacts = Table(
    "guardian_contacts", metadata,
    Column("contact_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String, _person_fk(), nullable=False),
    Column("purpose", String, nullable=False),  # what went to them: "subject_report"
    Column("guardian", String, nullable=False),
    Column("recorded_by", String, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_guardian_contacts_person_id", "person_id"),
)
