"""The `gvm` command. The CLI is the only layer that prints; every command honours
GVM_DATABASE_URL. Errors gvm raises on purpose end the command with their message on
stderr and exit status 2, never a traceback. A register held by another writer too long
(an import or a re-score in another process, on SQLite) or a database that cannot be
reached ends it with a plain message and exit status 75 (EX_TEMPFAIL: try again later);
nothing was changed."""

from __future__ import annotations

import sys

import typer

from gvm.cli import (
    audit_cmd,
    backup_cmd,
    data_cmds,
    demo_cmd,
    freshen_cmd,
    report_cmd,
    serve_cmd,
    synth_cmd,
    user_cmd,
)
from gvm.domain.errors import GvmError

app = typer.Typer(
    name="gvm",
    help="gvm: a governed violence-harm register for a police force and its partners.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_cmds.register(app)
synth_cmd.register(app)
demo_cmd.register(app)
serve_cmd.register(app)
freshen_cmd.register(app)
backup_cmd.register(app)
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(user_cmd.app, name="user")
app.add_typer(report_cmd.app, name="report")
from gvm.cli import policy_cmd  # noqa: E402  (what-if: gvm policy compare)

app.add_typer(policy_cmd.app, name="policy")


TRY_AGAIN = 75  # sysexits.h EX_TEMPFAIL
BUSY_MESSAGE = ("error: the register is busy with another write (an import or a re-score); "
                "nothing was changed. Try again when it has finished.")
UNREACHABLE_MESSAGE = "error: the database cannot be reached; nothing was changed."


def main() -> None:
    try:
        app()
    except GvmError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
    except Exception as e:
        # The database's own text (which may quote a statement) is not for the user.
        from gvm.bootstrap import busy, unreachable  # loaded only when a command fails
        if busy(e):
            typer.echo(BUSY_MESSAGE, err=True)
        elif unreachable(e):
            typer.echo(UNREACHABLE_MESSAGE, err=True)
        else:
            raise
        sys.exit(TRY_AGAIN)


# Governance: quarterly cohort reviews, retention and subject access (R-REVIEW,
# R-RETENTION, R-SUBJECT).
from gvm.cli import governance_cmd, meeting_cmd, sharing_cmd  # noqa: E402

governance_cmd.register(app)
sharing_cmd.register(app)
meeting_cmd.register(app)
