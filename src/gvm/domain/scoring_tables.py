"""The batch engine's input encoded once, for scoring many times (SPEC 3.2-3.4).

Grouping tens of millions of rows by a string person id is most of the cost of
`gvm.domain.batch.score_batch`. `prepare_tables` does the string work once: each person
gets a key (their position among the people sorted by person_id), every row is sorted
by its person's key, and each table keeps where every person's rows start (`starts`, as
in a compressed sparse row matrix), so a per-person sum is a difference of two running
totals, no hashing at all. Dates become day numbers and the short strings the rules
compare become small integers; offences are split by role and intelligence by category,
so each rule reads only the rows it scores. The encoding does not depend on the policy
or the date, so one `ScoringTables` serves every as-of date, what-if policy and
back-test on the same data.

Nothing is decided here: which rows count, and for how much, is `gvm.domain.rescore`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from gvm.domain.frames import CUSTODY, INTELLIGENCE, OFFENCES, PEOPLE
from gvm.domain.model import IntelCategory, IntelGrade, Outcome, Role, SourceGrade, SourceType

Frame = pl.DataFrame | pl.LazyFrame

# Each enum's values in this order are coded 0, 1, 2...; a missing value is NONE.
ROLES = tuple(r.value for r in Role)
OUTCOMES = tuple(o.value for o in Outcome)
CATEGORIES = tuple(c.value for c in IntelCategory)
SOURCE_GRADES = tuple(g.value for g in SourceGrade)
INTEL_GRADES = tuple(g.value for g in IntelGrade)
NONE = 255
NO_DAY = np.iinfo(np.int32).max  # a missing date: after any as_of; an open end
_EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """A date as the day numbers the tables hold (Polars' own: days since 1970)."""
    return (day - _EPOCH).days


@dataclass(frozen=True)
class Table:
    """One kind of record sorted by person key: `columns` of equal length, and `starts`
    (length people + 1): person k's rows are starts[k]:starts[k + 1].

    Every column ends with one padding row that never counts (day NO_DAY, or NONE), so
    `numpy.ufunc.reduceat` over starts[:-1] stays inside the arrays; `empty` marks the
    people with no rows, whose reduction must be overwritten.
    """

    columns: Mapping[str, np.ndarray]
    starts: np.ndarray
    empty: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]


@dataclass(frozen=True)
class ScoringTables:
    """Everyone's scoring records, keyed by position in `person_ids` (sorted).

    - suspects, victims: the offences by role (witnesses are never scored): day, code
      (index into `codes`, the offence codes that occur, sorted; len(codes) if
      missing) and, for suspects, outcome;
    - weapon, violence, at_risk, membership: intelligence by category: day and grade
      (source grade x 8 + intelligence grade, NONE if either is missing); membership
      also source (a number per distinct source_id, -1 if missing) and social (its
      source type is social media);
    - custody: start, end (NO_DAY when open).
    Records of people not in person_ids, and unknown roles and categories, are left out.
    """

    person_ids: pl.Series
    codes: tuple[str, ...]
    suspects: Table
    victims: Table
    weapon: Table
    violence: Table
    at_risk: Table
    membership: Table
    custody: Table

    @property
    def height(self) -> int:
        return self.person_ids.len()


def _columns(frame: Frame, schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    return frame.lazy().select(pl.col(name).cast(dtype) for name, dtype in schema.items())


def _code(column: str, values: Sequence[str]) -> pl.Expr:
    """A short string as its index in `values`, NONE if missing or unknown (an
    unknown role or category counts for nothing, as in the one-person path)."""
    return (pl.col(column).cast(pl.Enum(values), strict=False).to_physical().cast(pl.UInt8)
            .fill_null(NONE))


def _day(column: str, name: str) -> pl.Expr:
    """A date as its day number, NO_DAY if missing."""
    return pl.col(column).cast(pl.Int32).fill_null(NO_DAY).alias(name)


def _encoded(frame: Frame, schema: Mapping[str, pl.DataType], keys: pl.LazyFrame,
             *encoded: pl.Expr) -> pl.DataFrame:
    """`frame`'s rows of known people as their key and `encoded`, in key order: only
    numbers leave this function."""
    keyed = (
        _columns(frame, schema)
        .join(keys, on="person_id", how="inner", maintain_order="left")  # known people
        .select("key", *encoded)
        .collect()
    )
    return keyed if keyed["key"].is_sorted() else keyed.sort("key")


def _table(rows: pl.DataFrame, n_people: int, where: np.ndarray | None = None) -> Table:
    """Encoded rows (those `where` is true), padded, with each person's start."""
    keys = rows["key"].to_numpy()
    if where is not None:
        keys = keys[where]
    starts = np.searchsorted(keys, np.arange(n_people + 1, dtype=np.uint32))
    columns = {}
    for name in rows.columns[1:]:
        column = rows[name].to_numpy()
        if where is not None:
            column = column[where]
        never = NO_DAY if name in ("day", "start") else (-1 if name == "source" else NONE)
        columns[name] = np.append(column, np.array([never], dtype=column.dtype))
    return Table(columns, starts, starts[1:] == starts[:-1])


def prepare_tables(people: Frame, offences: Frame, intelligence: Frame,
                   custody: Frame) -> ScoringTables:
    """Encode frames with the layouts of `gvm.domain.frames` (extra columns ignored;
    `people` holds each person_id once)."""
    person_ids = (_columns(people, PEOPLE).select(pl.col("person_id").sort())
                  .collect().to_series())
    n = person_ids.len()
    codes = tuple(_columns(offences, OFFENCES).select(pl.col("ho_offence_code").unique())
                  .collect().to_series().drop_nulls().sort().to_list())
    code = (pl.col("ho_offence_code").cast(pl.Enum(codes)).to_physical().cast(pl.UInt16)
            .fill_null(len(codes)).alias("code"))  # a missing code weighs nothing
    grade = (_code("source_grade", SOURCE_GRADES).cast(pl.Int16) * 8
             + _code("intel_grade", INTEL_GRADES))
    grade = pl.when(grade < NONE).then(grade).otherwise(NONE).cast(pl.UInt8).alias("grade")

    keys = pl.LazyFrame({"person_id": person_ids,
                         "key": pl.int_range(n, dtype=pl.UInt32, eager=True)})
    o = _encoded(offences, OFFENCES, keys, *(
        _day("date", "day"), code, _code("role", ROLES).alias("role"),
        _code("outcome", OUTCOMES).alias("outcome")))
    role = o["role"].to_numpy()
    o = o.drop("role")
    member = pl.col("category") == IntelCategory.GANG_MEMBERSHIP.value
    scored = _encoded(intelligence.lazy().filter(~member), INTELLIGENCE, keys,
                      _day("date", "day"), grade,
                      _code("category", CATEGORIES).alias("category"))
    category = scored["category"].to_numpy()
    members = intelligence.lazy().filter(member)
    # Any one-to-one numbering of the sources will do: the rules only ask whether two
    # of them differ.
    sources = (_columns(members, INTELLIGENCE).select(pl.col("source_id").unique())
               .collect().to_series().drop_nulls())
    membership = _encoded(
        members, INTELLIGENCE, keys, _day("date", "day"), grade,
        pl.col("source_id").cast(pl.Enum(sources)).to_physical().cast(pl.Int64)
        .fill_null(-1).alias("source"),
        (pl.col("source_type") == SourceType.SOCIAL_MEDIA.value).fill_null(False)
        .alias("social"))
    scored = scored.drop("category")

    def of(c: IntelCategory) -> np.ndarray:
        return category == CATEGORIES.index(c.value)

    return ScoringTables(
        person_ids=person_ids,
        codes=codes,
        suspects=_table(o, n, role == ROLES.index(Role.SUSPECT.value)),
        victims=_table(o.drop("outcome"), n, role == ROLES.index(Role.VICTIM.value)),
        weapon=_table(scored, n, of(IntelCategory.WEAPON_ACCESS)),
        violence=_table(scored, n, of(IntelCategory.VIOLENCE_INVOLVEMENT)),
        at_risk=_table(scored, n, of(IntelCategory.AT_RISK)),
        membership=_table(membership, n),
        custody=_table(_encoded(custody, CUSTODY, keys, _day("start_date", "start"),
                                _day("end_date", "end")), n),
    )
