"""`gvm review due` (R-REVIEW), `gvm retention due` (R-RETENTION) and
`gvm subject-report PERSON_ID` (R-SUBJECT). Ids and counts only: never names."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from gvm.authz import Actor, Role
from gvm.bootstrap import bootstrap
from gvm.cli.output import console, operator_name
from gvm.services.retention import candidates_due_for_erasure
from gvm.services.reviews import reviews_due
from gvm.services.subject import overdue_removal_requests, subject_report

review_app = typer.Typer(help="Quarterly cohort reviews (R-REVIEW).", no_args_is_help=True)
retention_app = typer.Typer(help="Retention and erasure (R-RETENTION).", no_args_is_help=True)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date as YYYY-MM-DD") from None


TodayOption = Annotated[date | None, typer.Option(
    "--today", parser=_date, metavar="DATE", help="The day to check on (default: today).")]


@review_app.command("due")
def review_due_cmd(today: TodayOption = None) -> None:
    """Boroughs whose cohort has had no closed review in the last quarter, and how many
    people on the register have not been reviewed in it."""
    day = today or date.today()
    register = bootstrap()
    try:
        due = reviews_due(register.unit_of_work, day)
    finally:
        register.close()
    table = Table(title=f"Cohort reviews due on {day.isoformat()}")
    for col in ("borough", "on register", "last review", "status"):
        table.add_column(col)
    for b in due.boroughs:
        table.add_row(b.borough_code, str(b.on_register),
                      b.last_review.isoformat() if b.last_review else "never",
                      "OVERDUE" if b.overdue else "due")
    console.print(table)
    overdue = sum(1 for b in due.boroughs if b.overdue)
    console.print(f"{len(due.boroughs)} borough(s) due, {overdue} overdue; "
                  f"{len(due.people)} person(s) on the register not reviewed in the last "
                  "quarter.")


@retention_app.command("due")
def retention_due_cmd(today: TodayOption = None) -> None:
    """People never on the register whose records have passed the retention window
    (ids only), and removal requests past their 30-day deadline."""
    day = today or date.today()
    register = bootstrap()
    try:
        candidates = candidates_due_for_erasure(register.unit_of_work, day, register.policy)
        overdue = overdue_removal_requests(register.unit_of_work, day)
    finally:
        register.close()
    console.print(f"{len(candidates)} candidate(s) due for erasure on {day.isoformat()} "
                  f"(never on the register; newest record older than "
                  f"{register.policy.candidate_retention_months} months):")
    for c in candidates:
        console.print(f"  {c.person_id}")
    console.print(f"{len(overdue)} removal request(s) overdue:")
    for r in overdue:
        console.print(f"  request {r.request_id} (person {r.person_id}), deadline "
                      f"{r.deadline.isoformat()}")


def subject_report_cmd(
    person_id: Annotated[str, typer.Argument(help="The person id.")],
    guardian: Annotated[str | None, typer.Option(
        "--guardian", help="For a child: the parent or guardian the report goes to "
        "(required for a child, and recorded).")] = None,
) -> None:
    """Subject access (R-SUBJECT): whether the person is or was on the register, what is
    held (counts by kind), and every disclosure of their record. Logged as a
    consultation by the operator, acting as the data protection officer."""
    register = bootstrap()
    try:
        actor = Actor(user_id=0, username=operator_name(register.settings.actor),
                      role=Role.DPO)
        report = subject_report(register.unit_of_work, actor, person_id, guardian=guardian)
    finally:
        register.close()
    console.print(f"Person {report.person_id}"
                  + (" (a child: report to their parent or guardian)" if report.child else ""))
    console.print(f"  records held: {'yes' if report.held else 'no'}"
                  + (f" (erased {report.erased_at.isoformat()})" if report.erased_at else ""))
    console.print(f"  on the register now: {'yes' if report.on_register else 'no'}; "
                  f"ever: {'yes' if report.ever_on_register else 'no'}")
    for h in report.register_history:
        when = h.decided_at.isoformat() if h.decided_at else "?"
        console.print(f"    {h.decision} {when} by {h.decided_by}")
    if report.record_counts:
        console.print("  held: " + ", ".join(f"{k} {v}" for k, v in
                                             sorted(report.record_counts.items())))
    if report.categories:
        console.print("  categories: " + ", ".join(report.categories))
    console.print(f"  disclosures: {len(report.disclosures)}")
    for d in report.disclosures:
        console.print(f"    #{d.disclosure_id} to {d.recipient} on {d.made_at.isoformat()} "
                      f"under ISA {d.isa_id}: {', '.join(d.fields)}")
    for r in report.removal_requests:
        state = r.outcome.value if r.outcome else ("OVERDUE" if r.overdue else "open")
        console.print(f"  removal request {r.request_id}: deadline {r.deadline.isoformat()}, "
                      f"{state}")


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    app.add_typer(retention_app, name="retention")
    app.command("subject-report")(subject_report_cmd)
