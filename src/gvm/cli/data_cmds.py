"""`gvm init`, `gvm import`, `gvm score`, `gvm explain`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gvm import reference
from gvm.bootstrap import bootstrap
from gvm.cli.explain_view import explanation_json, print_explanation
from gvm.cli.output import console, err_console, operator_name
from gvm.domain.errors import GvmError
from gvm.services.importing import import_bundle
from gvm.services.scoring import explain, rescore

CLI_ROLE = "operator"  # a person with shell access to the register's host

SCORE_COLUMNS = ["person_id", "harm_score", "victim_score", "harm_band", "victim_band",
                 "eligible", "in_custody", "policy_version", "policy_hash", "as_of"]


class ScoreFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


def _as_of(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date as YYYY-MM-DD") from None


AsOf = Annotated[date, typer.Option("--as-of", parser=_as_of, help="Scoring date, YYYY-MM-DD.",
                                    metavar="DATE")]


def init() -> None:
    """Create or upgrade the register's database schema (safe to run again)."""
    register = bootstrap()
    register.close()
    console.print("Database schema is up to date.")


def import_(
    path: Annotated[Path, typer.Argument(help="A bundle folder of CSV files, or an .xlsx file.")],
    justification: Annotated[str, typer.Option(help="Why this data is collected.")] = "import",
) -> None:
    """Import a bundle (SPEC section 4). Any invalid row rejects the whole bundle."""
    register = bootstrap()
    try:
        with err_console.status(f"Validating and importing {path.name}..."):
            report = import_bundle(register.unit_of_work, path,
                                   actor=operator_name(register.settings.actor),
                                   actor_role=CLI_ROLE, justification=justification)
    finally:
        register.close()
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items() if n)
    console.print(f"Imported {report.source_name}: {counts or 'no rows'}.")


def score(
    as_of: AsOf,
    fmt: Annotated[ScoreFormat, typer.Option("--format", help="Output.")] = ScoreFormat.TABLE,
    borough: Annotated[str | None, typer.Option(help="Only this borough (GSS code).")] = None,
) -> None:
    """Score everyone held on AS_OF, store the run, and print the scores."""
    register = bootstrap()
    if borough is not None and borough not in _borough_codes():
        register.close()
        raise GvmError("--borough: expected a London borough GSS code E09000001..E09000033")
    try:
        with err_console.status(f"Scoring as of {as_of.isoformat()}..."):
            _, scores = rescore(register.unit_of_work, as_of, register.policy,
                                register.catalogue, actor=operator_name(register.settings.actor),
                                actor_role=CLI_ROLE, borough=borough)
    finally:
        register.close()
    stamp = (register.policy.label, register.policy.content_hash, as_of.isoformat())
    rows = scores.select(["person_id", "harm_score", "victim_score", "harm_band", "victim_band",
                          "eligible", "in_custody"]).iter_rows()
    out = sys.stdout
    if fmt is ScoreFormat.JSONL:
        for r in rows:
            out.write(json.dumps(dict(zip(SCORE_COLUMNS, (*r, *stamp), strict=True))) + "\n")
    elif fmt is ScoreFormat.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(SCORE_COLUMNS)
        for r in rows:
            writer.writerow((*r, *stamp))
    else:
        _score_table(scores, as_of, stamp[0])


def _borough_codes() -> set[str]:
    return set(reference.boroughs())


def _score_table(scores, as_of: date, version: str) -> None:
    table = Table(title=f"Scores as of {as_of.isoformat()} ({version})")
    for col in ("person", "harm", "band", "victim", "band", "eligible", "custody"):
        table.add_column(col, justify="right" if col in ("harm", "victim") else "left")
    for r in scores.iter_rows(named=True):
        table.add_row(r["person_id"], f"{r['harm_score']:.2f}", r["harm_band"],
                      f"{r['victim_score']:.2f}", r["victim_band"],
                      "yes" if r["eligible"] else "no", "yes" if r["in_custody"] else "")
    console.print(table)


def explain_cmd(
    person_id: Annotated[str, typer.Argument(help="The person's register id.")],
    as_of: AsOf,
    justification: Annotated[str, typer.Option(help="Why you are viewing this record.")] = "",
    fmt: Annotated[ScoreFormat, typer.Option("--format")] = ScoreFormat.TABLE,
) -> None:
    """Explain one person's harm and victim scores: every item counted or left out."""
    if not justification.strip():
        if not sys.stdin.isatty():
            raise GvmError("--justification is required: viewing a record is logged (R-LOG)")
        justification = typer.prompt("Justification for viewing this record")
    register = bootstrap()
    try:
        result = explain(register.unit_of_work, person_id, as_of, register.policy,
                         register.catalogue, actor=operator_name(register.settings.actor),
                         actor_role=CLI_ROLE, justification=justification)
    finally:
        register.close()
    if fmt is ScoreFormat.JSONL:
        sys.stdout.write(json.dumps(explanation_json(result)) + "\n")
    else:
        print_explanation(result)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("import")(import_)
    app.command()(score)
    app.command("explain")(explain_cmd)

