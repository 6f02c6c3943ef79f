"""Column layouts of the tables the batch scoring engine reads and writes.

Storage, import and the synthetic generator hand the engine Polars frames with exactly
these columns (extra columns are ignored); keeping them in one place keeps every
producer honest. Dates are `pl.Date`; enums are their string values.
"""

from __future__ import annotations

import polars as pl

PEOPLE = {"person_id": pl.String}

OFFENCES = {
    "person_id": pl.String,
    "event_id": pl.String,
    "date": pl.Date,
    "ho_offence_code": pl.String,
    "role": pl.String,  # suspect / victim / witness
    "outcome": pl.String,  # null for victims and witnesses
}

INTELLIGENCE = {
    "person_id": pl.String,
    "intel_id": pl.String,
    "date": pl.Date,
    "category": pl.String,
    "source_id": pl.String,
    "source_type": pl.String,
    "source_grade": pl.String,  # "1" / "2" / "3"
    "intel_grade": pl.String,  # "A".."E"
}

CUSTODY = {"person_id": pl.String, "start_date": pl.Date, "end_date": pl.Date}

SCORES = {
    "person_id": pl.String,
    "harm_units": pl.Int64,  # score x 1e8, exact
    "victim_units": pl.Int64,
    "harm_score": pl.Float64,
    "victim_score": pl.Float64,
    "harm_band": pl.String,
    "victim_band": pl.String,
    "eligible": pl.Boolean,
    "in_custody": pl.Boolean,
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)
