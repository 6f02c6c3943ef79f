"""Time the storage bulk paths on SQLite and PostgreSQL: save_bundle (first import and
an unchanged re-import), scoring_frames and save_score_run.

    python bench/bench_storage.py [--people 20000] [--offences 100000] [--backend both]

PostgreSQL: GVM_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1/test);
a scratch schema is created and dropped.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import polars as pl
from perf_common import scratch_database

from gvm import reference
from gvm.domain import frames
from gvm.domain.model import (
    Bundle,
    CustodyPeriod,
    Ethnicity,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    Person,
    Role,
    Sex,
    SourceGrade,
    SourceType,
)
from gvm.storage import Database


def build(n_people: int, n_offences: int) -> Bundle:
    rng = random.Random(1)
    boroughs = list(reference.boroughs())
    people = tuple(
        Person(f"P{i:08d}", f"Surname{i}", f"Forename{i}", date(1980, 1, 1)
               + timedelta(days=rng.randrange(9000)), rng.choice(list(Sex)),
               rng.choice([*Ethnicity, None]), rng.choice(boroughs))
        for i in range(n_people))
    offences = tuple(
        Offence(f"E{i:09d}", date(2018, 1, 1) + timedelta(days=rng.randrange(2500)),
                rng.choice(["8N", "34B", "3A", "105A"]), f"P{rng.randrange(n_people):08d}",
                Role.SUSPECT, rng.choice(list(Outcome)))
        for i in range(n_offences))
    intelligence = tuple(
        Intelligence(f"I{i:08d}", date(2023, 1, 1) + timedelta(days=rng.randrange(700)),
                     f"P{rng.randrange(n_people):08d}", None,
                     rng.choice([IntelCategory.WEAPON_ACCESS, IntelCategory.AT_RISK]),
                     f"S{rng.randrange(500)}", rng.choice(list(SourceType)),
                     rng.choice(list(SourceGrade)), rng.choice(list(IntelGrade)),
                     HandlingCode.P, "summary")
        for i in range(n_offences // 4))
    custody = tuple(CustodyPeriod(f"P{i:08d}", date(2022, 1, 1), None)
                    for i in range(0, n_people, 10))
    return Bundle(people=people, offences=offences, intelligence=intelligence,
                  custody=custody)


def timed(label: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    print(f"  {label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def run(db: Database, bundle: Bundle) -> None:
    db.upgrade()

    def save() -> dict:
        with db.unit_of_work() as uow:
            counts = uow.save_bundle(bundle, source_name="bench.csv", sha256="0" * 64)
            uow.commit()
        return counts

    counts = timed("save_bundle (first import)", save)
    assert counts["offences"]["new"] == len(bundle.offences)
    counts = timed("save_bundle (same bundle again)", save)
    assert counts["offences"]["unchanged"] == len(bundle.offences)

    def read() -> tuple[pl.DataFrame, ...]:
        with db.unit_of_work(read_only=True) as uow:
            return uow.scoring_frames()

    people, offences, intelligence, _ = timed("scoring_frames (all)", read)
    print(f"    {people.height:,} people, {offences.height:,} offences, "
          f"{intelligence.height:,} intelligence")
    scores = people.with_columns(
        harm_units=pl.lit(0, pl.Int64), victim_units=pl.lit(0, pl.Int64),
        harm_score=pl.lit(0.0), victim_score=pl.lit(0.0), harm_band=pl.lit("Zero"),
        victim_band=pl.lit("Zero"), eligible=pl.lit(False), in_custody=pl.lit(False),
    ).select(list(frames.SCORES))

    def store() -> int:
        with db.unit_of_work() as uow:
            run_id = uow.save_score_run(date(2024, 8, 1), reference.default_policy(), scores)
            uow.commit()
        return run_id

    timed(f"save_score_run ({scores.height:,} people)", store)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--offences", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    bundle = build(args.people, args.offences)
    print(f"bundle: {bundle.counts()}")
    for name in ("sqlite", "postgresql"):
        if args.backend in (name, "both"):
            print(name)
            with scratch_database(name) as db:
                run(db, bundle)


if __name__ == "__main__":
    main()
