"""`gvm user`: accounts of the register's users, from the operator's shell.

A new account's TOTP secret and otpauth:// URI are printed once, on the operator's
terminal: that is the enrolment hand-over. Passwords are never echoed or taken as an
argument (it would sit in the shell history and the process list): they come from a
hidden prompt, or one line of standard input with --password-stdin.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from gvm.authz import Permission, Role
from gvm.bootstrap import bootstrap
from gvm.cli.output import console, operator_name
from gvm.domain.errors import GvmError
from gvm.services import accounts

app = typer.Typer(help="User accounts: add, list, disable, reset MFA, API tokens.",
                  no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="The account's username.")]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise GvmError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise GvmError("no terminal to prompt for a password: use --password-stdin")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _print_enrolment(user: accounts.NewUser) -> None:
    typer.echo(f"TOTP secret (shown once): {user.totp_secret}")
    typer.echo(f"Enrolment URI (shown once): {user.provisioning_uri}")
    typer.echo("Add it to the user's authenticator app; every sign-in needs its code.")


@app.command()
def add(
    username: Username,
    role: Annotated[Role, typer.Option(help="What the user may do.", case_sensitive=False)],
    borough: Annotated[str | None, typer.Option(
        help="GSS code of the user's borough (required for borough roles).")] = None,
    organisation: Annotated[str | None, typer.Option(
        help="The partner organisation (required for partner users).")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from one line of standard input.")
    ] = False,
) -> None:
    """Create an account; print its TOTP enrolment once."""
    password = _read_password(password_stdin)
    register = bootstrap()
    try:
        user = accounts.create_user(register.unit_of_work, username=username,
                                    password=password, role=role, borough_code=borough,
                                    organisation=organisation,
                                    created_by=operator_name(register.settings.actor))
    finally:
        register.close()
    typer.echo(f"Created user {user.username} ({role.value}), id {user.user_id}.")
    _print_enrolment(user)


@app.command()
def disable(username: Username) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    register = bootstrap()
    try:
        accounts.disable_user(register.unit_of_work, username,
                              by=operator_name(register.settings.actor))
    finally:
        register.close()
    typer.echo(f"Disabled user {username.strip().lower()}.")


@app.command("reset-mfa")
def reset_mfa(username: Username) -> None:
    """Give an account a new TOTP secret (the old authenticator stops working)."""
    register = bootstrap()
    try:
        user = accounts.reset_mfa(register.unit_of_work, username,
                                  by=operator_name(register.settings.actor))
    finally:
        register.close()
    typer.echo(f"Reset MFA of user {user.username}; their sessions have ended.")
    _print_enrolment(user)


def _state(user: accounts.UserInfo, now: datetime) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    return "active" if user.mfa_enrolled else "awaiting MFA"


@app.command("list")
def list_() -> None:
    """List the accounts (never a password hash or secret)."""
    register = bootstrap()
    try:
        users = accounts.list_users(register.unit_of_work)
    finally:
        register.close()
    now = datetime.now(UTC)
    table = Table(title=f"{len(users)} user(s)")
    for col in ("username", "role", "borough", "organisation", "state", "last sign-in"):
        table.add_column(col)
    for u in users:
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else ""
        table.add_row(u.username, u.role.value, u.borough_code or "", u.organisation or "",
                      _state(u, now), last)
    console.print(table)


@app.command()
def token(
    username: Username,
    name: Annotated[str, typer.Option(help="What the token is for.")],
    scope: Annotated[list[Permission] | None, typer.Option(
        help="A permission the token carries (repeat; default: all of the role's).")] = None,
    days: Annotated[int, typer.Option(help="Days until it expires.")] = 90,
) -> None:
    """Create an API token; print it once."""
    register = bootstrap()
    try:
        value = accounts.create_api_token(register.unit_of_work, username=username, name=name,
                                          scopes=frozenset(scope) if scope else None,
                                          days=days)
    finally:
        register.close()
    typer.echo(f"API token (shown once): {value}")
