"""Rendering of a score explanation for the terminal and as JSON."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from gvm.cli.output import console
from gvm.domain.scoring import ExplanationItem, ScoreResult


def _item_json(i: ExplanationItem) -> dict[str, Any]:
    return {"kind": i.kind, "ref": i.ref, "date": i.date.isoformat(), "detail": i.detail,
            "weight": i.weight, "factor": i.factor, "points": i.points, "reason": i.reason}


def explanation_json(r: ScoreResult) -> dict[str, Any]:
    return {
        "person_id": r.person_id, "as_of": r.as_of.isoformat(),
        "harm_score": r.harm_score, "harm_band": r.harm_band,
        "victim_score": r.victim_score, "victim_band": r.victim_band,
        "eligible": r.eligible, "eligibility": r.eligibility.reason,
        "in_custody": r.in_custody, "policy_version": r.policy_version,
        "policy_hash": r.policy_hash,
        "harm_items": [_item_json(i) for i in r.harm_items],
        "victim_items": [_item_json(i) for i in r.victim_items],
    }


def _items_table(title: str, items: tuple[ExplanationItem, ...], total: float) -> Table:
    t = Table(title=title, title_justify="left")
    for col in ("date", "kind", "ref", "detail", "weight", "factor", "points", "reason"):
        t.add_column(col, justify="right" if col in ("weight", "factor", "points") else "left")
    for i in items:
        t.add_row(i.date.isoformat(), i.kind, i.ref, i.detail,
                  "" if i.weight is None else f"{i.weight:g}",
                  "" if i.factor is None else f"{i.factor:g}",
                  f"{i.points:.2f}", i.reason, style=None if i.counted else "dim")
    t.caption = f"total {total:.2f}"
    return t


def print_explanation(r: ScoreResult) -> None:
    console.print(f"[bold]{r.person_id}[/bold] as of {r.as_of.isoformat()} "
                  f"({r.policy_version}, policy hash {r.policy_hash[:12]})")
    console.print(f"Harm {r.harm_score:.2f} [{r.harm_band}]   Victim {r.victim_score:.2f} "
                  f"[{r.victim_band}]   {'In custody' if r.in_custody else 'Not in custody'}")
    console.print(f"Threshold: {'eligible' if r.eligible else 'not eligible'}: "
                  f"{r.eligibility.reason}")
    console.print(_items_table("Harm (as an offender)", r.harm_items, r.harm_score))
    console.print(_items_table("Risk (as a victim)", r.victim_items, r.victim_score))
