"""The interchange format's tables and their columns, in SPEC 4 order."""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("person_id", "surname", "forenames", "date_of_birth", "sex", "ethnicity",
               "borough_code"),
    "gangs": ("gang_id", "name", "borough_code"),
    "offences": ("event_id", "date", "ho_offence_code", "person_id", "role", "outcome"),
    "intelligence": ("intel_id", "date", "person_id", "gang_id", "category", "source_id",
                     "source_type", "source_grade", "intel_grade", "handling_code", "summary"),
    "custody": ("person_id", "start_date", "end_date"),
    "aliases": ("person_id", "surname", "forenames"),
}
"""Every column is required in the header (its values may still be blank where allowed)."""

# Files a bundle may hold beyond SPEC 4's: read and validated when present, never
# written by the bundle writer, so a SPEC 4 bundle is exactly as it was.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "gang_relations": ("gang_a", "gang_b", "relation", "date", "source"),
}
ALL_COLUMNS: dict[str, tuple[str, ...]] = {**COLUMNS, **OPTIONAL_COLUMNS}

TABLES: tuple[str, ...] = tuple(COLUMNS)
# Only people.csv must be in a bundle: a file that is absent holds no rows, as one with
# only its header row does (a borough export with nobody in custody, say, may leave
# custody.csv out). SPEC 4 marks aliases.csv optional and is silent on the others;
# refusing a whole bundle for a file with nothing to say would gain nothing.
REQUIRED_TABLES = frozenset({"people"})


def csv_name(table: str) -> str:
    return f"{table}.csv"


def sheet_label(table: str) -> str:
    return f"sheet {table}"
