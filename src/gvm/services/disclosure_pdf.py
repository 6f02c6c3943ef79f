"""A disclosure as PDF (fpdf2, pure pip): the condition (R-NOT-SOLE), the unique
reference, expiry and handling conditions first, then the reliability information
(records as of, scoring policy) and one block per person with exactly the fields sent,
nothing else (R-SELECTED, R-ACCURACY)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF

from gvm.services.disclosure_export import rows
from gvm.services.sharing import DisclosurePayload

# Names are not Latin-1: the DejaVu font that ships with matplotlib covers them.
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _text(value: Any) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def export_disclosure_pdf(payload: DisclosurePayload) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Disclosure {payload.reference}")
    pdf.add_font("DejaVu", fname=str(_FONTS / "DejaVuSans.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()

    def line(text: str, size: int = 9) -> None:
        pdf.set_font("DejaVu", size=size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    line(f"OFFICIAL-SENSITIVE. Disclosure {payload.reference}", 13)
    pdf.ln(2)
    sheet = rows(payload)
    blank = sheet.index([])
    for label, value in sheet[:blank]:  # the same header rows as the CSV and XLSX
        line(f"{label}: {_text(value)}")
    for person in payload.people:
        pdf.ln(3)
        line(f"Person {person.get('person_id', '')}".rstrip(), 11)
        for key, value in person.items():
            line(f"{key}: {_text(value)}", 8)
    return bytes(pdf.output())
