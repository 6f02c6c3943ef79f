"""`gvm user` end to end on SQLite and PostgreSQL: add (password on stdin, TOTP
enrolment printed once), list, token, reset-mfa, disable."""

from __future__ import annotations

import re

import pyotp
import sqlalchemy as sa

PASSWORD = "a long enough passphrase"


def enrolment(out: str) -> tuple[str, str]:
    secret = re.search(r"TOTP secret \(shown once\): ([A-Z2-7]+)", out).group(1)
    uri = re.search(r"Enrolment URI \(shown once\): (otpauth://\S+)", out).group(1)
    return secret, uri


def db_rows(gvm, sql):
    engine = sa.create_engine(gvm.url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).all()
    finally:
        engine.dispose()


def test_user_lifecycle(gvm):
    run = gvm("user", "add", "Lead.Camden", "--role", "gang_lead", "--borough", "E09000007",
              "--password-stdin", stdin=PASSWORD + "\n")
    assert "Created user lead.camden (gang_lead)" in run.stdout
    secret, uri = enrolment(run.stdout)
    assert pyotp.parse_uri(uri).secret == secret
    assert PASSWORD not in run.stdout + run.stderr

    listed = gvm("user", "list").stdout
    assert "lead.camden" in listed and "E09000007" in listed and "awaiting MFA" in listed
    assert secret not in listed and "argon2" not in listed

    token = re.search(r"API token \(shown once\): (gvm_\S+)",
                      gvm("user", "token", "lead.camden", "--name", "ci", "--scope",
                          "register:person:search", "--days", "7").stdout).group(1)
    [(stored_hash, scopes)] = db_rows(gvm, "SELECT token_hash, scopes FROM api_tokens")
    assert token not in stored_hash and scopes == '["register:person:search"]'

    too_wide = gvm("user", "token", "lead.camden", "--name", "x", "--scope",
                   "admin:user:manage", check=False)
    assert too_wide.returncode == 2 and "admin:user:manage" in too_wide.stderr

    reset = gvm("user", "reset-mfa", "lead.camden").stdout
    new_secret, _ = enrolment(reset)
    assert new_secret != secret

    gvm("user", "disable", "lead.camden")
    assert "disabled" in gvm("user", "list").stdout
    assert db_rows(gvm, "SELECT revoked FROM api_tokens") == [(True,)]
    actors = {r[0] for r in db_rows(gvm, "SELECT actor FROM audit_log "
                                         "WHERE record_type = 'user'")}
    assert actors == {"test-operator"}


def test_user_add_refusals(gvm):
    weak = gvm("user", "add", "someone", "--role", "dpo", "--password-stdin", check=False,
               stdin="short\n")
    assert weak.returncode == 2 and "at least 12" in weak.stderr and "short" not in weak.stderr
    no_borough = gvm("user", "add", "someone", "--role", "borough_analyst", "--password-stdin",
                     check=False, stdin=PASSWORD + "\n")
    assert no_borough.returncode == 2 and "borough: required" in no_borough.stderr
    no_stdin = gvm("user", "add", "someone", "--role", "dpo", check=False, stdin="")
    assert no_stdin.returncode == 2 and "--password-stdin" in no_stdin.stderr
    assert "0 user(s)" in gvm("user", "list").stdout
