"""The unit of work's meetings and diversion methods (gvm.storage.meetings, .diversion),
kept apart so unit_of_work.py stays readable; UnitOfWork mixes them in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, insert

from gvm.domain.diversion import Referral, ReferralOutcome
from gvm.domain.meetings import Action, Attendee, AttendeeKind, Meeting
from gvm.storage import diversion as referral_store
from gvm.storage import meetings as meeting_store
from gvm.storage.tables import guardian_contacts


class GovernanceMethods:
    connection: Connection

    # four-weekly borough meetings (R-MEETING, R-CONFIDENTIAL)
    def add_meeting(self, *, borough_code: str, held_on: date, agenda: list[str],
                    scheduled_by: str, scheduled_at: datetime) -> int:
        return meeting_store.add_meeting(self.connection, borough_code=borough_code,
                                         held_on=held_on, agenda=agenda,
                                         scheduled_by=scheduled_by, scheduled_at=scheduled_at)

    def meeting(self, meeting_id: int) -> Meeting | None:
        return meeting_store.meeting(self.connection, meeting_id)

    def meetings_of(self, borough_code: str) -> list[Meeting]:
        return meeting_store.meetings_of(self.connection, borough_code)

    def previous_meeting(self, borough_code: str, before: date) -> Meeting | None:
        return meeting_store.previous_meeting(self.connection, borough_code, before)

    def add_attendee(self, *, meeting_id: int, kind: AttendeeKind, name: str,
                     organisation: str | None, added_by: str) -> int:
        return meeting_store.add_attendee(self.connection, meeting_id=meeting_id, kind=kind,
                                          name=name, organisation=organisation,
                                          added_by=added_by)

    def attendees(self, meeting_id: int) -> list[Attendee]:
        return meeting_store.attendees(self.connection, meeting_id)

    def sign_agreement(self, attendee_id: int, *, signed_at: datetime, version: str,
                       read_out_by: str) -> bool:
        return meeting_store.sign(self.connection, attendee_id, signed_at=signed_at,
                                  version=version, read_out_by=read_out_by)

    def add_action(self, *, meeting_id: int, description: str, owner: str, due_on: date,
                   person_id: str | None, recorded_by: str, recorded_at: datetime) -> int:
        return meeting_store.add_action(self.connection, meeting_id=meeting_id,
                                        description=description, owner=owner, due_on=due_on,
                                        person_id=person_id, recorded_by=recorded_by,
                                        recorded_at=recorded_at)

    def meeting_actions(self, meeting_id: int) -> list[Action]:
        return meeting_store.actions(self.connection, meeting_id)

    def decisions_between(self, borough_code: str, after: datetime | None,
                          until: datetime) -> list[tuple[str, str, datetime]]:
        return meeting_store.decisions_between(self.connection, borough_code, after, until)

    # diversion referrals (R-DIVERT)
    def add_referral(self, *, person_id: str, organisation: str, referred_on: date,
                     referred_by: str, recorded_at: datetime) -> int:
        return referral_store.add_referral(self.connection, person_id=person_id,
                                           organisation=organisation, referred_on=referred_on,
                                           referred_by=referred_by, recorded_at=recorded_at)

    def referral(self, referral_id: int) -> Referral | None:
        return referral_store.referral(self.connection, referral_id)

    def referrals_of(self, person_ids: Iterable[str]) -> list[Referral]:
        return referral_store.referrals_of(self.connection, person_ids)

    def record_referral_outcome(self, referral_id: int, *, outcome: ReferralOutcome,
                                outcome_on: date, outcome_by: str) -> bool:
        return referral_store.record_outcome(self.connection, referral_id, outcome=outcome,
                                             outcome_on=outcome_on, outcome_by=outcome_by)

    # the parent or guardian a report about a child went to (policy [children])
    def add_guardian_contact(self, *, person_id: str, purpose: str, guardian: str,
                             recorded_by: str, recorded_at: datetime) -> int:
        return int(self.connection.execute(insert(guardian_contacts).values(
            person_id=person_id, purpose=purpose, guardian=guardian, recorded_by=recorded_by,
            recorded_at=recorded_at).returning(guardian_contacts.c.contact_id)).scalar_one())
