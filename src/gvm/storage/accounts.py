"""Users, sessions and API tokens in and out. Policy (password rules, lockout, expiry)
lives in gvm.services.accounts and gvm.services.sessions; these functions only read and
write rows, inside the caller's transaction. Tokens arrive already hashed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from gvm.authz.accounts import ApiTokenRecord, Principal, SessionRecord, UserRecord
from gvm.authz.roles import Role
from gvm.storage.prepared import Prepared
from gvm.storage.tables import api_tokens, sessions, users


def _user(row: Any) -> UserRecord:
    return UserRecord(
        user_id=row.user_id, username=row.username, password_hash=row.password_hash,
        role=Role(row.role), borough_code=row.borough_code, organisation=row.organisation,
        totp_secret=row.totp_secret, mfa_enrolled=bool(row.mfa_enrolled),
        totp_last_step=row.totp_last_step, failed_logins=row.failed_logins,
        locked_until=row.locked_until, disabled=bool(row.disabled), created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def add_user(conn: Connection, *, username: str, password_hash: str, role: Role,
             borough_code: str | None, organisation: str | None, totp_secret: str,
             now: datetime) -> int:
    result = conn.execute(insert(users).values(
        username=username, password_hash=password_hash, role=role.value,
        borough_code=borough_code, organisation=organisation, totp_secret=totp_secret,
        mfa_enrolled=False, totp_last_step=None, failed_logins=0, locked_until=None,
        disabled=False, created_at=now, last_login_at=None,
    ).returning(users.c.user_id))
    return int(result.scalar_one())


def user_by_name(conn: Connection, username: str, *, for_update: bool = False
                 ) -> UserRecord | None:
    """`for_update` locks the row (PostgreSQL) so concurrent sign-ins count failures and
    consume TOTP steps one at a time; SQLite's write lock already serialises them."""
    stmt = select(users).where(users.c.username == username)
    if for_update:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return None if row is None else _user(row)


def user_by_id(conn: Connection, user_id: int) -> UserRecord | None:
    row = conn.execute(select(users).where(users.c.user_id == user_id)).first()
    return None if row is None else _user(row)


def list_users(conn: Connection) -> list[UserRecord]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def update_user(conn: Connection, user_id: int, **values: Any) -> bool:
    """Set columns of one user; False if there is no such user."""
    unknown = set(values) - set(users.c.keys())
    if unknown or "user_id" in values:
        raise ValueError(f"update_user: unknown or fixed columns {sorted(unknown)}")
    result = conn.execute(update(users).where(users.c.user_id == user_id).values(**values))
    return result.rowcount > 0


# sessions
def add_session(conn: Connection, *, token_hash: str, user_id: int, csrf_token: str,
                now: datetime, absolute_expiry: datetime) -> None:
    conn.execute(insert(sessions).values(
        token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now,
        last_seen_at=now, absolute_expiry=absolute_expiry))


def _session(row: Any) -> SessionRecord:
    return SessionRecord(token_hash=row.token_hash, user_id=row.s_user_id,
                         csrf_token=row.csrf_token, created_at=row.s_created_at,
                         last_seen_at=row.last_seen_at, absolute_expiry=row.absolute_expiry)


# Every request looks its caller up with one of these two (prepared:
# gvm.storage.prepared), reading of the user only what the check needs (a Principal).
_PRINCIPAL = (users.c.user_id, users.c.username, users.c.role, users.c.borough_code,
              users.c.organisation, users.c.disabled)
_SESSION_WITH_USER = Prepared(
    select(*_PRINCIPAL, sessions.c.token_hash, sessions.c.user_id.label("s_user_id"),
           sessions.c.csrf_token, sessions.c.created_at.label("s_created_at"),
           sessions.c.last_seen_at, sessions.c.absolute_expiry)
    .join_from(sessions, users, sessions.c.user_id == users.c.user_id)
    .where(sessions.c.token_hash == bindparam("token_hash")))
_TOKEN_WITH_USER = Prepared(
    select(*_PRINCIPAL, api_tokens.c.token_id, api_tokens.c.user_id.label("t_user_id"),
           api_tokens.c.name, api_tokens.c.scopes, api_tokens.c.created_at.label("t_created_at"),
           api_tokens.c.expires_at, api_tokens.c.revoked, api_tokens.c.last_used_at)
    .join_from(api_tokens, users, api_tokens.c.user_id == users.c.user_id)
    .where(api_tokens.c.token_hash == bindparam("token_hash")))
_ROLES = {r.value: r for r in Role}


def _principal(row: Any) -> Principal:
    return Principal(user_id=row.user_id, username=row.username, role=_ROLES[row.role],
                     borough_code=row.borough_code, organisation=row.organisation,
                     disabled=bool(row.disabled))


def session_with_user(conn: Connection, token_hash: str
                      ) -> tuple[SessionRecord, Principal] | None:
    """The session and whom it acts for, in one primary-key lookup and join."""
    row = _SESSION_WITH_USER.first(conn, {"token_hash": token_hash})
    return None if row is None else (_session(row), _principal(row))


def touch_session(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(update(sessions).where(sessions.c.token_hash == token_hash)
                 .values(last_seen_at=now))


def delete_session(conn: Connection, token_hash: str) -> bool:
    return conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash)
                        ).rowcount > 0


def delete_user_sessions(conn: Connection, user_id: int) -> int:
    return conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


# API tokens
def add_api_token(conn: Connection, *, token_hash: str, user_id: int, name: str,
                  scopes: Iterable[str], now: datetime, expires_at: datetime) -> int:
    result = conn.execute(insert(api_tokens).values(
        token_hash=token_hash, user_id=user_id, name=name,
        scopes=json.dumps(sorted(scopes), separators=(",", ":")), created_at=now,
        expires_at=expires_at, revoked=False, last_used_at=None,
    ).returning(api_tokens.c.token_id))
    return int(result.scalar_one())


def _token(row: Any) -> ApiTokenRecord:
    return ApiTokenRecord(token_id=row.token_id, user_id=row.t_user_id, name=row.name,
                          scopes=frozenset(json.loads(row.scopes)),
                          created_at=row.t_created_at, expires_at=row.expires_at,
                          revoked=bool(row.revoked), last_used_at=row.last_used_at)


def api_token_with_user(conn: Connection, token_hash: str
                        ) -> tuple[ApiTokenRecord, Principal] | None:
    row = _TOKEN_WITH_USER.first(conn, {"token_hash": token_hash})
    return None if row is None else (_token(row), _principal(row))


def touch_api_token(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.token_id == token_id)
                 .values(last_used_at=now))


def revoke_user_tokens(conn: Connection, user_id: int) -> int:
    return conn.execute(update(api_tokens)
                        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(False))
                        .values(revoked=True)).rowcount
