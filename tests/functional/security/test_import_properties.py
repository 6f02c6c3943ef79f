"""Property tests of the importer against a real database (SPEC 4, R-LOG): bundles with
BOMs, wrong encodings, embedded newlines, formula text, huge fields, missing headers and
duplicate ids, as CSV folders and as .xlsx workbooks. Every one is either imported whole
(every row present, text exactly as given) or refused with problems naming file, row and
column, with nothing written; never another exception. tests/unit/test_bundle_import.py
has the reader's own garbage-cell and garbage-byte properties."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from api_support import BUNDLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.interchange.errors import BundleError
from gvm.services.importing import import_bundle
from gvm.storage.tables import metadata

FORMULA = '=HYPERLINK("http://evil.example/x","click")'
Files = dict[str, list[list[str]]]  # file name -> header row and data rows
_ids = itertools.count()


def _parsed() -> Files:
    return {name: list(csv.reader(io.StringIO(text))) for name, text in BUNDLE.items()}


def _renamed(files: Files, prefix: str) -> Files:
    """The bundle with every record id made unique, so one database takes many."""
    ref = re.compile(r"^[PGEI]\d{1,2}$")
    return {name: [rows[0]] + [[prefix + v if ref.match(v) else v for v in row]
                               for row in rows[1:]] for name, rows in files.items()}


def _set(name: str, column: str, value: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        header, *rows = files[name]
        if column in header and rows:
            rows[0][header.index(column)] = value
    return mutate


def _drop_column(name: str, column: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        if column in files[name][0]:
            i = files[name][0].index(column)
            files[name] = [row[:i] + row[i + 1:] for row in files[name]]
    return mutate


def _duplicate_first_row(name: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[name].append(list(files[name][1]))
    return mutate


def _drop_header(name: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        if files[name] and files[name][0][0] == "event_id":
            files[name] = files[name][1:]
    return mutate


MUTATIONS = st.sampled_from([
    _set("intelligence.csv", "summary", "seen at\nthe park,\r\nthen \"left\""),
    _set("intelligence.csv", "summary", FORMULA),
    _set("people.csv", "surname", FORMULA),
    _set("people.csv", "forenames", "+cmd|' /C calc'!A0"),
    _set("people.csv", "surname", "Zoë Ñúñez"),
    _set("intelligence.csv", "summary", "x" * 100_000),
    _set("people.csv", "surname", "y" * 10_000),
    _set("people.csv", "person_id", ""),
    _drop_column("people.csv", "date_of_birth"),
    _drop_column("intelligence.csv", "category"),
    _drop_header("offences.csv"),
    _duplicate_first_row("people.csv"),
    _duplicate_first_row("intelligence.csv"),
])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])


def _write_csv(files: Files, folder: Path, encodings: dict[str, str]) -> Path:
    folder.mkdir()
    for name, rows in files.items():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        (folder / name).write_bytes(buffer.getvalue().encode(encodings.get(name, "utf-8"),
                                                             errors="replace"))
    return folder


def _write_xlsx(files: Files, path: Path) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in files.items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(r, c, value)
                cell.data_type = "s"  # text as text, even when it looks like a formula
    book.save(path)
    return path


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imports")
    built = bootstrap(Settings(mode="dev", database_url=f"sqlite:///{folder / 'r.db'}"))
    yield built, folder
    built.close()


def _counts(register) -> dict[str, int]:
    with register.database.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables if t.name not in ("audit_log",)}


def _summaries(register, intel_id: str) -> list[str]:
    table = metadata.tables["intelligence"]
    with register.database.engine.connect() as conn:
        return list(conn.execute(sa.select(table.c.summary).where(
            table.c.intel_id == intel_id)).scalars())


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=st.lists(MUTATIONS, min_size=0, max_size=3),
       encoding=st.tuples(st.sampled_from(sorted(BUNDLE)), ENCODINGS),
       workbook=st.booleans())
def test_every_bundle_is_imported_whole_or_refused_with_nothing_written(
        register, mutations, encoding, workbook):
    register, folder = register
    prefix = f"X{next(_ids)}_"
    files = _renamed(_parsed(), prefix)
    for mutate in mutations:
        mutate(files)
    where = folder / prefix
    path = (_write_xlsx(files, folder / f"{prefix}.xlsx") if workbook
            else _write_csv(files, where, dict([encoding])))
    before = _counts(register)
    try:
        report = import_bundle(register.unit_of_work, path, actor="loader",
                               actor_role="operator")
    except BundleError as e:
        assert e.problems and all(p.file for p in e.problems)
        assert all(p.row is None or p.row >= 1 for p in e.problems)
        assert _counts(register) == before  # nothing half written
        return
    after = _counts(register)
    assert after["people"] - before["people"] == report.counts["people"] == len(
        files["people.csv"]) - 1
    assert after["intelligence"] - before["intelligence"] == len(files["intelligence.csv"]) - 1
    header, *rows = files["intelligence.csv"]
    first = dict(zip(header, rows[0], strict=True))
    # CSV keeps text exactly; XML (inside .xlsx) normalises line endings to \n.
    expected = first["summary"].replace("\r\n", "\n") if workbook else first["summary"]
    assert _summaries(register, first["intel_id"]) == [expected]


def test_both_outcomes_happen_and_errors_name_the_cell(register):
    register, folder = register
    files = _renamed(_parsed(), "K_")
    _set("intelligence.csv", "summary", "line one\nline two")(files)
    _set("people.csv", "surname", FORMULA)(files)
    ok = _write_csv(files, folder / "ok", {"people.csv": "utf-8-sig"})
    assert import_bundle(register.unit_of_work, ok, actor="loader",
                         actor_role="operator").counts["people"] == 6
    files = _renamed(_parsed(), "L_")
    _set("people.csv", "surname", "Zoë")(files)
    bad = _write_csv(files, folder / "bad", {"people.csv": "latin-1"})
    before = _counts(register)
    with pytest.raises(BundleError) as e:
        import_bundle(register.unit_of_work, bad, actor="loader", actor_role="operator")
    assert next((p.file, p.row, p.column) for p in e.value.problems) == (
        "people.csv", 2, "surname")
    assert "Zo" not in str(e.value) and _counts(register) == before


def test_formula_text_imported_is_exported_neutralised(api, tmp_path):
    """=HYPERLINK(...) in a legacy spreadsheet is stored as the text it is, and leaves
    again, in a partner's CSV, as inert text."""
    files = _renamed(_parsed(), "F_")
    files = {k: v for k, v in files.items() if k in ("people.csv", "gangs.csv",
                                                     "offences.csv", "intelligence.csv",
                                                     "custody.csv")}
    _set("people.csv", "surname", FORMULA)(files)
    import_bundle(api.register.unit_of_work, _write_xlsx(files, tmp_path / "legacy.xlsx"),
                  actor="loader", actor_role="operator")
    isa = api["dpo"].post("/isas", json={
        "organisation": "Camden Youth Offending Service",
        "organisation_type": "youth_offending_service",
        "purpose": "safeguarding young people at risk of serious violence",
        "boroughs": ["E09000007"], "permitted_fields": ["person_id", "names"],
        "start_date": "2024-01-01", "end_date": "2099-12-31"})
    made = api["analyst"].post("/disclosures", json={
        "isa_id": isa.json()["isa_id"], "person_ids": ["F_P1"], "fields": ["names"],
        "justification": "panel"})
    assert made.status_code == 201, made.text
    did = made.json()["disclosure_id"]
    api["partner"].post(f"/disclosures/{did}/acknowledgement")
    text = api["partner"].get(f"/disclosures/{did}/export").content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
