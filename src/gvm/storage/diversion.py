"""Diversion referrals (gvm.services.diversion): SQL Core, plain values out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from gvm.domain.diversion import Referral, ReferralOutcome
from gvm.storage.tables import support_referrals


def _referral(row: Any) -> Referral:
    return Referral(row.referral_id, row.person_id, row.organisation, row.referred_on,
                    row.referred_by, row.recorded_at,
                    None if row.outcome is None else ReferralOutcome(row.outcome),
                    row.outcome_on, row.outcome_by)


def add_referral(conn: Connection, *, person_id: str, organisation: str, referred_on: date,
                 referred_by: str, recorded_at: datetime) -> int:
    return int(conn.execute(insert(support_referrals).values(
        person_id=person_id, organisation=organisation, referred_on=referred_on,
        referred_by=referred_by, recorded_at=recorded_at,
    ).returning(support_referrals.c.referral_id)).scalar_one())


def referral(conn: Connection, referral_id: int) -> Referral | None:
    row = conn.execute(select(support_referrals)
                       .where(support_referrals.c.referral_id == referral_id)).first()
    return None if row is None else _referral(row)


def referrals_of(conn: Connection, person_ids: Iterable[str]) -> list[Referral]:
    ids = list(person_ids)
    if not ids:
        return []
    r = support_referrals.c
    rows = conn.execute(select(support_referrals).where(r.person_id.in_(ids))
                        .order_by(r.person_id, r.referred_on, r.referral_id))
    return [_referral(row) for row in rows]


def record_outcome(conn: Connection, referral_id: int, *, outcome: ReferralOutcome,
                   outcome_on: date, outcome_by: str) -> bool:
    """Record the outcome once; False if it already has one."""
    r = support_referrals.c
    result = conn.execute(update(support_referrals)
                          .where(r.referral_id == referral_id, r.outcome.is_(None))
                          .values(outcome=outcome.value, outcome_on=outcome_on,
                                  outcome_by=outcome_by))
    return result.rowcount > 0
