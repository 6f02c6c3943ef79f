"""Pure policy functions: may this actor do this to that record? (R-ACCESS)

Nothing here touches storage: callers pass the facts (a record's borough, an ISA's
scope) and get a yes or no. Refusals for records outside the actor's scope are
reported as "not found" by the API so existence does not leak.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from gvm.authz.permissions import Permission
from gvm.authz.roles import BOROUGH_ROLES, ROLE_PERMISSIONS, Role


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in user or an API token's owner."""

    user_id: int
    username: str
    role: Role
    borough_code: str | None = None  # set for borough roles
    organisation: str | None = None  # set for partner users
    token_scopes: frozenset[Permission] | None = None  # an API token may narrow the role

    def __post_init__(self) -> None:
        if self.role in BOROUGH_ROLES and not self.borough_code:
            raise ValueError("a borough role needs a borough")


def has_permission(actor: Actor, permission: Permission) -> bool:
    if permission not in ROLE_PERMISSIONS[actor.role]:
        return False
    return actor.token_scopes is None or permission in actor.token_scopes


def is_force_wide(actor: Actor) -> bool:
    return actor.role is Role.FORCE_ANALYST


def may_see_borough(actor: Actor, borough_code: str) -> bool:
    """Operational data of a borough: own borough, or any for force-wide roles."""
    if actor.role in BOROUGH_ROLES:
        return actor.borough_code == borough_code
    return is_force_wide(actor)


def visible_boroughs(actor: Actor, all_codes: Collection[str]) -> list[str]:
    """The boroughs whose people this actor may see, for filtering searches."""
    return sorted(c for c in all_codes if may_see_borough(actor, c))


def may_access_person(actor: Actor, permission: Permission, person_borough: str) -> bool:
    """The one check for any read or write of a nominal's record."""
    return has_permission(actor, permission) and may_see_borough(actor, person_borough)
