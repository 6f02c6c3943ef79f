"""The quarterly statistical release (R-PUBLISH): counts of 1-4 are never shown, and no
suppressed cell can be worked out from the totals (secondary suppression)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from gvm.reports.release import (
    SUPPRESSED,
    augmented,
    quarter_end,
    quarter_ends,
    release_tables,
    suppress,
    write_release,
)


def assert_safe(counts: np.ndarray, hidden: np.ndarray) -> None:
    """Every entry (cell or total) of 1-4 is hidden, and every row and column of the table
    with its totals has no hidden entry or at least two: none can be worked out by
    subtracting from a total."""
    table = augmented(counts)
    assert hidden.shape == table.shape
    assert hidden[(table >= 1) & (table <= 4)].all()
    for i in range(table.shape[0]):
        assert hidden[i].sum() != 1, f"row {i} gives its hidden entry away"
    for j in range(table.shape[1]):
        assert hidden[:, j].sum() != 1, f"column {j} gives its hidden entry away"


def test_quarter_syntax():
    assert quarter_end("2024Q1") == date(2024, 3, 31)
    assert quarter_end("2024q4") == date(2024, 12, 31)
    assert quarter_end("2023Q2") == date(2023, 6, 30)
    for bad in ("2024Q5", "2024-Q1", "24Q1", ""):
        with pytest.raises(ValueError):
            quarter_end(bad)
    assert quarter_ends(date(2024, 5, 15), 3) == [date(2023, 12, 31), date(2024, 3, 31),
                                                  date(2024, 6, 30)]


def test_primary_and_secondary_in_a_small_table():
    counts = np.array([[3, 2, 10], [20, 30, 40]])
    hidden = suppress(counts)
    # row 0: 3 and 2 (and its total 15 is shown); columns 0 and 1 have one each, so
    # their next smallest cells (row 1) go too; row 1 then has two.
    assert hidden[:2, :3].tolist() == [[True, True, False], [True, True, False]]
    assert not hidden[:, 3].any() and not hidden[2].any()  # every total shown
    assert_safe(counts, hidden)


def test_secondary_takes_next_smallest_nonzero_in_row():
    counts = np.array([[2, 0, 7, 9], [10, 10, 10, 10]])
    hidden = suppress(counts)
    assert hidden[0].tolist() == [True, False, True, False, False]  # 7, not the zero
    assert_safe(counts, hidden)


def test_small_totals_are_suppressed_too():
    counts = np.array([[1, 2], [10, 20], [30, 40]])  # row 0's total is 3
    hidden = suppress(counts)
    assert hidden[0].all()
    assert hidden[:, 2].sum() >= 2  # another row total hidden with it
    assert not hidden[3, 2]  # the grand total shown
    assert_safe(counts, hidden)


def test_zero_is_shown_and_not_primary():
    counts = np.array([[0, 10], [10, 20]])
    assert not suppress(counts).any()


def test_secondary_iterates_until_stable():
    counts = np.array([[1, 8, 9], [7, 6, 30], [12, 40, 50]])
    hidden = suppress(counts)
    assert_safe(counts, hidden)
    assert hidden.sum() >= 4


@pytest.mark.parametrize("seed", range(200))
def test_random_tables_are_safe(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 12)), int(rng.integers(2, 6)))
    counts = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40], size=shape)
    assert_safe(counts, suppress(counts))


def cohort(n_per_borough: dict[str, int]) -> pl.DataFrame:
    rows = []
    bands = ["Red", "Amber", "Green", "Zero"]
    groups = ["Black", "White", None, "Asian"]
    for code, n in n_per_borough.items():
        for i in range(n):
            rows.append((f"{code}-{i}", code, groups[i % 4] if i < 30 else "White",
                         "M" if i % 7 else "F", date(2000 + i % 12, 1, 1), bands[i % 4]))
    return pl.DataFrame(rows, orient="row", schema={
        "person_id": pl.String, "borough_code": pl.String, "ethnicity": pl.String,
        "sex": pl.String, "date_of_birth": pl.Date, "harm_band": pl.String})


def test_release_tables_never_show_one_to_four(tmp_path):
    boroughs = {"E09000001": "City", "E09000002": "Barking", "E09000003": "Barnet",
                "E09000004": "Bexley"}
    tables = release_tables(cohort({"E09000002": 3, "E09000003": 40, "E09000004": 9}),
                            date(2024, 3, 31), boroughs)
    assert [t.name for t in tables] == ["borough_by_harm_band", "ethnic_group", "age_band",
                                        "sex"]
    for t in tables:
        assert t.total == 52
        assert_safe(t.counts, t.hidden)
        lines = t.lines()
        assert lines[-1][0] == "Total"
        for line in lines[1:]:
            for cell in line[1:]:
                assert cell == SUPPRESSED or not 1 <= int(cell) <= 4
    by_band = tables[0].lines()
    city = next(r for r in by_band if r[0].startswith("City"))
    assert city[1:] == ["0", "0", "0", "0", "0"]  # zeros shown
    assert by_band[-1][-1] == "52"  # the true grand total
    written = write_release(tables, tmp_path, quarter="2024Q1", as_of=date(2024, 3, 31),
                            cohort_label="register")
    assert {p.name for p in written} >= {"2024Q1_borough_by_harm_band.csv",
                                         "2024Q1_summary.md"}
    summary = (tmp_path / "2024Q1_summary.md").read_text()
    assert "52" in summary and "[c]" in summary


def test_one_column_table_hides_only_what_it_must():
    counts = np.array([[49], [21], [7], [91], [13], [4]])
    hidden = suppress(counts)
    assert hidden[:, 0].tolist() == [False, False, True, False, False, True, False]
    assert (hidden[:, 0] == hidden[:, 1]).all()
    assert_safe(counts, hidden)
