"""What the national-scale benchmarks share: the cached synthetic data, the machine's
description and load, peak memory, and writing a result file.

The `national` scale (`gvm.synth`, seed 1, as of 2026-09-30: 1,000,000 people and about
21.5 million offence and intelligence rows) is generated once as an interchange bundle
(CSV, about 90 s) and converted to Parquet, both under bench/.cache/ (gitignored);
later runs read the Parquet in well under a second.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from gvm.domain import frames
from gvm.storage import Database, make_engine
from gvm.synth.generator import generate

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
AS_OF = date(2026, 9, 30)
PG_URL = os.environ.get("GVM_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED = 1

# The columns of each file as the interchange format writes them (all text in CSV).
_DATES = {"date", "date_of_birth", "start_date", "end_date"}
SCORING_TABLES = {"people": frames.PEOPLE, "offences": frames.OFFENCES,
                  "intelligence": frames.INTELLIGENCE, "custody": frames.CUSTODY}


def bundle(scale: str = "national") -> Path:
    """The interchange bundle of `scale` (CSV files), generated on first use."""
    folder = CACHE / f"{scale}-seed{SEED}-csv"
    done = folder / ".complete"
    if not done.exists():
        print(f"generating the {scale} bundle into {folder} (once) ...", flush=True)
        t = time.perf_counter()
        summary = generate(folder, seed=SEED, scale=scale, as_of=AS_OF)  # type: ignore[arg-type]
        done.write_text(json.dumps(summary.counts()))
        print(f"  {summary} in {time.perf_counter() - t:.0f} s", flush=True)
    return folder


def parquet(scale: str = "national") -> Path:
    """The scoring tables of `scale` as Parquet (columns of gvm.domain.frames)."""
    folder = CACHE / f"{scale}-seed{SEED}-parquet"
    done = folder / ".complete"
    if not done.exists():
        source = bundle(scale)
        folder.mkdir(parents=True, exist_ok=True)
        for name, layout in SCORING_TABLES.items():
            text = {c: pl.String for c in layout}
            frame = pl.scan_csv(source / f"{name}.csv", schema_overrides=text,
                                infer_schema=False).select(
                pl.col(c).str.to_date("%Y-%m-%d") if c in _DATES else pl.col(c)
                for c in layout)
            frame.sink_parquet(folder / f"{name}.parquet")
        done.write_text("ok")
    return folder


def load_tables(scale: str = "national") -> dict[str, pl.DataFrame]:
    """people, offences, intelligence, custody in memory, in the frames layouts."""
    folder = parquet(scale)
    return {name: pl.read_parquet(folder / f"{name}.parquet").cast(layout)  # type: ignore[arg-type]
            for name, layout in SCORING_TABLES.items()}


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Load:
    """The machine's CPU use by others while a block runs: busy CPU of the machine minus
    this process's own, as a share of all cores."""

    def __enter__(self) -> Load:
        self._busy, self._own, self._wall = busy_seconds(), _own_cpu(), time.perf_counter()
        self._children = _children_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._wall
        other = (busy_seconds() - self._busy) - (_own_cpu() - self._own)
        self.other = max(0.0, other / (wall * (os.cpu_count() or 1)))
        self.children_cpu = _children_cpu() - self._children  # ended children only


def _children_cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + _children_cpu()


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine(packages: tuple[str, ...]) -> dict[str, Any]:
    meminfo = dict(line.split(":", 1) for line in
                   Path("/proc/meminfo").read_text().splitlines() if ":" in line)
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())

    def ver(p: str) -> str | None:
        try:
            return version(p)
        except PackageNotFoundError:
            return None

    return {"cpu_count": os.cpu_count(), "cpu_affinity": sorted(os.sched_getaffinity(0)),
            "cpu_model": model, "mem_total": meminfo.get("MemTotal", "").strip(),
            "load_average": os.getloadavg(), "platform": platform.platform(),
            "python": platform.python_version(), "versions": {p: ver(p) for p in packages}}


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def _children() -> list[str]:
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        with suppress(OSError):
            pids.extend((task / "children").read_text().split())
    return pids


class PeakMemory:
    """The most resident memory this process and its children held together while a
    block ran, sampled every millisecond from /proc/*/statm; `extra` is that peak less
    the memory before."""

    def __enter__(self) -> PeakMemory:
        import threading

        self._page = os.sysconf("SC_PAGE_SIZE")
        self.before = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _rss(self) -> int:
        """This process's resident memory and its children's (the import's reading
        process), added up."""
        total = 0
        for pid in ("self", *_children()):
            with suppress(OSError, IndexError, ValueError):  # a child that has just ended
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        return total * self._page

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def extra_mb(self) -> float:
        return (self.peak - self.before) / 2**20

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def timed(fn: Any, repeat: int) -> tuple[list[float], list[float], Any]:
    """Wall times and CPU times (this process, all threads) of `repeat` calls of `fn`,
    and its last result. On a shared machine the CPU time is the steadier figure."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, cpu, out


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@contextmanager
def scratch_database(backend: str) -> Iterator[Database]:
    """An empty database, no schema yet, gone afterwards: a SQLite file in a temporary
    folder (under GVM_BENCH_TMP if set) or a new schema on PG_URL, dropped."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=os.environ.get("GVM_BENCH_TMP")) as folder:
            db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                yield db
            finally:
                db.dispose()
        return
    schema = f"gvm_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    db = Database(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
