"""Shared console helpers for the CLI."""

from __future__ import annotations

import getpass

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def operator_name(configured: str | None) -> str:
    """Who the CLI acts as in the audit log: GVM_ACTOR, else the OS account."""
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown-operator"
