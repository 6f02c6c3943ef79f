"""`gvm backup PATH` and `gvm restore PATH`: consistent online backups of the register,
each recorded in the s.62 audit log (R-LOG). See docs/OPERATIONS.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gvm.bootstrap import bootstrap
from gvm.cli.output import console, err_console, operator_name
from gvm.config import Settings
from gvm.services.backups import record_backup, record_restore
from gvm.storage import backup as backup_store

CLI_ROLE = "operator"


def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (mode 0600).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
    justification: Annotated[str, typer.Option(help="Why this copy is made.")] = "backup",
) -> None:
    """Write a consistent backup of the register while it is in use, with a PATH.sha256
    sidecar. The backup holds all the personal data: keep it as safe as the database."""
    register = bootstrap()
    try:
        result = backup_store.backup(register.database.url, path, force=force)
        record_backup(register.unit_of_work, path=str(result.path), sha256=result.sha256,
                      size=result.size, backend=result.backend,
                      actor=operator_name(register.settings.actor), actor_role=CLI_ROLE,
                      justification=justification)
    finally:
        register.close()
    checked = (f", audit chain of {result.audit_checked} records verified"
               if result.audit_checked is not None else "")
    console.print(f"Backup written to {result.path} ({result.size:,} bytes, "
                  f"sha256 {result.sha256}{checked}).")


def restore(
    path: Annotated[Path, typer.Argument(help="A backup file written by `gvm backup`.")],
    justification: Annotated[str, typer.Option(help="Why the register is restored.")] = "restore",
) -> None:
    """Replace the register with a backup (checked against PATH.sha256 first). Every
    change made since the backup is lost; the restore is recorded in the audit log."""
    settings = Settings()
    result = backup_store.restore(settings.database_url, path)
    register = bootstrap(settings)  # brings an older backup's schema up to date
    try:
        record_restore(register.unit_of_work, path=str(result.path), sha256=result.sha256,
                       backend=result.backend, previous_head_seq=result.previous_head_seq,
                       previous_head_hash=result.previous_head_hash,
                       actor=operator_name(settings.actor), actor_role=CLI_ROLE,
                       justification=justification)
        verified = register.database.verify_audit()
    finally:
        register.close()
    if not verified.ok:
        err_console.print(f"Restored, but the audit chain is BROKEN at record "
                          f"{verified.first_broken_seq}: {verified.reason}")
        raise typer.Exit(1)
    console.print(f"Restored {result.path} (sha256 {result.sha256}); audit chain intact: "
                  f"{verified.checked} records verified.")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
