"""`gvm policy compare`: a proposed scoring policy against the current one, before
adoption (SPEC 5 "what if")."""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gvm import reference
from gvm.bootstrap import bootstrap
from gvm.cli.output import console, err_console, operator_name, write_files
from gvm.domain.errors import GvmError
from gvm.domain.policy import Policy
from gvm.reports.equality import census_frame
from gvm.reports.model_charts import whatif_files
from gvm.reports.whatif import BANDS, CHANGE_COLUMNS, transition_matrix, what_if_of
from gvm.services.oversight_reports import CohortKind
from gvm.services.whatif import run_whatif

CLI_ROLE = "operator"
FILE_MODE = 0o600  # the list of changes names people

app = typer.Typer(help="Scoring policies: compare a proposed policy with the current one.",
                  no_args_is_help=True)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date as YYYY-MM-DD") from None


def _policy(value: str) -> Policy:
    if value == "default":
        return reference.default_policy()
    try:
        return reference.load_policy(value)
    except OSError as e:
        raise GvmError(f"{value}: cannot read the policy file ({e.strerror})") from None
    except ValueError as e:  # tomllib.TOMLDecodeError, PolicyError is a GvmError
        raise GvmError(f"{value}: {e}") from None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _write_private_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    """Create (or replace) `path` readable by its owner only, then write it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _matrix_table(title: str, table) -> Table:
    out = Table(title=title)
    out.add_column("current \\ proposed")
    for band in BANDS:
        out.add_column(band, justify="right")
    for r in transition_matrix(table).iter_rows(named=True):
        out.add_row(r["current"], *(str(r[b]) for b in BANDS))
    return out


@app.command()
def compare(
    current: Annotated[str, typer.Argument(help="The current policy file, or `default` "
                                           "for the shipped policy.")],
    proposed: Annotated[str, typer.Argument(help="The proposed policy file.")],
    as_of: Annotated[date, typer.Option("--as-of", parser=_date, metavar="DATE",
                                        help="Scoring date, YYYY-MM-DD.")],
    cohort: Annotated[CohortKind, typer.Option(
        "--cohort", help="eligible (default): who meets the inclusion threshold under "
        "each policy; register: the people on the register that day.")]
    = CohortKind.ELIGIBLE,
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML page, CSV files "
                                      "and charts.")] = Path("."),
) -> None:
    """Score the same data under CURRENT and PROPOSED: who changes band or eligibility,
    how the cohort's size and make-up shift, and the equality headline under each."""
    old, new = _policy(current), _policy(proposed)
    census = census_frame(reference.census_rows())

    def summarise(result):
        return {"cohort_current": result.cohort_current,
                "cohort_proposed": result.cohort_proposed,
                "harm_up": result.moved("harm", "up"), "harm_down": result.moved("harm", "down"),
                "victim_up": result.moved("victim", "up"),
                "victim_down": result.moved("victim", "down"), **result.eligibility}

    register = bootstrap()
    try:
        with err_console.status(f"Comparing {old.label} with {new.label}..."):
            result = run_whatif(
                register.unit_of_work, as_of=as_of, current=old, proposed=new,
                catalogue=register.catalogue, cohort=cohort,
                compute=lambda inputs: what_if_of(inputs, census),
                summarise=summarise, listed=lambda r: r.changed["person_id"].to_list(),
                actor=operator_name(register.settings.actor), actor_role=CLI_ROLE)
    finally:
        register.close()

    console.print(f"Policy {old.label} -> {new.label} as of {as_of.isoformat()}, cohort "
                  f"{cohort.value}: {result.cohort_current} -> {result.cohort_proposed} people "
                  f"({result.cohort_proposed - result.cohort_current:+d}).")
    console.print(_matrix_table("Harm band transitions (people in the cohort under either "
                                "policy)", result.harm))
    console.print(_matrix_table("Victim band transitions", result.victim))
    e = result.eligibility
    console.print(f"Eligibility: stays {e['stays_eligible']}, becomes eligible "
                  f"{e['becomes_eligible']}, no longer eligible {e['no_longer_eligible']}.")
    table = Table(title="Equality headline, London: RRI under each policy")
    for col in ("group", "n now", "n proposed", "vs census now", "vs census proposed",
                "vs suspects now", "vs suspects proposed"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for r in result.equality.iter_rows(named=True):
        table.add_row(r["group"], str(r["count_current"]), str(r["count_proposed"]),
                      _num(r["rri_census_current"]), _num(r["rri_census_proposed"]),
                      _num(r["rri_suspects_current"]), _num(r["rri_suspects_proposed"]))
    console.print(table)

    stem = f"whatif_{as_of.isoformat()}"
    files = whatif_files(result, stem=stem, current=old.label, proposed=new.label, as_of=as_of)
    write_files(out, files)
    changes = out / f"{stem}_changes.csv"
    _write_private_csv(changes, list(CHANGE_COLUMNS), result.changed.rows())
    console.print(f"{result.changed.height} people change band or eligibility; the list "
                  f"({changes}) is personal data, readable by its owner only, and its "
                  "making is in the audit log.")
    console.print(f"Wrote {len(files) + 1} files to {out}: open {out / f'{stem}.html'}")
