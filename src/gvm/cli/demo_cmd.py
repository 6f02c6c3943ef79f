"""`gvm demo`: a synthetic London in the embedded database, scored and ready to look at."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from platformdirs import user_cache_dir
from rich.table import Table

from gvm import reference
from gvm.bootstrap import bootstrap
from gvm.cli.demo_users import ensure_demo_users, print_demo_users
from gvm.cli.output import console, operator_name
from gvm.cli.serve_cmd import serve as serve_register
from gvm.cli.synth_cmd import with_progress
from gvm.config import Mode
from gvm.domain.errors import GvmError
from gvm.services.importing import import_bundle
from gvm.services.scoring import rescore

BANDS = ("Red", "Amber", "Green", "Zero")


def demo(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic London.")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the data is current to "
                                              "(default today).")] = None,
    serve: Annotated[bool, typer.Option(help="Serve the register afterwards.")] = True,
    port: Annotated[int, typer.Option(help="Port to serve on (127.0.0.1 only).")] = 8000,
) -> None:
    """Build a synthetic London into the embedded database, score it, create one demo
    user per role and serve it on 127.0.0.1."""
    register = bootstrap()
    try:
        if register.settings.mode is not Mode.DEV:
            raise GvmError("gvm demo runs only in dev mode: it must never touch a live register")
        day = date.fromisoformat(as_of) if as_of else date.today()
        folder = Path(user_cache_dir("gvm", appauthor=False)) / f"demo-london-{seed}-{day}"
        if not (folder / "people.csv").exists():
            console.print(f"Generating synthetic London (seed {seed}, as of {day})...")
            from gvm.synth.generator import generate  # loaded when used: slow to import

            with_progress(lambda progress: generate(folder, seed=seed, scale="london", as_of=day,
                                                    progress=progress))
        actor = operator_name(register.settings.actor)
        report = import_bundle(register.unit_of_work, folder, actor=actor, actor_role="operator",
                               justification="demo: synthetic data")
        _, scores = rescore(register.unit_of_work, day, register.policy, register.catalogue,
                            actor=actor, actor_role="operator")
        with register.unit_of_work(read_only=True) as uow:
            placed = uow.people_boroughs()
        borough_of = dict(zip(placed["person_id"], placed["borough_code"], strict=True))
        _summary(scores, borough_of, day, report.counts)
        print_demo_users(ensure_demo_users(register.unit_of_work))
        console.print(f"\nDatabase: {register.settings.database_url}")
        console.print(f"{placed.height:,} people held. Try: gvm score --as-of {day} "
                      "--format table --borough E09000028")
    finally:
        register.close()
    if not serve:
        console.print(f"Serve it with `gvm serve --port {port}`, then open "
                      f"http://127.0.0.1:{port}/ and sign in as a demo user above.")
        return
    console.print(f"Web pages: open http://127.0.0.1:{port}/ and sign in as a demo user "
                  "above (password and a code from the TOTP secret).")
    console.print(f"API at http://127.0.0.1:{port}/api/v1 (OpenAPI at "
                  "/api/v1/openapi.json). Ctrl-C stops it.")
    # One process is simpler to try out than a server and a worker: the demo keeps its
    # scores current in the server.
    serve_register(host="127.0.0.1", port=port, freshness=True)


def _summary(scores, borough_of: dict[str, str], day: date, counts: dict[str, int]) -> None:
    names = {b.code: b.name for b in reference.boroughs().values()}
    eligible = scores.filter(scores["eligible"])
    by = Counter((borough_of[p], band) for p, band in eligible.select(
        ["person_id", "harm_band"]).iter_rows())
    table = Table(title=f"Eligible for the register on {day} by borough and harm band")
    table.add_column("borough")
    for band in (*BANDS, "total"):
        table.add_column(band, justify="right")
    for code in sorted(names, key=names.get):
        row = [by[(code, b)] for b in BANDS]
        table.add_row(names[code], *map(str, row), str(sum(row)))
    totals = [sum(by[(c, b)] for c in names) for b in BANDS]
    table.add_row("[bold]London[/bold]", *map(str, totals), str(sum(totals)))
    console.print(table)
    console.print("Imported: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()))


def register(app: typer.Typer) -> None:
    app.command()(demo)
