"""`gvm synth`: write a synthetic bundle."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gvm.cli.output import console
from gvm.domain.errors import GvmError


class Scale(StrEnum):
    SMALL = "small"
    LONDON = "london"
    NATIONAL = "national"


def parse_bias(values: list[str]) -> dict[str, float]:
    """`Black=2.0` pairs: an ethnic group and the factor on its intelligence recording."""
    groups = {"Asian", "Black", "Mixed", "White", "Other"}
    bias: dict[str, float] = {}
    for value in values:
        group, sep, factor = value.partition("=")
        if not sep or group not in groups:
            raise GvmError(f"--recording-bias {value!r}: expected GROUP=FACTOR with GROUP one "
                           f"of {', '.join(sorted(groups))}")
        try:
            bias[group] = float(factor)
        except ValueError:
            raise GvmError(f"--recording-bias {value!r}: FACTOR must be a number") from None
        if not 0 < bias[group] <= 10:
            raise GvmError(f"--recording-bias {value!r}: FACTOR must be in (0, 10]")
    return bias


def with_progress(work):
    """Run `work(progress_callback)` under a Rich progress bar per stage."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}"
                  "/{task.total:,}"), TimeElapsedColumn(), console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return work(progress)


def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the bundle into.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 1,
    scale: Annotated[Scale, typer.Option(help="small, london (~3,800 on the register) or "
                                         "national (~1M people, 20M records).")] = Scale.LONDON,
    as_of: Annotated[str, typer.Option("--as-of", help="Data current to.")] = "2026-09-30",
    recording_bias: Annotated[list[str] | None, typer.Option(
        "--recording-bias", help="GROUP=FACTOR: record intelligence FACTOR times as often for "
        "this ethnic group at the same behaviour (to test that bias is detected).")] = None,
) -> None:
    """Generate a deterministic synthetic London as an import bundle."""
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise GvmError("--as-of: expected a date as YYYY-MM-DD") from None
    bias = parse_bias(recording_bias or [])
    from gvm.synth.generator import generate  # loaded when used: it is slow to import

    summary = with_progress(lambda progress: generate(
        out, seed=seed, scale=scale.value, as_of=day, recording_bias=bias or None,
        progress=progress))
    console.print(f"Wrote {scale.value} bundle to {out}: {summary}")


def register(app: typer.Typer) -> None:
    app.command()(synth)
