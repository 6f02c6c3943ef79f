"""`gvm audit verify`: prove the s.62 audit log's hash chain intact (R-LOG)."""

from __future__ import annotations

import typer

from gvm.bootstrap import bootstrap
from gvm.cli.output import console, err_console

app = typer.Typer(help="The audit log (DPA 2018 s.62).", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Recompute the hash chain; name the first broken record if any row was altered,
    removed or reordered. Exit status 1 when the chain is broken."""
    register = bootstrap()
    try:
        with register.unit_of_work() as uow:
            result = uow.verify_audit()
    finally:
        register.close()
    if result.ok:
        console.print(f"Audit chain intact: {result.checked} records verified.")
        return
    err_console.print(f"Audit chain BROKEN at record {result.first_broken_seq}: {result.reason} "
                      f"({result.checked} records checked).")
    raise typer.Exit(1)
