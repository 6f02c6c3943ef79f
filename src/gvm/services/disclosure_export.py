"""A disclosure as a spreadsheet: CSV or Excel (xlsx), the condition (R-NOT-SOLE) and the
reliability information (R-ACCURACY) in header rows above the people.

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab
or a carriage return) is prefixed with an apostrophe, so `=HYPERLINK(...)` in a record
arrives as text, never as a live formula (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook

from gvm.services.sharing import DisclosurePayload

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LIST_COLUMNS = ("score_explanation", "intelligence", "offences")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralise(value)


def rows(payload: DisclosurePayload) -> list[list[Any]]:
    """The sheet: header rows (condition, handling, reliability), a blank row, then one
    column per disclosed key and one row per person."""
    made_at = "" if payload.made_at is None else payload.made_at.isoformat()
    header: list[list[Any]] = [
        ["Condition", payload.condition],
        ["Reference", payload.reference],
        ["Expires", "" if payload.expires_on is None else payload.expires_on.isoformat()],
        ["Handling conditions", payload.handling_conditions],
        ["Recipient", payload.recipient],
        ["ISA", payload.isa_id],
        ["Disclosure", "" if payload.disclosure_id is None else payload.disclosure_id],
        ["Made by", payload.made_by],
        ["Made at", made_at],
        ["Records as of", payload.as_of.isoformat()],
        ["Scoring policy", payload.policy_version],
        ["Fields", ", ".join(payload.fields)],
        [],
    ]
    columns: list[str] = []
    for entry in payload.people:
        columns.extend(k for k in entry if k not in columns)
    body = [[entry.get(c, "") for c in columns] for entry in payload.people]
    return [[_cell(v) for v in row] for row in [*header, columns, *body]]


def export_disclosure_csv(payload: DisclosurePayload) -> bytes:
    """UTF-8 with a byte order mark (Excel reads the accents right), CRLF rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows(payload):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def export_disclosure_xlsx(payload: DisclosurePayload) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Disclosure"
    for row in rows(payload):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
