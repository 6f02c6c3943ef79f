"""The profile's timeline of contributing events as server-rendered SVG: no script, and
only presentation attributes (no inline style, which the CSP forbids). One row for the
harm score's items and one for the victim score's; a mark's area follows the points it
added, an item that did not count is an outline. The explanation table beside it is the
chart's text alternative."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from html import escape

from gvm.domain.scoring import ExplanationItem

WIDTH, ROW, LEFT, RIGHT, TOP = 720, 56, 92, 16, 28
ROWS = (("Harm", "#b00020"), ("Victim", "#1d4ed8"))
MAX_RADIUS = 14.0


def _x(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span


def timeline_svg(harm: Sequence[ExplanationItem], victim: Sequence[ExplanationItem],
                 as_of: date, title: str = "Timeline of contributing events") -> str:
    items = [*harm, *victim]
    start = min((i.date for i in items), default=as_of.replace(year=as_of.year - 1))
    start = min(start, as_of.replace(year=as_of.year - 1)).replace(month=1, day=1)
    height = TOP + ROW * len(ROWS) + 24
    most = max((i.points for i in items), default=0.0) or 1.0
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
             f'height="{height}" role="img" aria-labelledby="timeline-title timeline-desc" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="timeline-title">{escape(title)}</title>',
             f'<desc id="timeline-desc">{len(harm)} harm and {len(victim)} victim items '
             f'from {start.isoformat()} to {as_of.isoformat()}; the table below lists '
             'them.</desc>']
    bottom = TOP + ROW * len(ROWS)
    for year in range(start.year, as_of.year + 1):
        x = _x(date(year, 1, 1), start, as_of)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{bottom}" '
                     'stroke="#b1b4b6" stroke-width="1"/>')
        parts.append(f'<text x="{x + 3:.1f}" y="{bottom + 16}" font-size="12" '
                     f'fill="#4a4a4a">{year}</text>')
    x_now = _x(as_of, start, as_of)
    parts.append(f'<line x1="{x_now:.1f}" y1="{TOP - 8}" x2="{x_now:.1f}" y2="{bottom}" '
                 'stroke="#1b1b1b" stroke-width="2" stroke-dasharray="4 3"/>')
    for row, ((label, colour), row_items) in enumerate(zip(ROWS, (harm, victim),
                                                          strict=True)):
        y = TOP + ROW * row + ROW / 2
        parts.append(f'<text x="4" y="{y + 4:.1f}" font-size="13" fill="#1b1b1b">'
                     f'{label}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     'stroke="#1b1b1b" stroke-width="1"/>')
        for item in row_items:
            radius = max(3.0, MAX_RADIUS * math.sqrt(item.points / most))
            fill = colour if item.counted else "#fff"
            parts.append(
                f'<circle cx="{_x(item.date, start, as_of):.1f}" cy="{y:.1f}" '
                f'r="{radius:.1f}" fill="{fill}" fill-opacity="0.75" stroke="{colour}" '
                f'stroke-width="2"><title>{escape(item.date.isoformat())} '
                f'{escape(item.kind)} {escape(item.ref)}: {escape(item.detail)} '
                f'({item.points:g} points; {escape(item.reason)})</title></circle>')
    parts.append("</svg>")
    return "".join(parts)
