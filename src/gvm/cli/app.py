"""The `gvm` command. The CLI is the only layer that prints; every command honours
GVM_DATABASE_URL. Errors gvm raises on purpose end the command with their message on
stderr and exit status 2, never a traceback."""

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


def main() -> None:
    try:
        app()
    except GvmError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)


# Governance: quarterly cohort reviews, retention and subject access (R-REVIEW,
# R-RETENTION, R-SUBJECT).
from gvm.cli import governance_cmd, meeting_cmd, sharing_cmd  # noqa: E402

governance_cmd.register(app)
sharing_cmd.register(app)
meeting_cmd.register(app)
