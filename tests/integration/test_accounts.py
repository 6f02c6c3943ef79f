"""Accounts and sign-in on both backends: password policy, argon2id, TOTP for every
role with replay refused, lockout, one message for every refusal, timing-safe unknown
users, sessions (idle and absolute expiry), API tokens (scopes, expiry, revocation)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from gvm.authz import ROLE_PERMISSIONS, Permission, Role, has_permission
from gvm.domain.audit import Operation
from gvm.services import accounts
from gvm.services.accounts import (
    SIGN_IN_FAILED,
    AccountError,
    AccountLocked,
    LoginFailed,
    create_api_token,
    create_user,
    disable_user,
    list_users,
    login,
    logout,
    mark_mfa_enrolled,
    reset_mfa,
    session_actor,
    token_actor,
)
from gvm.services.sessions import token_digest
from gvm.storage.tables import users

CAMDEN = "E09000007"
PASSWORD = "a long enough passphrase"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def uow(database):
    return database.unit_of_work


@pytest.fixture
def lead(uow):
    return create_user(uow, username="Lead.Camden", password=PASSWORD, role=Role.GANG_LEAD,
                       borough_code=CAMDEN, created_by="admin1")


def code(user, at=T0):
    return pyotp.TOTP(user.totp_secret).at(at)


def sign_in(uow, user, at=T0, password=PASSWORD, **kw):
    return login(uow, username=user.username, password=password, totp_code=code(user, at),
                 now=at, **kw)


def user_row(db, username):
    with db.engine.connect() as conn:
        return conn.execute(sa.select(users).where(users.c.username == username)
                            ).mappings().one()


def test_create_user_hashes_with_argon2id_and_audits_without_secrets(database, lead):
    assert lead.username == "lead.camden" and lead.user_id > 0
    assert lead.provisioning_uri.startswith("otpauth://totp/")
    assert f"secret={lead.totp_secret}" in lead.provisioning_uri
    row = user_row(database, "lead.camden")
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]
    assert (row["role"], row["borough_code"], row["failed_logins"]) == ("gang_lead", CAMDEN, 0)
    assert not row["mfa_enrolled"] and not row["disabled"]
    with database.unit_of_work() as u:
        [entry] = list(u.audit_entries(record_type="user"))
    assert entry.event.operation is Operation.COLLECTION
    assert entry.event.actor == "admin1" and entry.event.record_ids == (str(lead.user_id),)
    logged = json.dumps([entry.event.justification, dict(entry.event.detail)])
    assert PASSWORD not in logged and lead.totp_secret not in logged


@pytest.mark.parametrize(("password", "problem"), [
    ("short-pass1", "at least 12"),
    ("my-Lead.Camden-password", "username"),
    (" " * 20, "spaces"),
])
def test_password_policy(database, uow, count, password, problem):
    with pytest.raises(AccountError, match=problem) as refused:
        create_user(uow, username="lead.camden", password=password, role=Role.GANG_LEAD,
                    borough_code=CAMDEN)
    assert password not in str(refused.value)
    assert count(database, "users") == 0 and count(database, "audit_log") == 0


@pytest.mark.parametrize(("role", "borough", "organisation", "problem"), [
    (Role.GANG_LEAD, None, None, "borough: required"),
    (Role.BOROUGH_ANALYST, "E09000099", None, "borough: expected"),
    (Role.FORCE_ANALYST, CAMDEN, None, "not bound to a borough"),
    (Role.PARTNER, None, None, "organisation: required"),
])
def test_scope_rules(uow, role, borough, organisation, problem):
    with pytest.raises(AccountError, match=problem):
        create_user(uow, username="someone", password=PASSWORD, role=role,
                    borough_code=borough, organisation=organisation)


def test_usernames_are_unique_and_well_formed(uow, lead):
    with pytest.raises(AccountError, match="already taken"):
        create_user(uow, username="LEAD.CAMDEN", password=PASSWORD, role=Role.DPO)
    with pytest.raises(AccountError, match="username"):
        create_user(uow, username="no spaces", password=PASSWORD, role=Role.DPO)
    partner = create_user(uow, username="yos.camden", password=PASSWORD, role=Role.PARTNER,
                          borough_code=CAMDEN, organisation="Camden Youth Offending Service")
    assert partner.username == "yos.camden"


def test_login_with_the_current_code_opens_a_session(database, uow, lead):
    user = lead
    signed = login(uow, username=" LEAD.camden ", password=PASSWORD,
                   totp_code=pyotp.TOTP(user.totp_secret).now())
    assert signed.actor.username == "lead.camden" and signed.actor.role is Role.GANG_LEAD
    assert signed.actor.borough_code == CAMDEN and signed.actor.token_scopes is None
    assert signed.token != signed.csrf_token and len(signed.token) >= 43
    actor, csrf = session_actor(uow, signed.token)
    assert actor == signed.actor and csrf == signed.csrf_token
    with database.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM sessions")).scalars().all()
    assert stored == [token_digest(signed.token)]  # the token itself is never stored
    row = user_row(database, "lead.camden")
    assert row["mfa_enrolled"] and row["last_login_at"] is not None


def test_every_refusal_says_the_same(uow, lead):
    disabled = create_user(uow, username="gone", password=PASSWORD, role=Role.DPO)
    disable_user(uow, "gone", by="admin1")
    attempts = [
        {"username": "lead.camden", "password": "wrong password!!", "totp_code": code(lead)},
        {"username": "lead.camden", "password": PASSWORD, "totp_code": "000000"},
        {"username": "lead.camden", "password": PASSWORD, "totp_code": "not a code"},
        {"username": "nobody", "password": PASSWORD, "totp_code": code(lead)},
        {"username": "gone", "password": PASSWORD, "totp_code": code(disabled)},
    ]
    messages = set()
    for attempt in attempts:
        with pytest.raises(LoginFailed) as refused:
            login(uow, now=T0, **attempt)
        messages.add(str(refused.value))
    assert messages == {SIGN_IN_FAILED}


def test_lockout_after_five_failures_then_unlock_after_fifteen_minutes(database, uow, lead):
    for i in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(LoginFailed):
            sign_in(uow, lead, at=T0 + timedelta(seconds=i), password="wrong password!!")
    assert user_row(database, "lead.camden")["failed_logins"] == 5
    # Locked: the right password and code still fail, with the same message, and count.
    later = T0 + timedelta(minutes=5)
    with pytest.raises(AccountLocked, match=r"^sign-in failed: check your username"):
        sign_in(uow, lead, at=later)
    row = user_row(database, "lead.camden")
    assert row["failed_logins"] == 6
    # a failure while locked does not extend the lock
    assert row["locked_until"] == T0 + timedelta(seconds=4) + accounts.LOCKOUT
    unlocked = T0 + timedelta(minutes=15, seconds=5)
    signed = sign_in(uow, lead, at=unlocked)
    assert signed.actor.username == "lead.camden"
    row = user_row(database, "lead.camden")
    assert row["failed_logins"] == 0 and row["locked_until"] is None


def test_four_failures_then_success_resets_the_count(database, uow, lead):
    for i in range(4):
        with pytest.raises(LoginFailed):
            sign_in(uow, lead, at=T0 + timedelta(seconds=i), password="wrong password!!")
    sign_in(uow, lead, at=T0 + timedelta(seconds=10))
    assert user_row(database, "lead.camden")["failed_logins"] == 0


def test_totp_code_cannot_be_replayed(uow, lead):
    sign_in(uow, lead, at=T0)
    with pytest.raises(LoginFailed):  # the same code again, within its window
        sign_in(uow, lead, at=T0 + timedelta(seconds=5))
    earlier = pyotp.TOTP(lead.totp_secret).at(T0 - timedelta(seconds=30))
    with pytest.raises(LoginFailed):  # an older step, still inside the window
        login(uow, username=lead.username, password=PASSWORD, totp_code=earlier, now=T0)
    sign_in(uow, lead, at=T0 + timedelta(seconds=30))  # the next step is fine


def test_code_from_one_step_either_side_is_accepted(uow, lead):
    drifted = pyotp.TOTP(lead.totp_secret).at(T0 + timedelta(seconds=30))
    login(uow, username=lead.username, password=PASSWORD, totp_code=drifted, now=T0)
    too_far = pyotp.TOTP(lead.totp_secret).at(T0 + timedelta(seconds=95))
    with pytest.raises(LoginFailed):
        login(uow, username=lead.username, password=PASSWORD, totp_code=too_far, now=T0)


def test_session_idle_timeout(database, uow, lead, count):
    signed = sign_in(uow, lead)
    assert session_actor(uow, signed.token, now=T0 + timedelta(minutes=29)) is not None
    # idle counts from the last use, not from sign-in
    assert session_actor(uow, signed.token, now=T0 + timedelta(minutes=58)) is not None
    assert session_actor(uow, signed.token, now=T0 + timedelta(minutes=88)) is None
    assert count(database, "sessions") == 0  # the dead session is gone
    assert session_actor(uow, signed.token, now=T0 + timedelta(minutes=89)) is None


def test_session_idle_timeout_is_settable(uow, lead):
    signed = sign_in(uow, lead)
    assert session_actor(uow, signed.token, now=T0 + timedelta(minutes=2),
                         idle_timeout=timedelta(minutes=1)) is None


def test_session_absolute_expiry(uow, lead):
    signed = sign_in(uow, lead)
    assert signed.absolute_expiry == T0 + accounts.SESSION_ABSOLUTE
    at = T0
    while at + timedelta(minutes=20) < signed.absolute_expiry:
        at += timedelta(minutes=20)
        assert session_actor(uow, signed.token, now=at) is not None
    assert session_actor(uow, signed.token, now=signed.absolute_expiry) is None
    short = sign_in(uow, lead, at=T0 + timedelta(minutes=1),
                    absolute_lifetime=timedelta(minutes=10))
    assert session_actor(uow, short.token, now=T0 + timedelta(minutes=11)) is None


def test_disabled_users_session_dies(database, uow, lead, count):
    signed = sign_in(uow, lead)
    with database.engine.begin() as conn:  # disabled behind the service's back
        conn.execute(sa.text("UPDATE users SET disabled = :t"), {"t": True})
    assert session_actor(uow, signed.token, now=T0 + timedelta(minutes=1)) is None
    assert count(database, "sessions") == 0


def test_disable_user_ends_sessions_and_revokes_tokens(database, uow, lead, count):
    signed = sign_in(uow, lead)
    token = create_api_token(uow, username=lead.username, name="ci")
    disable_user(uow, lead.username, by="admin1")
    assert count(database, "sessions") == 0
    assert session_actor(uow, signed.token, now=T0) is None
    assert token_actor(uow, token) is None
    assert count(database, "api_tokens", "revoked = :t", t=True) == 1
    with pytest.raises(LoginFailed):
        sign_in(uow, lead, at=T0 + timedelta(minutes=1))
    with pytest.raises(AccountError):
        disable_user(uow, "nobody", by="admin1")
    with database.unit_of_work() as u:
        ops = [e.event.operation for e in u.audit_entries(record_type="user")]
    assert ops == [Operation.COLLECTION, Operation.ALTERATION]


def test_logout(uow, lead):
    signed = sign_in(uow, lead)
    logout(uow, signed.token)
    assert session_actor(uow, signed.token, now=T0) is None
    logout(uow, signed.token)  # twice is harmless
    logout(uow, "")


def test_unknown_or_garbage_tokens(uow):
    assert session_actor(uow, "nope") is None
    assert session_actor(uow, "") is None
    assert session_actor(uow, "x" * 10_000) is None
    assert token_actor(uow, "gvm_nope") is None
    assert token_actor(uow, "not-a-gvm-token") is None


def test_api_token_scopes_are_a_subset_of_the_role(database, uow, lead):
    scopes = frozenset({Permission.PERSON_SEARCH, Permission.BOROUGH_READ})
    token = create_api_token(uow, username=lead.username, name="search tool", scopes=scopes)
    assert token.startswith("gvm_")
    actor = token_actor(uow, token)
    assert actor.token_scopes == scopes and actor.borough_code == CAMDEN
    assert has_permission(actor, Permission.PERSON_SEARCH)
    assert not has_permission(actor, Permission.REGISTER_DECIDE)  # the role has it; not the token
    everything = token_actor(uow, create_api_token(uow, username=lead.username, name="all"))
    assert everything.token_scopes == ROLE_PERMISSIONS[Role.GANG_LEAD]
    with pytest.raises(AccountError, match="oversight:audit:read"):
        create_api_token(uow, username=lead.username, name="x",
                         scopes=frozenset({Permission.PERSON_SEARCH, Permission.AUDIT_READ}))
    with pytest.raises(AccountError, match="at least one"):
        create_api_token(uow, username=lead.username, name="x", scopes=frozenset())
    with pytest.raises(AccountError, match="no such"):
        create_api_token(uow, username="nobody", name="x")
    with database.engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert token_digest(token) in hashes and token not in hashes


def test_api_token_expiry(uow, lead):
    now = datetime.now(UTC)
    token = create_api_token(uow, username=lead.username, name="short", days=1, now=now)
    assert token_actor(uow, token, now=now + timedelta(hours=23)) is not None
    assert token_actor(uow, token, now=now + timedelta(days=1)) is None
    with pytest.raises(AccountError, match="days"):
        create_api_token(uow, username=lead.username, name="x", days=0)


def test_unknown_user_costs_one_password_verification(uow, lead, monkeypatch):
    """Timing safety: an unknown or disabled username runs argon2 like a real one."""
    calls = []
    real_verify = PasswordHasher.verify

    def spy(self, hash_, password):
        calls.append(hash_)
        return real_verify(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    create_user(uow, username="gone", password=PASSWORD, role=Role.DPO)
    disable_user(uow, "gone", by="admin1")
    for username in ("lead.camden", "nobody", "gone"):
        calls.clear()
        with pytest.raises(LoginFailed):
            login(uow, username=username, password="wrong password!!", totp_code="123456",
                  now=T0)
        assert len(calls) == 1, username
        assert calls[0].startswith("$argon2id$")


def test_reset_mfa_issues_a_new_secret_and_ends_sessions(database, uow, lead, count):
    signed = sign_in(uow, lead)
    fresh = reset_mfa(uow, lead.username, by="admin1")
    assert fresh.user_id == lead.user_id and fresh.totp_secret != lead.totp_secret
    assert count(database, "sessions") == 0
    assert session_actor(uow, signed.token, now=T0) is None
    assert not user_row(database, lead.username)["mfa_enrolled"]
    later = T0 + timedelta(minutes=1)
    with pytest.raises(LoginFailed):  # the old authenticator no longer works
        sign_in(uow, lead, at=later)
    sign_in(uow, fresh, at=later + timedelta(seconds=30))
    assert user_row(database, lead.username)["mfa_enrolled"]


def test_list_users_shows_no_secrets(uow, lead):
    create_user(uow, username="auditor", password=PASSWORD, role=Role.DPO)
    mark_mfa_enrolled(uow, lead.user_id)
    users = list_users(uow)
    assert [u.username for u in users] == ["auditor", "lead.camden"]
    assert users[1].mfa_enrolled and not users[0].mfa_enrolled
    for u in users:
        assert not hasattr(u, "password_hash") and not hasattr(u, "totp_secret")
    with pytest.raises(AccountError):
        mark_mfa_enrolled(uow, 9999)


def test_first_sign_in_hands_over_the_secret_only_before_enrolment(database, uow, lead):
    """The enrolment page's service: the right password of an account not yet enrolled
    gives its secret; once a code has signed in, never again (R-ACCESS)."""
    user_id, name, secret = accounts.enrolment_secret(uow, username="LEAD.camden",
                                                      password=PASSWORD, now=T0)
    assert (name, secret) == ("lead.camden", lead.totp_secret) and user_id == lead.user_id
    sign_in(uow, lead, at=T0)  # the first code proves enrolment
    with pytest.raises(LoginFailed, match=r"^sign-in failed"):
        accounts.enrolment_secret(uow, username="lead.camden", password=PASSWORD, now=T0)
    with pytest.raises(LoginFailed):
        accounts.enrolment_secret(uow, username="nobody", password=PASSWORD, now=T0)


def test_wrong_passwords_at_enrolment_count_towards_the_lockout(database, uow, lead):
    for i in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(LoginFailed):
            accounts.enrolment_secret(uow, username="lead.camden", password="wrong password!!",
                                      now=T0 + timedelta(seconds=i))
    with pytest.raises(AccountLocked):  # locked: the right password gets nothing either
        accounts.enrolment_secret(uow, username="lead.camden", password=PASSWORD,
                                  now=T0 + timedelta(minutes=1))
    assert user_row(database, "lead.camden")["failed_logins"] == 6
