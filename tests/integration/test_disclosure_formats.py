"""A disclosure in every export format, opened again and read (R-SELECTED, R-NOT-SOLE,
R-ACCURACY, R-ISA): the CSV, XLSX and PDF carry the condition, the unique reference, the
expiry and the reliability information, and no field the ISA does not permit;
intelligence of handling code C goes only with the ISA's conditions attached."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gvm.authz import Actor, Role
from gvm.domain.sharing import NOT_SOLE_BASIS
from gvm.reference import default_policy, offence_catalogue
from gvm.services import sharing
from gvm.services.disclosure_export import export_disclosure_csv, export_disclosure_xlsx
from gvm.services.disclosure_pdf import export_disclosure_pdf

CAMDEN = "E09000007"
AS_OF = date(2024, 6, 30)
ANALYST = Actor(3, "analyst.camden", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
DPO = Actor(4, "dora", Role.DPO)
FIELDS = ["person_id", "harm_band", "score_explanation", "intelligence_summary_graded"]
# What P1's record holds that this ISA does not permit.
OUTSIDE = ("Ashdown", "Kit", "2001-03-04", "seen with group", "posts", CAMDEN)


@pytest.fixture
def uow(database, bundle, sha):
    with database.unit_of_work() as u:
        u.save_bundle(bundle, source_name="b.csv", sha256=sha)
        u.commit()
    return database.unit_of_work


def _disclose(uow, conditions: str):
    isa = sharing.register_isa(
        uow, DPO, organisation="Camden Probation", organisation_type="probation",
        purpose="managing the risk of serious violence by people on licence",
        boroughs=[CAMDEN], permitted_fields=FIELDS, handling_conditions=conditions,
        start_date=date(2024, 1, 1), end_date=date(2025, 3, 31))
    return sharing.make_disclosure(
        uow, ANALYST, isa.isa_id, ["P1"], [*FIELDS, "names", "date_of_birth", "offences"],
        as_of=AS_OF, policy=default_policy(), catalogue=offence_catalogue(),
        justification="licence review panel", now=datetime(2024, 7, 10, tzinfo=UTC))


def _pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_no_field_outside_the_isa_in_any_format(uow):
    payload = _disclose(uow, "named offender managers only; not to be copied")
    assert payload.withheld_fields == ("date_of_birth", "names", "offences")
    assert payload.reference == f"GVM-D{payload.disclosure_id:06d}"
    assert payload.expires_on == date(2025, 3, 31)

    table = list(csv.reader(io.StringIO(export_disclosure_csv(payload).decode("utf-8-sig"))))
    header = dict(r for r in table[:table.index([])] if len(r) == 2)
    columns = table[table.index([]) + 1]
    book = load_workbook(io.BytesIO(export_disclosure_xlsx(payload))).active
    cells = [c.value for row in book.iter_rows() for c in row if c.value is not None]
    pdf = _pdf_text(export_disclosure_pdf(payload))

    assert header["Condition"] == NOT_SOLE_BASIS and header["Expires"] == "2025-03-31"
    assert header["Reference"] == payload.reference and header["Records as of"] == "2024-06-30"
    assert set(columns) == {"person_id", "harm_band", "score_explanation", "intelligence"}
    texts = {"csv": " ".join(c for row in table for c in row),
             "xlsx": " ".join(str(c) for c in cells), "pdf": pdf}
    for fmt, text in texts.items():
        assert payload.reference in text and "2025-03-31" in text, fmt
        assert "no action may be instigated solely" in text.replace("\n", " "), fmt
        assert "source_grade" in text and "P1" in text, fmt  # reliability goes with it
        for value in OUTSIDE:
            assert value not in text, (fmt, value)


def test_handling_code_c_only_with_its_conditions(uow):
    bare = _disclose(uow, "")
    assert [i["intel_id"] for i in bare.people[0]["intelligence"]] == ["I1"]  # I2 is C
    conditioned = _disclose(uow, "named offender managers only")
    items = {i["intel_id"]: i for i in conditioned.people[0]["intelligence"]}
    assert set(items) == {"I1", "I2"}
    assert items["I2"]["conditions"] == "named offender managers only"
    assert "conditions" not in items["I1"]
