"""Time `read_bundle` validating a large offences.csv (SPEC 4 import path).

    python bench/bench_bundle_read.py [--people 100000] [--offences 1000000] [--dir PATH]

Writes a synthetic bundle (with BundleCsvWriter) unless PATH already holds one, then
reports CPU and wall time for the whole read and for offences.csv alone.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from datetime import date, timedelta
from pathlib import Path

from gvm import reference
from gvm.interchange import BundleCsvWriter, read_bundle
from gvm.interchange.errors import ProblemLog
from gvm.interchange.events import validate_offences
from gvm.interchange.fields import Context
from gvm.interchange.sources import CsvFolder
from gvm.interchange.validate import validate_people


def write(folder: Path, n_people: int, n_offences: int) -> None:
    rng = random.Random(1)
    boroughs = list(reference.boroughs())
    codes = ["8N", "10A", "34B", "3A", "1-4.1-4.10-4.2", "105A"]
    outcomes = ["arrested", "charged", "convicted", "no_further_action", "acquitted"]

    def offences():
        written, event = 0, 0
        while written < n_offences:
            event += 1
            day = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
            code = rng.choice(codes)
            yield (f"E{event:09d}", day, code, f"P{event % n_people:08d}", "suspect",
                   rng.choice(outcomes))
            written += 1
            if written < n_offences:  # a victim in the same event
                yield (f"E{event:09d}", day, code, f"P{(event + 7) % n_people:08d}", "victim",
                       None)
                written += 1

    with BundleCsvWriter(folder) as out:
        out.write_people(
            (f"P{i:08d}", "Surname", "Forename",
             date(1980, 1, 1) + timedelta(days=rng.randrange(9000)), rng.choice("MFX"),
             rng.choice(["Asian", "Black", "", "White", "Mixed", "Other"]),
             rng.choice(boroughs))
            for i in range(n_people))
        out.write_offences(offences())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--offences", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/gvm-bench-bundle"))
    args = ap.parse_args()
    if not (args.dir / "people.csv").exists():
        write(args.dir, args.people, args.offences)

    cpu, wall = time.process_time(), time.perf_counter()
    bundle = read_bundle(args.dir)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rows = sum(bundle.counts().values())
    print(f"read_bundle: {rows:,} rows, cpu {cpu:.2f}s, wall {wall:.2f}s, "
          f"{rows / cpu:,.0f} rows/s (cpu)")
    del bundle

    log = ProblemLog()
    ctx = Context(log, date.today())
    source = CsvFolder(args.dir, log)
    gc.disable()
    validate_people(source.table("people"), ctx)
    cpu, wall = time.process_time(), time.perf_counter()
    offences = validate_offences(source.table("offences"), ctx)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    gc.enable()
    assert not log.problems, log.problems[:3]
    print(f"offences.csv alone: {len(offences):,} rows, cpu {cpu:.2f}s, wall {wall:.2f}s, "
          f"{len(offences) / cpu:,.0f} rows/s (cpu)")


if __name__ == "__main__":
    main()
