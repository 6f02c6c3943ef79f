"""Accounts of the register's users: create, list, disable, reset MFA. Signing in,
sessions and API tokens are in gvm.services.sessions and re-exported here, so callers
import one module.

Account changes are audited (operation COLLECTION for a new account, ALTERATION for a
change; record_type "user", the user id as record id). Never a password, hash or TOTP
secret goes into the log or out of this module except the one-time enrolment hand-over
in `NewUser`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp

from gvm import reference
from gvm.authz.accounts import UserRecord
from gvm.authz.roles import BOROUGH_ROLES, Role
from gvm.domain.audit import AuditEvent, Operation
from gvm.services.ports import AccountsUnitOfWork, AccountsUnitOfWorkFactory
from gvm.services.sessions import (
    API_TOKEN_PREFIX,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    SESSION_ABSOLUTE,
    SESSION_IDLE,
    SIGN_IN_FAILED,
    AccountError,
    AccountLocked,
    LoginFailed,
    SignedIn,
    create_api_token,
    enrolment_secret,
    hasher,
    login,
    logout,
    normalise_username,
    session_actor,
    token_actor,
)

__all__ = [
    "API_TOKEN_PREFIX", "LOCKOUT", "MAX_FAILED_LOGINS", "SESSION_ABSOLUTE", "SESSION_IDLE",
    "SIGN_IN_FAILED", "AccountError", "AccountLocked", "LoginFailed", "NewUser", "SignedIn",
    "UserInfo", "begin_enrolment", "create_api_token", "create_user", "disable_user",
    "enrolment_secret", "list_users", "login", "logout", "mark_mfa_enrolled", "reset_mfa",
    "session_actor", "token_actor",
]

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a megabyte "password" is an attack
TOTP_ISSUER = "gvm"
SYSTEM_ROLE = "operator"  # who acts when `by` is not a user: a person at the host's shell
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")


@dataclass(frozen=True)
class NewUser:
    """The enrolment hand-over: shown once to whoever sets up the authenticator app."""

    user_id: int
    username: str
    totp_secret: str
    provisioning_uri: str


@dataclass(frozen=True)
class UserInfo:
    """What may be shown about an account: no hash, no secret."""

    user_id: int
    username: str
    role: Role
    borough_code: str | None
    organisation: str | None
    mfa_enrolled: bool
    disabled: bool
    locked_until: datetime | None
    failed_logins: int
    created_at: datetime
    last_login_at: datetime | None


def check_password(password: str, username: str) -> None:
    """The password policy: long enough, and not built on the username."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"password: at most {MAX_PASSWORD_CHARS} characters")
    if not password.strip():
        raise AccountError("password: more than spaces")
    if username.casefold() in password.casefold():
        raise AccountError("password: must not contain the username")


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.fullmatch(name):
        raise AccountError("username: 3 to 64 characters, letters, digits and . _ @ -, "
                           "starting with a letter or digit")
    return name


def _check_scope(role: Role, borough_code: str | None, organisation: str | None
                 ) -> tuple[str | None, str | None]:
    borough = (borough_code or "").strip().upper() or None
    org = (organisation or "").strip() or None
    if borough is not None and borough not in reference.boroughs():
        raise AccountError("borough: expected a London borough GSS code E09000001..E09000033")
    if role in BOROUGH_ROLES and borough is None:
        raise AccountError(f"borough: required for the {role.value} role")
    if borough is not None and role not in BOROUGH_ROLES and role is not Role.PARTNER:
        raise AccountError(f"borough: the {role.value} role is not bound to a borough")
    if role is Role.PARTNER and org is None:
        raise AccountError("organisation: required for a partner user")
    return borough, org


def _enrolment(user_id: int, username: str, secret: str) -> NewUser:
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)
    return NewUser(user_id=user_id, username=username, totp_secret=secret,
                   provisioning_uri=uri)


def _role_of(uow: AccountsUnitOfWork, by: str) -> str:
    """The acting user's role for the audit log, or `operator` for the host's shell."""
    user = uow.user_by_name(normalise_username(by))
    return user.role.value if user is not None else SYSTEM_ROLE


def _audit(uow: AccountsUnitOfWork, operation: Operation, *, by: str, user_id: int,
           why: str, **detail: object) -> None:
    uow.append_audit(AuditEvent(
        actor=by, actor_role=_role_of(uow, by), operation=operation, justification=why,
        record_type="user", record_ids=(str(user_id),), detail=detail))


def create_user(uow_factory: AccountsUnitOfWorkFactory, *, username: str, password: str,
                role: Role, borough_code: str | None = None, organisation: str | None = None,
                created_by: str = "system") -> NewUser:
    """A new account with a fresh TOTP secret, audited in the same transaction."""
    name = _check_username(username)
    role = Role(role)
    borough, org = _check_scope(role, borough_code, organisation)
    check_password(password, name)
    secret = pyotp.random_base32()
    password_hash = hasher.hash(password)
    with uow_factory() as uow:
        if uow.user_by_name(name) is not None:
            raise AccountError("username: already taken")
        user_id = uow.add_user(username=name, password_hash=password_hash, role=role,
                               borough_code=borough, organisation=org, totp_secret=secret,
                               now=datetime.now(UTC))
        _audit(uow, Operation.COLLECTION, by=created_by, user_id=user_id,
               why="account created", role=role.value, borough=borough)
        uow.commit()
    return _enrolment(user_id, name, secret)


def _existing(uow: AccountsUnitOfWork, username: str) -> UserRecord:
    user = uow.user_by_name(normalise_username(username), for_update=True)
    if user is None:
        raise AccountError("no such user")
    return user


def disable_user(uow_factory: AccountsUnitOfWorkFactory, username: str, *, by: str) -> None:
    """Disable the account: its sessions end and its API tokens are revoked at once."""
    with uow_factory() as uow:
        user = _existing(uow, username)
        uow.update_user(user.user_id, disabled=True)
        sessions = uow.delete_user_sessions(user.user_id)
        tokens = uow.revoke_user_tokens(user.user_id)
        _audit(uow, Operation.ALTERATION, by=by, user_id=user.user_id,
               why="account disabled", sessions_ended=sessions, tokens_revoked=tokens)
        uow.commit()


def reset_mfa(uow_factory: AccountsUnitOfWorkFactory, username: str, *, by: str) -> NewUser:
    """A new TOTP secret (the old authenticator stops working), not yet enrolled; the
    user's sessions end."""
    secret = pyotp.random_base32()
    with uow_factory() as uow:
        user = _existing(uow, username)
        uow.update_user(user.user_id, totp_secret=secret, mfa_enrolled=False,
                        totp_last_step=None)
        uow.delete_user_sessions(user.user_id)
        _audit(uow, Operation.ALTERATION, by=by, user_id=user.user_id, why="MFA reset")
        uow.commit()
    return _enrolment(user.user_id, user.username, secret)


def begin_enrolment(uow_factory: AccountsUnitOfWorkFactory, *, username: str, password: str
                    ) -> NewUser:
    """The enrolment hand-over for a first sign-in (see sessions.enrolment_secret): the
    QR code and secret are shown to the user, who confirms with a first code."""
    return _enrolment(*enrolment_secret(uow_factory, username=username, password=password))


def mark_mfa_enrolled(uow_factory: AccountsUnitOfWorkFactory, user_id: int) -> None:
    with uow_factory() as uow:
        if not uow.update_user(user_id, mfa_enrolled=True):
            raise AccountError("no such user")
        uow.commit()


def list_users(uow_factory: AccountsUnitOfWorkFactory) -> list[UserInfo]:
    with uow_factory() as uow:
        users = uow.list_users()
    return [UserInfo(user_id=u.user_id, username=u.username, role=u.role,
                     borough_code=u.borough_code, organisation=u.organisation,
                     mfa_enrolled=u.mfa_enrolled, disabled=u.disabled,
                     locked_until=u.locked_until, failed_logins=u.failed_logins,
                     created_at=u.created_at, last_login_at=u.last_login_at)
            for u in users]
