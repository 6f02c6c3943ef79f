"""The demo's users: one per role, with known passwords, for dev mode only."""

from __future__ import annotations

from dataclasses import dataclass

from gvm.authz.roles import Role
from gvm.cli.output import console
from gvm.services.accounts import create_user, list_users, reset_mfa

SOUTHWARK = "E09000028"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    borough_code: str | None = None
    organisation: str | None = None
    # Known on purpose: the demo refuses to run outside dev mode.
    password: str = "violence-harm-register-demo"  # noqa: S105 - dev-mode demo only


DEMO_USERS = (
    DemoUser("lead.southwark", Role.GANG_LEAD, SOUTHWARK),
    DemoUser("analyst.southwark", Role.BOROUGH_ANALYST, SOUTHWARK),
    DemoUser("analyst.force", Role.FORCE_ANALYST),
    DemoUser("partner.yos", Role.PARTNER, SOUTHWARK, "Southwark Youth Offending Service"),
    DemoUser("dpo", Role.DPO),
    DemoUser("admin", Role.ADMIN),
)


def ensure_demo_users(uow_factory) -> list[tuple[DemoUser, str]]:
    """Create the demo users, or issue fresh TOTP secrets to those that exist.
    Returns each user with their current TOTP secret."""
    existing = {u.username for u in list_users(uow_factory)}
    out = []
    for user in DEMO_USERS:
        if user.username in existing:
            secret = reset_mfa(uow_factory, user.username, by="gvm-demo").totp_secret
        else:
            secret = create_user(uow_factory, username=user.username, password=user.password,
                                 role=user.role, borough_code=user.borough_code,
                                 organisation=user.organisation,
                                 created_by="gvm-demo").totp_secret
        out.append((user, secret))
    return out


def print_demo_users(users: list[tuple[DemoUser, str]]) -> None:
    """One line per user, never cut to the terminal's width: the password and the TOTP
    secret must be copied whole (a table truncated them in an 80-column terminal)."""
    console.print("Demo users (dev mode only; a TOTP app or `python -c \"import pyotp; "
                  "print(pyotp.TOTP('SECRET').now())\"` gives the code):", soft_wrap=True)
    for user, secret in users:
        scope = user.organisation or user.borough_code or "force-wide"
        console.print(f"  {user.username}  role {user.role.value}  scope {scope}  "
                      f"password {user.password}  TOTP secret {secret}",
                      soft_wrap=True, highlight=False, markup=False)
