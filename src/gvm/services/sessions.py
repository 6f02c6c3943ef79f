"""Signing in: password and TOTP for every role, lockout, sessions and API tokens.

Every sign-in refusal carries one message, whatever the cause (unknown user, disabled
account, wrong password, wrong or replayed code, locked account), and costs one argon2
verification, so neither the message nor the time taken says whether a username
exists. Tokens (session cookie, API token) are random, shown once, and stored only as
their sha256: a copy of the database signs no one in.

Checking a session or API token is a read; the write that records its use
(`last_seen_at`, `last_used_at`) is made only when the stored time is `TOUCH_EVERY` old,
so a busy client costs one write a minute, not one a request (on SQLite every write
queues for the one write lock). A session therefore ends between `idle_timeout -
TOUCH_EVERY` and `idle_timeout` after its last use: early, never late. That write waits
for no other writer: while one holds the register (an import, a re-score) it is left for
a later use, and the check goes on (on SQLite it runs on the event loop, which a wait for
the write lock would stall for every request).

Sign-ins are not written to the s.62 audit log: that log records processing of the
nominals' personal data (R-LOG), and signing in processes none. Failures are kept on the
user (consecutive count, lock); successes in `last_login_at` and the session row.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gvm.authz.accounts import UserRecord
from gvm.authz.permissions import Permission
from gvm.authz.policy import Actor
from gvm.authz.roles import ROLE_PERMISSIONS
from gvm.domain.errors import GvmError
from gvm.services.ports import AccountsUnitOfWork, AccountsUnitOfWorkFactory

SIGN_IN_FAILED = "sign-in failed: check your username, password and code"
MAX_FAILED_LOGINS = 5  # consecutive failures before the account locks
LOCKOUT = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
TOTP_VALID_WINDOW = 1  # one 30-second step either side, for clock drift
API_TOKEN_PREFIX = "gvm_"  # noqa: S105 - a marker, not a secret
MAX_TOKEN_CHARS = 256  # longer than any token gvm issues: refused unhashed
TOUCH_EVERY = timedelta(seconds=60)  # how stale last_seen_at / last_used_at may get
# A stored scope -> its Permission; a scope this version no longer knows is dropped.
_PERMISSIONS = {p.value: p for p in Permission}

hasher = PasswordHasher()  # argon2id with argon2-cffi's current defaults


class AccountError(GvmError):
    """An account operation was refused (weak password, unknown user, bad role...)."""


class LoginFailed(GvmError):
    """Sign-in refused. The message is the same for every cause."""

    def __init__(self, message: str = SIGN_IN_FAILED) -> None:
        super().__init__(message)


class AccountLocked(LoginFailed):
    """Sign-in refused while the account is locked. Same message as LoginFailed: treat
    the two alike (same response, same status), or a caller learns that only real
    accounts lock, and so which usernames exist."""


@dataclass(frozen=True)
class SignedIn:
    token: str  # the session cookie's value: shown once, stored only as its sha256
    csrf_token: str
    actor: Actor
    absolute_expiry: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


@cache
def _dummy_hash() -> str:
    """A hash of a random password, verified when there is no real one to verify, so an
    unknown username costs the same time as a known one."""
    return hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


def totp_step(secret: str | None, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is, within the valid window of `now`; None if
    it matches none. Compared in constant time."""
    code = code.strip().replace(" ", "")
    if not secret or not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            found = step
    return found


def login(uow_factory: AccountsUnitOfWorkFactory, *, username: str, password: str,
          totp_code: str, now: datetime | None = None,
          absolute_lifetime: timedelta = SESSION_ABSOLUTE) -> SignedIn:
    """Check password and TOTP code; open a session. Raises LoginFailed (AccountLocked
    while locked) with the one message for every cause."""
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        user = uow.user_by_name(normalise_username(username), for_update=True)
        if user is None or user.disabled:
            verify_password(None, password)  # the same work as for a real account
            raise LoginFailed
        password_ok = verify_password(user.password_hash, password)
        step = totp_step(user.totp_secret, totp_code, now)
        fresh_code = step is not None and step > (user.totp_last_step or -1)
        if user.locked(now) or not (password_ok and fresh_code):
            locked = _count_failure(uow, user, now)
            uow.commit()
            raise AccountLocked if locked else LoginFailed
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None,
                                     "totp_last_step": step, "last_login_at": now,
                                     "mfa_enrolled": True}  # the code proves enrolment
        if hasher.check_needs_rehash(user.password_hash):
            values["password_hash"] = hasher.hash(password)
        uow.update_user(user.user_id, **values)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expiry = now + absolute_lifetime
        uow.add_session(token_hash=token_digest(token), user_id=user.user_id, csrf_token=csrf,
                        now=now, absolute_expiry=expiry)
        uow.commit()
    return SignedIn(token=token, csrf_token=csrf, actor=user.actor(), absolute_expiry=expiry)


def enrolment_secret(uow_factory: AccountsUnitOfWorkFactory, *, username: str,
                     password: str, now: datetime | None = None) -> tuple[int, str, str]:
    """(user id, username, TOTP secret) for a first sign-in: the password is right and the
    authenticator is not enrolled yet (a new account, or one whose MFA was reset). Any
    other case raises LoginFailed with the one message, and counts as a failed attempt
    like a wrong code in `login`, so this is no way round the lockout."""
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        user = uow.user_by_name(normalise_username(username), for_update=True)
        if user is None or user.disabled:
            verify_password(None, password)
            raise LoginFailed
        password_ok = verify_password(user.password_hash, password)
        if user.locked(now) or not password_ok or user.mfa_enrolled or not user.totp_secret:
            locked = _count_failure(uow, user, now)
            uow.commit()
            raise AccountLocked if locked else LoginFailed
    return user.user_id, user.username, user.totp_secret


def _count_failure(uow: AccountsUnitOfWork, user: UserRecord, now: datetime) -> bool:
    """Count a failed attempt (attempts while locked count too) and lock the account on
    reaching the limit; a lock already running is not extended. True if locked now."""
    failures = user.failed_logins + 1
    locked_until = user.locked_until
    if failures >= MAX_FAILED_LOGINS and not user.locked(now):
        locked_until = now + LOCKOUT
    uow.update_user(user.user_id, failed_logins=failures, locked_until=locked_until)
    return locked_until is not None and locked_until > now


def session_actor(uow_factory: AccountsUnitOfWorkFactory, token: str, *,
                  now: datetime | None = None, idle_timeout: timedelta = SESSION_IDLE
                  ) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, which this use refreshes (at most
    every TOUCH_EVERY); None if the token is unknown, idle too long, past its absolute
    expiry, or its user is disabled (a dead session is deleted)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or datetime.now(UTC)
    digest = token_digest(token)
    with uow_factory(read_only=True) as uow:
        found = uow.session_with_user(digest)
    if found is None:
        return None
    session, user = found
    dead = (user.disabled or now >= session.absolute_expiry
            or now - session.last_seen_at >= idle_timeout)
    if dead or now - session.last_seen_at >= TOUCH_EVERY:
        try:
            with uow_factory(wait=False) as uow:
                if dead:
                    uow.delete_session(digest)
                else:
                    uow.touch_session(digest, now)
                uow.commit()
        except TimeoutError:  # another writer holds the register: next time (see above)
            pass
    return None if dead else (user.actor(), session.csrf_token)


def logout(uow_factory: AccountsUnitOfWorkFactory, token: str) -> None:
    if not token or len(token) > MAX_TOKEN_CHARS:
        return
    with uow_factory() as uow:
        uow.delete_session(token_digest(token))
        uow.commit()


def create_api_token(uow_factory: AccountsUnitOfWorkFactory, *, username: str, name: str,
                     scopes: frozenset[Permission] | None = None, days: int = 90,
                     now: datetime | None = None) -> str:
    """A new API token for `username`, returned once. Its scopes narrow the role's
    permissions (None: all of them) and can never widen them."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("token name: required, at most 100 characters")
    if not 1 <= days <= 366:
        raise AccountError("days: a token lives between 1 and 366 days")
    now = now or datetime.now(UTC)
    with uow_factory() as uow:
        user = uow.user_by_name(normalise_username(username))
        if user is None or user.disabled:
            raise AccountError("no such active user")
        allowed = ROLE_PERMISSIONS[user.role]
        chosen = allowed if scopes is None else frozenset(Permission(s) for s in scopes)
        if not chosen:
            raise AccountError("scopes: at least one permission")
        if extra := chosen - allowed:
            raise AccountError(f"scopes beyond the {user.role.value} role: "
                               f"{', '.join(sorted(extra))}")
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        uow.add_api_token(token_hash=token_digest(token), user_id=user.user_id, name=name,
                          scopes=[p.value for p in chosen], now=now,
                          expires_at=now + timedelta(days=days))
        uow.commit()
    return token


def token_actor(uow_factory: AccountsUnitOfWorkFactory, token: str, *,
                now: datetime | None = None) -> Actor | None:
    """The actor an API token acts as, its scopes set; None if the token is unknown,
    expired or revoked, or its user is disabled."""
    if not token.startswith(API_TOKEN_PREFIX) or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or datetime.now(UTC)
    with uow_factory(read_only=True) as uow:
        found = uow.api_token_with_user(token_digest(token))
    if found is None:
        return None
    record, user = found
    if record.revoked or now >= record.expires_at or user.disabled:
        return None
    if record.last_used_at is None or now - record.last_used_at >= TOUCH_EVERY:
        try:
            with uow_factory(wait=False) as uow:
                uow.touch_api_token(record.token_id, now)
                uow.commit()
        except TimeoutError:  # another writer holds the register: next time (see above)
            pass
    return user.actor(frozenset(_PERMISSIONS[s] for s in record.scopes if s in _PERMISSIONS))
