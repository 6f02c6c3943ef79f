"""The scoring rules of SPEC 3.2-3.4 twice more, for comparison only: as hand-tuned
DuckDB SQL and as straightforward pandas. Both give, per person sorted by person_id,
the exact integer units and the two flags (COMPARED); `bench_scoring.py` checks that
they equal the engine's (`gvm.domain.batch`) on the national data.

Not part of gvm: the package has one batch engine, held to the one-person path by
property tests; these exist to measure it against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
import polars as pl

from gvm.domain.batch import code_weight_units
from gvm.domain.dates import minus_months
from gvm.domain.model import IntelCategory, Role, SourceType
from gvm.domain.policy import UNIT, Policy

COMPARED = ["person_id", "harm_units", "victim_units", "eligible", "in_custody"]
_WEAPON = IntelCategory.WEAPON_ACCESS.value
_VIOLENCE = IntelCategory.VIOLENCE_INVOLVEMENT.value
_AT_RISK = IntelCategory.AT_RISK.value
_MEMBERSHIP = IntelCategory.GANG_MEMBERSHIP.value
_SOCIAL = SourceType.SOCIAL_MEDIA.value


@dataclass(frozen=True)
class Rules:
    """The policy's numbers for one as-of date, computed once for both baselines."""

    as_of: date
    offender_cut: date
    victim_cut: date
    weapon_violence_cut: date
    at_risk_cut: date
    membership_cut: date
    weights: dict[str, int]  # code -> weight x UNIT (> 0 only)
    factors: dict[str, int]  # outcome -> factor x UNIT (> 0 only)
    source_grades: list[str]
    intel_grades: list[str]
    cap: int
    points: dict[str, int]  # category -> points x SCORE_SCALE

    @classmethod
    def of(cls, as_of: date, policy: Policy, catalogue: Mapping[str, str]) -> Rules:
        w = policy.windows
        return cls(
            as_of=as_of,
            offender_cut=minus_months(as_of, w.offender_offences),
            victim_cut=minus_months(as_of, w.victimisation),
            weapon_violence_cut=minus_months(as_of, w.weapon_violence_intelligence),
            at_risk_cut=minus_months(as_of, w.at_risk_intelligence),
            membership_cut=minus_months(as_of, w.gang_membership),
            weights=code_weight_units(policy, catalogue),
            factors={o.value: u for o, u in policy.outcome_factor_units.items() if u > 0},
            source_grades=sorted(g.value for g in policy.source_grades),
            intel_grades=sorted(g.value for g in policy.intel_grades),
            cap=policy.max_items_per_category,
            points={c.value: policy.intel_point_units.get(c, 0) for c in IntelCategory},
        )


def _in(values: list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def duckdb_connection(tables: Mapping[str, pl.DataFrame],
                      threads: int) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the four tables as its own (columnar) tables, so the
    query reads DuckDB's storage, not Python objects."""
    con = duckdb.connect(config={"threads": threads})
    for name, frame in tables.items():
        arrow = frame.to_arrow()  # noqa: F841 - read by the statement below
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM arrow")
    return con


def score_duckdb(con: duckdb.DuckDBPyConnection, rules: Rules) -> pl.DataFrame:
    """The rules as one SQL statement: filter first, one aggregate per table with
    FILTER clauses, left joins to the people."""
    r = rules
    weights = ", ".join(f"('{c}', {u}::BIGINT)" for c, u in r.weights.items())
    factor = " ".join(f"WHEN '{o}' THEN {u}" for o, u in r.factors.items())
    sql = f"""
    WITH w(ho_offence_code, weight_units) AS (VALUES {weights}),
    o AS (
      SELECT person_id,
        SUM(CASE WHEN role = '{Role.SUSPECT}' THEN weight_units * (CASE outcome {factor} END)
                 ELSE 0 END)::BIGINT AS oh,
        SUM(CASE WHEN role = '{Role.VICTIM}' THEN weight_units * {UNIT} ELSE 0 END)::BIGINT
          AS ov
      FROM offences JOIN w USING (ho_offence_code)
      WHERE date <= DATE '{r.as_of}'
        AND ((role = '{Role.SUSPECT}' AND date > DATE '{r.offender_cut}'
              AND outcome IN {_in(list(r.factors))})
          OR (role = '{Role.VICTIM}' AND date > DATE '{r.victim_cut}'))
      GROUP BY person_id),
    i AS (
      SELECT person_id,
        COUNT(*) FILTER (WHERE category = '{_WEAPON}') AS nw,
        COUNT(*) FILTER (WHERE category = '{_VIOLENCE}') AS nv,
        COUNT(*) FILTER (WHERE category = '{_AT_RISK}') AS nr,
        MIN(source_id) FILTER (WHERE category = '{_MEMBERSHIP}')
          < MAX(source_id) FILTER (WHERE category = '{_MEMBERSHIP}') AS corroborated,
        BOOL_OR(category = '{_MEMBERSHIP}' AND source_type IS DISTINCT FROM '{_SOCIAL}')
          AS not_social
      FROM intelligence
      WHERE date <= DATE '{r.as_of}'
        AND ((category IN ('{_WEAPON}', '{_VIOLENCE}') AND date > DATE '{r.weapon_violence_cut}')
          OR (category = '{_AT_RISK}' AND date > DATE '{r.at_risk_cut}')
          OR (category = '{_MEMBERSHIP}' AND date > DATE '{r.membership_cut}'))
        AND source_grade IN {_in(r.source_grades)} AND intel_grade IN {_in(r.intel_grades)}
      GROUP BY person_id),
    c AS (
      SELECT DISTINCT person_id FROM custody
      WHERE start_date <= DATE '{r.as_of}' AND (end_date IS NULL OR end_date >= DATE '{r.as_of}'))
    SELECT p.person_id,
      (COALESCE(oh, 0) + LEAST(COALESCE(nw, 0), {r.cap}) * {r.points[_WEAPON]}
        + LEAST(COALESCE(nv, 0), {r.cap}) * {r.points[_VIOLENCE]})::BIGINT AS harm_units,
      (COALESCE(ov, 0) + LEAST(COALESCE(nr, 0), {r.cap}) * {r.points[_AT_RISK]})::BIGINT
        AS victim_units,
      COALESCE(corroborated AND not_social, false) AS eligible,
      c.person_id IS NOT NULL AS in_custody
    FROM people p LEFT JOIN o USING (person_id) LEFT JOIN i USING (person_id)
      LEFT JOIN c ON c.person_id = p.person_id
    ORDER BY p.person_id
    """
    return pl.from_arrow(con.sql(sql).to_arrow_table())  # type: ignore[return-value]


def score_pandas(tables: Mapping[str, pd.DataFrame], rules: Rules) -> pd.DataFrame:
    """The rules as a reader would first write them in pandas: boolean masks, a merge
    for the weights, a group-by per table, merges onto the people."""
    r = rules
    as_of = pd.Timestamp(r.as_of)
    o = tables["offences"]
    day = o["date"]
    suspect = ((o["role"] == Role.SUSPECT) & (day > pd.Timestamp(r.offender_cut))
               & o["outcome"].isin(list(r.factors)))
    victim = (o["role"] == Role.VICTIM) & (day > pd.Timestamp(r.victim_cut))
    o = o[(day <= as_of) & (suspect | victim)]
    o = o.merge(pd.DataFrame({"ho_offence_code": list(r.weights),
                              "weight_units": list(r.weights.values())}), on="ho_offence_code")
    is_victim = o["role"] == Role.VICTIM
    factor = o["outcome"].map(r.factors).fillna(0).astype("int64")
    units = o["weight_units"] * factor.where(~is_victim, UNIT)
    o = pd.DataFrame({"person_id": o["person_id"], "oh": units.where(~is_victim, 0),
                      "ov": units.where(is_victim, 0)}).groupby("person_id").sum()

    i = tables["intelligence"]
    day, cat = i["date"], i["category"]
    window = (((cat.isin([_WEAPON, _VIOLENCE])) & (day > pd.Timestamp(r.weapon_violence_cut)))
              | ((cat == _AT_RISK) & (day > pd.Timestamp(r.at_risk_cut)))
              | ((cat == _MEMBERSHIP) & (day > pd.Timestamp(r.membership_cut))))
    graded = i["source_grade"].isin(r.source_grades) & i["intel_grade"].isin(r.intel_grades)
    i = i[(day <= as_of) & window & graded]
    member = i["category"] == _MEMBERSHIP
    counts = pd.DataFrame({
        "person_id": i["person_id"],
        "nw": (i["category"] == _WEAPON).astype("int64"),
        "nv": (i["category"] == _VIOLENCE).astype("int64"),
        "nr": (i["category"] == _AT_RISK).astype("int64"),
        "not_social": member & (i["source_type"] != _SOCIAL),
    }).groupby("person_id").agg({"nw": "sum", "nv": "sum", "nr": "sum", "not_social": "any"})
    sources = i[member].groupby("person_id")["source_id"].nunique()
    counts["corroborated"] = sources.reindex(counts.index).fillna(0) >= 2

    c = tables["custody"]
    open_or_after = c["end_date"].isna() | (c["end_date"] >= as_of)
    held = set(c.loc[(c["start_date"] <= as_of) & open_or_after, "person_id"])

    out = tables["people"][["person_id"]].merge(o, on="person_id", how="left").merge(
        counts, on="person_id", how="left")
    filled = out.fillna({"oh": 0, "ov": 0, "nw": 0, "nv": 0, "nr": 0})

    def capped(col: str, category: str) -> pd.Series:
        return filled[col].astype("int64").clip(upper=r.cap) * r.points[category]

    result = pd.DataFrame({
        "person_id": out["person_id"],
        "harm_units": filled["oh"].astype("int64") + capped("nw", _WEAPON)
        + capped("nv", _VIOLENCE),
        "victim_units": filled["ov"].astype("int64") + capped("nr", _AT_RISK),
        "eligible": (out["corroborated"].fillna(False).astype(bool)
                     & out["not_social"].fillna(False).astype(bool)),
        "in_custody": out["person_id"].isin(held),
    })
    return result.sort_values("person_id", ignore_index=True)
