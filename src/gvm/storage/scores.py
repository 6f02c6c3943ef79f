"""Stored score runs: each run records the policy version and content hash that produced
its scores (SPEC 3), and the scores themselves as exact integer units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Connection, insert, select, text

from gvm.domain import frames
from gvm.domain.policy import SCORE_SCALE, Policy
from gvm.storage.bulk import insert_many
from gvm.storage.tables import BANDS, current_scores, score_runs, scores

STORED_COLUMNS = ("person_id", "harm_units", "victim_units", "harm_band", "victim_band",
                  "eligible", "in_custody")


@dataclass(frozen=True, slots=True)
class StoredScore:
    """One person's score as stored by a run (or kept current by the freshness worker:
    `run_id` None), with the policy that produced it."""

    run_id: int | None
    as_of: date
    policy_name: str
    policy_version: str
    policy_hash: str
    scope: str | None
    person_id: str
    harm_units: int
    victim_units: int
    harm_band: str
    victim_band: str
    eligible: bool
    in_custody: bool

    @property
    def harm_score(self) -> float:
        return self.harm_units / SCORE_SCALE

    @property
    def victim_score(self) -> float:
        return self.victim_units / SCORE_SCALE


def _checked(scores_df: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in STORED_COLUMNS if c not in scores_df.columns]
    if missing:
        raise ValueError(f"scores frame: missing columns {missing}")
    frame = scores_df.select(STORED_COLUMNS).cast(
        {c: frames.SCORES[c] for c in STORED_COLUMNS})
    nulls = [c for c in STORED_COLUMNS if frame[c].null_count()]
    if nulls:
        raise ValueError(f"scores frame: nulls in {nulls}")
    if frame["person_id"].n_unique() != frame.height:
        raise ValueError("scores frame: a person appears more than once")
    for band in ("harm_band", "victim_band"):
        unknown = set(frame[band].unique().to_list()) - set(BANDS)
        if unknown:
            raise ValueError(f"scores frame: {band} has unknown bands {sorted(unknown)}")
    return frame


def save_score_run(conn: Connection, as_of: date, policy: Policy, scores_df: pl.DataFrame,
                   scope: str | None = None, now: datetime | None = None) -> int:
    """Store a run (frames.SCORES rows, one per person) under the policy's version and
    hash; the new run's id."""
    frame = _checked(scores_df)
    run_id = conn.execute(
        insert(score_runs).returning(score_runs.c.id),
        {"as_of": as_of, "policy_name": policy.name, "policy_version": policy.version,
         "policy_hash": policy.content_hash, "scope": scope,
         "created_at": now or datetime.now(UTC), "people_count": frame.height},
    ).scalar_one()
    insert_many(conn, scores, (
        {"run_id": run_id, **row} for row in frame.iter_rows(named=True)))
    conn.execute(_CURRENT_FROM_RUN, {"run_id": run_id})
    return int(run_id)


# A run's scores become its people's current scores where they are the fresher (by
# as_of, then by when computed: `fresher`), so `current_scores` holds everyone's
# freshest stored score and a search reads their bands in one join (queries.py). In
# SQL, so that a national run's million rows do not come back through Python. ("AND
# true": SQLite would read the upsert's ON as a join's without it.)
_CURRENT_FROM_RUN = text("""
INSERT INTO current_scores (person_id, as_of, policy_name, policy_version, policy_hash,
    scored_at, harm_units, victim_units, harm_band, victim_band, eligible, in_custody)
SELECT s.person_id, r.as_of, r.policy_name, r.policy_version, r.policy_hash, r.created_at,
    s.harm_units, s.victim_units, s.harm_band, s.victim_band, s.eligible, s.in_custody
FROM scores s JOIN score_runs r ON r.id = s.run_id
WHERE s.run_id = :run_id AND true
ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of,
    policy_name = excluded.policy_name, policy_version = excluded.policy_version,
    policy_hash = excluded.policy_hash, scored_at = excluded.scored_at,
    harm_units = excluded.harm_units, victim_units = excluded.victim_units,
    harm_band = excluded.harm_band, victim_band = excluded.victim_band,
    eligible = excluded.eligible, in_custody = excluded.in_custody
WHERE (excluded.as_of, excluded.scored_at) > (current_scores.as_of, current_scores.scored_at)
""")


def latest_score(conn: Connection, person_id: str) -> StoredScore | None:
    """The person's latest score: from the run with the latest as_of (the newest such
    run), or their current score (gvm.storage.freshness) if that is later, by as_of and
    then by when it was computed."""
    r, s = score_runs.c, scores.c
    row = conn.execute(
        select(r.id.label("run_id"), r.as_of, r.created_at, r.policy_name, r.policy_version,
               r.policy_hash, r.scope, *(s[c] for c in STORED_COLUMNS))
        .join(score_runs, r.id == s.run_id)
        .where(s.person_id == person_id)
        .order_by(r.as_of.desc(), r.id.desc())
        .limit(1)
    ).first()
    current = conn.execute(select(current_scores)
                           .where(current_scores.c.person_id == person_id)).first()
    if current is not None and (row is None or fresher(current.as_of, current.scored_at,
                                                       row.as_of, row.created_at)):
        values = current._asdict()
        del values["scored_at"]
        return StoredScore(run_id=None, scope=None, **values)
    if row is None:
        return None
    values = row._asdict()
    del values["created_at"]
    return StoredScore(**values)


def fresher(as_of: date, computed_at: datetime, than_as_of: date,
            than_computed_at: datetime) -> bool:
    """Is a score for `as_of` computed at `computed_at` the later of the two?"""
    return (as_of, computed_at) > (than_as_of, than_computed_at)


def run_scores(conn: Connection, run_id: int) -> pl.DataFrame:
    """A stored run's scores as a frames.SCORES frame (scores recomputed from units)."""
    s = scores.c
    rows = conn.execute(select(*(s[c] for c in STORED_COLUMNS))
                        .where(s.run_id == run_id).order_by(s.person_id)).all()
    frame = pl.DataFrame([tuple(r) for r in rows], orient="row",
                         schema={c: frames.SCORES[c] for c in STORED_COLUMNS})
    return frame.with_columns(
        harm_score=pl.col("harm_units") / SCORE_SCALE,
        victim_score=pl.col("victim_units") / SCORE_SCALE,
    ).select(list(frames.SCORES))
