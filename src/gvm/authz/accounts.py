"""Account records as storage hands them to the services: plain values, no SQL.

A user's password hash and TOTP secret travel in `UserRecord` only between storage and
the sign-in services; nothing that prints or answers a request sees them (`UserInfo` in
gvm.services.accounts leaves them out), and the check every request makes reads a
`Principal`, which holds neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gvm.authz.permissions import Permission
from gvm.authz.policy import Actor
from gvm.authz.roles import Role


@dataclass(frozen=True, slots=True)
class UserRecord:
    user_id: int
    username: str
    password_hash: str = field(repr=False)
    role: Role
    borough_code: str | None
    organisation: str | None
    totp_secret: str | None = field(repr=False)
    mfa_enrolled: bool
    totp_last_step: int | None
    failed_logins: int
    locked_until: datetime | None
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None

    @property
    def principal(self) -> Principal:
        return Principal(user_id=self.user_id, username=self.username, role=self.role,
                         borough_code=self.borough_code, organisation=self.organisation,
                         disabled=self.disabled)

    def actor(self, token_scopes: frozenset[Permission] | None = None) -> Actor:
        return self.principal.actor(token_scopes)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True, slots=True)
class Principal:
    """Whom a session or an API token acts for: what every request's check reads of the
    user, and no more (no password hash or TOTP secret is read for a request)."""

    user_id: int
    username: str
    role: Role
    borough_code: str | None
    organisation: str | None
    disabled: bool

    def actor(self, token_scopes: frozenset[Permission] | None = None) -> Actor:
        return Actor(user_id=self.user_id, username=self.username, role=self.role,
                     borough_code=self.borough_code, organisation=self.organisation,
                     token_scopes=token_scopes)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    token_hash: str
    user_id: int
    csrf_token: str = field(repr=False)
    created_at: datetime
    last_seen_at: datetime
    absolute_expiry: datetime


@dataclass(frozen=True, slots=True)
class ApiTokenRecord:
    token_id: int
    user_id: int
    name: str
    scopes: frozenset[str]  # as stored; a permission since withdrawn is simply ignored
    created_at: datetime
    expires_at: datetime
    revoked: bool
    last_used_at: datetime | None
