"""`gvm freshen`: keep stored scores current as records arrive, as a process of its own
(`gvm serve` runs the same worker on a thread). Safe beside a server or a second worker:
each batch is claimed (gvm.storage.freshness)."""

from __future__ import annotations

import signal
import threading
from datetime import date
from typing import Annotated

import typer

from gvm.bootstrap import bootstrap
from gvm.cli.data_cmds import _as_of
from gvm.cli.output import console, err_console, operator_name
from gvm.services.freshness import BATCH_PEOPLE, POLL_SECONDS, FreshnessWorker, today_utc


def freshen(
    as_of: Annotated[date | None, typer.Option(
        "--as-of", parser=_as_of, metavar="DATE",
        help="Scoring date, YYYY-MM-DD (default: today, UTC, taken per batch).")] = None,
    once: Annotated[bool, typer.Option(
        "--once", help="Re-score what is queued now, then stop.")] = False,
    batch: Annotated[int, typer.Option(min=1, max=10_000,
                                       help="People per transaction.")] = BATCH_PEOPLE,
    poll: Annotated[float, typer.Option(min=0.005, max=60.0,
                                        help="Seconds between looks at an idle queue."
                                        )] = POLL_SECONDS,
) -> None:
    """Re-score the people whose records changed (the queue every write fills), one
    logged combination per batch; until interrupted, or with --once until the queue is
    empty."""
    register = bootstrap()
    worker = FreshnessWorker(register.unit_of_work, register.policy, register.catalogue,
                             actor=operator_name(register.settings.actor),
                             as_of=(lambda: as_of) if as_of else today_utc,
                             batch=batch, poll=poll)
    try:
        with register.unit_of_work(read_only=True) as uow:
            waiting = uow.stale_count()
        err_console.print(f"{waiting} people queued for re-scoring.")
        if once:
            worker.drain()
        else:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            worker.start()
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
            finally:
                worker.stop()
    finally:
        register.close()
    console.print(f"Re-scored {worker.refreshed} people in {worker.batches} batches.")


def register(app: typer.Typer) -> None:
    app.command()(freshen)
