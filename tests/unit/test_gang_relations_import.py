"""The optional gang_relations file of a bundle (issue 6, gang conflict picture): read
when present, validated like the SPEC 4 files (problems name file, row and column; the
whole bundle is refused), each pair stored in one order; a bundle without it reads as
before, and the bundle writer never adds it."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from tests.unit.test_bundle_import import (
    TODAY,
    assert_problem,
    valid_tables,
    write_csv_folder,
    write_workbook,
)

from gvm.domain.model import GangLink, GangRelation
from gvm.interchange import BundleError, read_bundle, write_bundle
from gvm.interchange.columns import OPTIONAL_COLUMNS

FILE = "gang_relations.csv"


def _with_relations(folder: Path, rows: list[tuple[str, ...]]) -> Path:
    write_csv_folder(folder, valid_tables())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OPTIONAL_COLUMNS["gang_relations"])
    writer.writerows(rows)
    (folder / FILE).write_text(out.getvalue(), encoding="utf-8")
    return folder


def test_relations_are_read_each_pair_in_one_order(tmp_path):
    bundle = read_bundle(_with_relations(tmp_path / "b", [
        ("G2", "G1", "rivalry", "2024-01-02", "police intelligence"),
        ("G1", "G2", "Alliance", "2023-05-01", "partner agency"),
    ]), today=TODAY)
    assert bundle.gang_relations == (
        GangLink("G1", "G2", GangRelation.RIVALRY, date(2024, 1, 2), "police intelligence"),
        GangLink("G1", "G2", GangRelation.ALLIANCE, date(2023, 5, 1), "partner agency"))
    assert bundle.counts()["gang_relations"] == 2


def test_a_bundle_without_the_file_reads_as_before(tmp_path):
    bundle = read_bundle(write_csv_folder(tmp_path / "b", valid_tables()), today=TODAY)
    assert bundle.gang_relations == ()
    assert "gang_relations" not in bundle.counts()
    assert not (write_bundle(bundle, tmp_path / "out") / FILE).exists()


@pytest.mark.parametrize(("row", "column", "fragment"), [
    (("G1", "G9", "rivalry", "2024-01-02", "police"), "gang_b", "unknown gang_id"),
    (("", "G2", "rivalry", "2024-01-02", "police"), "gang_a", "gang_id is required"),
    (("G1", "G1", "rivalry", "2024-01-02", "police"), "gang_b", "two different gangs"),
    (("G1", "G2", "beef", "2024-01-02", "police"), "relation", "rivalry or alliance"),
    (("G1", "G2", "rivalry", "02/01/2024", "police"), "date", "YYYY-MM-DD"),
    (("G1", "G2", "rivalry", "2024-01-02", ""), "source", ""),
])
def test_bad_rows_name_file_row_and_column(tmp_path, row, column, fragment):
    with pytest.raises(BundleError) as caught:
        read_bundle(_with_relations(tmp_path / "b", [row]), today=TODAY)
    assert_problem(caught.value, FILE, 2, column, fragment)


def test_duplicate_relation_names_the_first_row(tmp_path):
    with pytest.raises(BundleError) as caught:
        read_bundle(_with_relations(tmp_path / "b", [
            ("G1", "G2", "rivalry", "2024-01-02", "police"),
            ("G2", "G1", "rivalry", "2024-01-02", "community")]), today=TODAY)
    assert_problem(caught.value, FILE, 3, "gang_a", "as row 2")


def test_missing_column_is_named(tmp_path):
    folder = write_csv_folder(tmp_path / "b", valid_tables())
    (folder / FILE).write_text("gang_a,gang_b,relation,date\nG1,G2,rivalry,2024-01-02\n",
                               encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        read_bundle(folder, today=TODAY)
    assert_problem(caught.value, FILE, 1, "source", "required column is missing")


def test_a_workbook_sheet_is_read_too(tmp_path):
    path = write_workbook(tmp_path / "bundle.xlsx", valid_tables())
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("gang_relations")
    sheet.append(list(OPTIONAL_COLUMNS["gang_relations"]))
    sheet.append(["G2", "G1", "alliance", "2024-01-02", "community intelligence"])
    sheet.append(["G1", "G2", "feud", "2024-01-03", "police"])
    book.save(path)
    with pytest.raises(BundleError) as caught:
        read_bundle(path, today=TODAY)
    assert_problem(caught.value, "sheet gang_relations", 3, "relation", "rivalry or alliance")
    sheet.delete_rows(3)
    book.save(path)
    assert [r.relation for r in read_bundle(path, today=TODAY).gang_relations] == [
        GangRelation.ALLIANCE]
