"""Shared console helpers for the CLI."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from pathlib import Path

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


def write_files(out: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write a report's rendered files into the folder `out` (created if need be)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(content)
        written.append(path)
    return written
