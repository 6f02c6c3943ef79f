"""The navigation bar: one entry per page area, shown to the roles whose permission it
names. A new area of pages adds its entry here (or calls `add`) and the layout shows it
to whoever may open it."""

from __future__ import annotations

from dataclasses import dataclass

from gvm.authz import Actor, Permission, has_permission


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    permission: Permission


NAVIGATION: list[NavItem] = [
    NavItem("Dashboard", "/dashboard", Permission.REGISTER_READ),
    NavItem("Search", "/people/search", Permission.PERSON_SEARCH),
    NavItem("Cohort review", "/reviews", Permission.REGISTER_DECIDE),
    NavItem("Sharing", "/sharing/isas", Permission.ISA_READ),
    NavItem("Received", "/sharing/received", Permission.DISCLOSURE_RECEIVE),
    NavItem("Audit log", "/oversight/audit", Permission.AUDIT_READ),
]


def add(item: NavItem) -> None:
    """Register a page area's entry (for modules that add pages)."""
    if all(existing.path != item.path for existing in NAVIGATION):
        NAVIGATION.append(item)


def visible_to(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    return [item for item in NAVIGATION if has_permission(actor, item.permission)]
