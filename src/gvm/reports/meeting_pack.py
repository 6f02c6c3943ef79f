"""The meeting pack as HTML (Jinja2, autoescaped) and PDF (fpdf2, pure pip), from the
MeetingPack that gvm.services.meeting_packs produced: the renderers add nothing to what
the attendee may receive, they only lay it out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF
from jinja2 import Environment, PackageLoader, select_autoescape

from gvm.domain.meetings import MeetingPack

_ENV = Environment(loader=PackageLoader("gvm.reports", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))
# Names are not Latin-1: the DejaVu font that ships with matplotlib covers them.
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

COLUMNS = (("person_id", "Person"), ("name", "Name"), ("child", "Child"),
           ("harm_score", "Harm"), ("harm_band", "Harm band"),
           ("victim_score", "Victim"), ("victim_band", "Victim band"),
           ("in_custody", "In custody"), ("explanation", "Explanation"))


def columns(pack: MeetingPack) -> list[tuple[str, str]]:
    """The columns any line of the pack carries, in a fixed order."""
    present = {k for line in pack.people for k in line}
    return [(k, label) for k, label in COLUMNS if k in present]


def cell(line: dict[str, Any], key: str) -> str:
    value = line.get(key, "")
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _show_ids(pack: MeetingPack) -> bool:
    return pack.fields is None or "person_id" in pack.fields


def render_html(pack: MeetingPack, template: str = "meeting_pack.html") -> str:
    """The pack as a standalone document, or with `template="meeting_pack_body.html"`
    its content only, for a page that brings its own layout and styles."""
    return _ENV.get_template(template).render(
        pack=pack, columns=columns(pack), cell=cell, show_ids=_show_ids(pack))


def render_pdf(pack: MeetingPack) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Meeting pack {pack.meeting.meeting_id}")
    pdf.add_font("DejaVu", fname=str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()

    def para(text: str, size: int = 9) -> None:
        pdf.set_font("DejaVu", size=size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    para(f"OFFICIAL-SENSITIVE. {pack.condition}", 9)
    para(f"{pack.borough_name} gangs meeting, {pack.meeting.held_on.isoformat()}", 14)
    a = pack.attendee
    para(f"Pack for {a.name}" + (f" ({a.organisation})" if a.organisation else "")
         + f"; confidentiality agreement version {a.agreement_version} signed "
         f"{a.signed_at.isoformat() if a.signed_at else ''}, read out by {a.read_out_by}.")
    para(f"Produced {pack.produced_at.isoformat()} by {pack.produced_by}; records as of "
         f"{pack.as_of.isoformat()}, scoring policy {pack.policy_version}."
         + ("" if pack.fields is None else f" Fields under the ISA: {', '.join(pack.fields)}."))
    para("Agenda", 12)
    for n, item in enumerate(pack.agenda, 1):
        para(f"{n}. {item}")
    para("Actions from the last meeting", 12)
    for act in pack.actions or ():
        who = f" [{act.person_id}]" if act.person_id and _show_ids(pack) else ""
        para(f"- {act.description} (owner {act.owner}, due {act.due_on.isoformat()}){who}")
    if not pack.actions:
        para("None recorded.")
    para("Cohort changes since the last meeting", 12)
    for c in pack.changes:
        para(f"- {c['decided_on']}: {c['decision']} {c.get('person_id', '')}")
    if not pack.changes:
        para("No changes.")
    para("People to discuss", 12)
    cols = columns(pack)
    if pack.people:
        pdf.set_font("DejaVu", size=7)
        with pdf.table(text_align="LEFT", line_height=4) as table:
            table.row([label for _, label in cols])
            for line in pack.people:
                table.row([cell(line, k) for k, _ in cols])
    else:
        para("No one is on the borough's register.")
    para("Diversion: support flags and referrals", 12)
    for line in pack.people:
        if line.get("support_flag") or line.get("referrals"):
            refs = "; ".join(f"referred to {r['organisation']} on {r['referred_on']}, "
                             f"outcome {r['outcome'] or 'awaited'}" for r in line["referrals"])
            flag = "flagged for support" if line.get("support_flag") else ""
            para(f"- {line.get('person_id', '(person)')}: {flag} {refs}".rstrip())
    return bytes(pdf.output())
