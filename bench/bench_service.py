"""Load the web API on loopback next to a minimal FastAPI app, in the same run.

    python bench/bench_service.py [--seconds 10] [--clients 16] [--backend sqlite|postgresql]

1. Builds a synthetic London (gvm.synth, scale "london", cached in bench/.cache), imports
   and scores it into a fresh SQLite file (or a fresh PostgreSQL schema on
   GVM_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test,
   dropped afterwards), and creates a force_analyst user with an API token, so the load
   signs in with `Authorization: Bearer` (no cookie, no CSRF).
2. Serves, one after the other, each in its own subprocess on 127.0.0.1 and a free port,
   with the same uvicorn options and a single worker:
     minimal  bench/minimal_app.py: GET /ping -> {"status": "ok"}: this machine's ceiling
     floor    bench/floor_app.py: gvm's two routes, models and middleware answering canned
              bodies of gvm's size with no work, loaded with gvm's requests (--no-floor
              leaves it out): what any implementation pays on this stack
     gvm      `python -m gvm serve`, the command itself, over the register built in 1.
   Each server is pinned to the last CPU and the load generator to the others (as
   `taskset -c` would; --no-pin to let the scheduler place them): on this 2-vCPU VM a
   server whose threads hop between CPUs spends half its time waking them.
3. Loads each with --clients concurrent keep-alive connections for --warmup then
   --seconds seconds (only the latter counted). The load generator is pure Python: one
   asyncio loop in this process writing pre-formatted HTTP/1.1 requests and parsing only
   the status line and Content-Length, with no HTTP library in the way. It reports its own
   CPU use next to the server's: while the server sits at ~100% of a core and the
   generator well below it, the server is what is measured. gvm's mix: 70% profile views
   (POST /api/v1/people/{id}/views with a justification, a random person of the
   register) and 30% searches (POST /api/v1/people/search, the first three letters of a
   random person's surname).
4. Prints throughput, p50/p95/p99 latency and errors for both and the ratio; writes JSON
   with the machine (cores, memory, CPU) to bench/results/service-<backend>-<time>.json.
5. Checks that the audit chain verifies and that the consultations logged during the
   load equal the successful views and searches (warm-up included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import national_register
import sqlalchemy as sa

from gvm.authz import Role
from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services.accounts import create_api_token, create_user
from gvm.services.freshness import FreshnessWorker
from gvm.services.importing import import_bundle
from gvm.services.scoring import rescore
from gvm.storage import Database
from gvm.storage.tables import audit_log, people
from gvm.synth.generator import generate

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
PG_URL = os.environ.get("GVM_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED, AS_OF = 1, date(2026, 9, 30)
HOST = "127.0.0.1"
VIEW_SHARE = 0.7
JUSTIFICATION = "benchmark: load test of the profile view"
USERNAME, PASSWORD = "bench_analyst", "benchmark password, not a secret"


# --- the register --------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    cwd: Path
    make_request: Callable[[random.Random], tuple[str, bytes]]


def london_bundle() -> Path:
    folder = CACHE / f"london-seed{SEED}-{AS_OF.isoformat()}"
    if not (folder / "done").exists():
        print(f"generating synthetic London into {folder} ...", flush=True)
        generate(folder, seed=SEED, scale="london", as_of=AS_OF)
        (folder / "done").write_text("ok\n")
    return folder


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'register.db'}"
        return
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    schema = f"gvm_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def register_url(args: argparse.Namespace, folder: Path) -> Iterator[str]:
    """Where the served register is: London in a fresh database each run, the national
    one kept (national_register.py)."""
    if args.scale == "london":
        with database_url(args.backend, folder) as url:
            yield url
        return
    if args.backend == "sqlite":
        path = national_register.sqlite_register(CACHE, folder / "register.db")
        yield f"sqlite:///{path}"
        return
    schema = national_register.postgresql_schema(PG_URL, rebuild=args.rebuild)
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"


@dataclass
class BenchRegister:
    url: str
    token: str
    person_ids: list[str]
    prefixes: list[str]  # one per person: searches follow the names' own frequencies
    audit_head: int


def build_register(url: str) -> BenchRegister:
    """The synthetic London, imported and scored into the empty database at `url`."""
    started = time.perf_counter()
    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
    try:
        import_bundle(register.unit_of_work, london_bundle(), actor="bench",
                      actor_role="operator", justification="benchmark: synthetic data")
        rescore(register.unit_of_work, AS_OF, register.policy, register.catalogue,
                actor="bench", actor_role="operator")
        # The import queued everyone for the freshness worker `gvm serve` runs: drain it
        # here, so the server under load starts with nothing queued.
        FreshnessWorker(register.unit_of_work, register.policy, register.catalogue,
                        actor="bench", as_of=lambda: AS_OF).drain()
    finally:
        register.close()
    print(f"register: imported and scored in {time.perf_counter() - started:.1f} s",
          flush=True)
    return bench_access(url)


def bench_access(url: str) -> BenchRegister:
    """A force-wide analyst with an API token on the register at `url` (a new one each
    run: a kept PostgreSQL register has the earlier runs' users), and who is held."""
    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
    username = f"{USERNAME}_{uuid.uuid4().hex[:8]}"
    try:
        create_user(register.unit_of_work, username=username, password=PASSWORD,
                    role=Role.FORCE_ANALYST)
        token = create_api_token(register.unit_of_work, username=username, name="bench")
        with register.database.engine.connect() as conn:
            rows = conn.execute(sa.select(people.c.person_id, people.c.surname)
                                .order_by(people.c.person_id)).all()
            head = conn.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar() or 0
    finally:
        register.close()
    print(f"register: {len(rows):,} people", flush=True)
    return BenchRegister(url, token, [r.person_id for r in rows],
                    [r.surname[:3] for r in rows], int(head))


def gvm_requests(register: BenchRegister) -> Callable[[random.Random], tuple[str, bytes]]:
    auth = f"Authorization: Bearer {register.token}\r\n"

    def post(path: str, body: dict[str, Any]) -> bytes:
        data = json.dumps(body).encode()
        return (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\n{auth}"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                ).encode() + data

    def make(rng: random.Random) -> tuple[str, bytes]:
        if rng.random() < VIEW_SHARE:
            person = rng.choice(register.person_ids)
            return "view", post(f"/api/v1/people/{person}/views",
                                {"justification": JUSTIFICATION, "as_of": AS_OF.isoformat()})
        return "search", post("/api/v1/people/search", {"name": rng.choice(register.prefixes)})

    return make


def minimal_requests(rng: random.Random) -> tuple[str, bytes]:
    return "ping", f"GET /ping HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()


# --- servers -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pin(cpu: int | None) -> Callable[[], None] | None:
    """A preexec_fn keeping a server (all its threads) on one CPU, like `taskset -c`."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


@contextmanager
def serving(target: Target, log: Path, cpu: int | None) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        server = subprocess.Popen(target.command, env=target.env, cwd=target.cwd,
                                  stdout=out, stderr=subprocess.STDOUT,
                                  preexec_fn=pin(cpu))
        try:
            deadline = time.monotonic() + 60
            path = "/ping" if target.name == "minimal" else "/api/v1/health"
            while True:
                try:
                    with urllib.request.urlopen(f"http://{HOST}:{target.port}{path}",
                                                timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{target.name} did not start: see {log}") from None
                    time.sleep(0.1)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


# --- the load generator --------------------------------------------------------------------

@dataclass
class Load:
    """What the clients saw. Latencies only of responses that completed in the measured
    window; `ok` counts every 2xx (warm-up and tail included), for the audit check."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    ok: dict[str, int] = field(default_factory=dict)
    window: float = 0.0
    server_cpu: float = 0.0
    server_system_cpu: float = 0.0  # of which in the kernel (system calls, thread wake-ups)
    generator_cpu: float = 0.0
    other_cpu: float = 0.0  # the rest of the machine: anything else running disturbs

    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    if length is None:
        raise RuntimeError("response without Content-Length")
    await reader.readexactly(length)
    return status


async def client(port: int, make: Callable[[random.Random], tuple[str, bytes]], seed: int,
                 measure_from: float, stop_at: float, load: Load) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while (start := time.perf_counter()) < stop_at:
            kind, raw = make(rng)
            try:
                writer.write(raw)
                status = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError):
                status = 0
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
            done = time.perf_counter()
            if 200 <= status < 300:
                load.ok[kind] = load.ok.get(kind, 0) + 1
            if measure_from <= start and done <= stop_at:
                if 200 <= status < 300:
                    load.latencies.setdefault(kind, []).append(done - start)
                else:
                    load.errors[kind] = load.errors.get(kind, 0) + 1
    finally:
        writer.close()


async def run_load(target: Target, pid: int, clients: int, warmup: float, seconds: float
                   ) -> Load:
    load = Load()
    now = time.perf_counter()
    measure_from, stop_at = now + warmup, now + warmup + seconds
    tasks = [asyncio.create_task(client(target.port, target.make_request, 1000 + i,
                                        measure_from, stop_at, load))
             for i in range(clients)]
    await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
    cpu0, gen0, all0 = cpu_seconds(pid), time.process_time(), machine_busy_seconds()
    t0 = time.perf_counter()
    await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
    cpu1, gen1, all1 = cpu_seconds(pid), time.process_time(), machine_busy_seconds()
    t1 = time.perf_counter()
    await asyncio.gather(*tasks)
    load.window = w = t1 - t0
    load.server_cpu = (sum(cpu1) - sum(cpu0)) / w
    load.server_system_cpu = (cpu1[1] - cpu0[1]) / w
    load.generator_cpu = (gen1 - gen0) / w
    load.other_cpu = max(0.0, (all1 - all0) / w - load.server_cpu - load.generator_cpu)
    return load


# --- figures -------------------------------------------------------------------------------

def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def summarise(latencies: list[float], errors: int, window: float) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in latencies)
    return {"requests": len(ms), "errors": errors,
            "throughput_rps": round(len(ms) / window, 1) if window else 0.0,
            "mean_ms": round(sum(ms) / len(ms), 2) if ms else None,
            **{f"p{p}_ms": round(percentile(ms, p), 2) for p in (50, 95, 99)},
            "max_ms": round(ms[-1], 2) if ms else None}


def figures(load: Load) -> dict[str, Any]:
    everything = [x for v in load.latencies.values() for x in v]
    out = summarise(everything, sum(load.errors.values()), load.window)
    out["server_cpu_percent"] = round(100 * load.server_cpu, 1)
    out["server_system_cpu_percent"] = round(100 * load.server_system_cpu, 1)
    out["server_cpu_ms_per_request"] = (round(1000 * load.server_cpu * load.window / n, 3)
                                        if (n := load.count()) else None)
    out["generator_cpu_percent"] = round(100 * load.generator_cpu, 1)
    out["other_cpu_percent"] = round(100 * load.other_cpu, 1)
    out["by_kind"] = {k: summarise(v, load.errors.get(k, 0), load.window)
                      for k, v in sorted(load.latencies.items())}
    out["ok_including_warmup"] = dict(load.ok)
    return out


def machine() -> dict[str, Any]:
    meminfo = dict(line.split(":", 1) for line in
                   Path("/proc/meminfo").read_text().splitlines() if ":" in line)
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu_count": os.cpu_count(), "cpu_model": model,
            "mem_total": meminfo.get("MemTotal", "").strip(),
            "platform": platform.platform(), "python": platform.python_version(),
            "versions": {p: version(p) for p in ("fastapi", "starlette", "uvicorn", "pydantic",
                                                 "sqlalchemy", "psycopg")}}


def check_audit(url: str, head: int, ok: dict[str, int]) -> dict[str, Any]:
    database = Database(url)
    try:
        verified = database.verify_audit()
        with database.engine.connect() as conn:
            logged = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(
                audit_log.c.seq > head, audit_log.c.operation == "consultation")).scalar()
    finally:
        database.dispose()
    expected = ok.get("view", 0) + ok.get("search", 0)
    return {"chain_ok": verified.ok, "chain_rows": verified.checked,
            "consultations_logged": int(logged), "successful_views_and_searches": expected,
            "counts_match": int(logged) == expected}


def print_table(results: dict[str, dict[str, Any]]) -> None:
    print(f"\n{'target':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'errors':>8}{'srv cpu':>9}{'of sys':>8}{'ms/req':>8}{'gen cpu':>9}{'other':>8}")
    for name, r in results.items():
        rows = [(name, r)] + [(f"  {k}", v) for k, v in r["by_kind"].items()
                              if len(r["by_kind"]) > 1]
        for label, f in rows:
            cpu = (f"{r['server_cpu_percent']:>8}%{r['server_system_cpu_percent']:>7}%"
                   f"{r['server_cpu_ms_per_request']:>8}{r['generator_cpu_percent']:>8}%"
                   f"{r['other_cpu_percent']:>7}%" if f is r else "")
            print(f"{label:<14}{f['throughput_rps']:>9}{f['p50_ms']:>9}{f['p95_ms']:>9}"
                  f"{f['p99_ms']:>9}{f['max_ms']:>9}{f['errors']:>8}{cpu}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", choices=["london", "national"], default="london",
                        help="london: 8,600 people, built each run; national: 1,000,000 "
                        "people (bench/national_register.py, built once and kept)")
    parser.add_argument("--rebuild", action="store_true",
                        help="national on PostgreSQL: drop and rebuild the kept register")
    parser.add_argument("--freshness", action="store_true",
                        help="serve with `gvm serve --freshness` (the freshness worker on "
                        "a thread of the server)")
    parser.add_argument("--label", default="", help="a note kept in the JSON")
    parser.add_argument("--no-floor", action="store_true",
                        help="leave out the framework's floor (bench/floor_app.py: gvm's "
                        "routes and middleware answering canned bodies, no work)")
    parser.add_argument("--no-pin", action="store_true",
                        help="let the servers' threads run on any CPU (default: each server "
                        "on the last CPU, the load generator on the others)")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu = None if args.no_pin or len(cpus) < 2 else cpus[-1]
    if server_cpu is not None:
        os.sched_setaffinity(0, set(cpus[:-1]))  # the load generator

    CACHE.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="run-") as tmp:
        folder = Path(tmp)
        with register_url(args, folder) as url:
            register = build_register(url) if args.scale == "london" else bench_access(url)
            env = {**os.environ, "GVM_DATABASE_URL": url, "GVM_MODE": "dev"}
            # The servers run in the run's folder: a relative PYTHONPATH (PYTHONPATH=src)
            # would silently serve whatever gvm is installed instead of this checkout.
            if env.get("PYTHONPATH"):
                env["PYTHONPATH"] = os.pathsep.join(
                    str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p)
            env.pop("GVM_POLICY_PATH", None)
            targets = [
                Target("minimal", free_port(), [sys.executable, str(BENCH / "minimal_app.py")],
                       env, folder, minimal_requests),
                *([] if args.no_floor else [
                    Target("floor", free_port(), [sys.executable, str(BENCH / "floor_app.py")],
                           env, folder, gvm_requests(register))]),
                Target("gvm", free_port(),
                       [sys.executable, "-m", "gvm", "serve",
                        *(["--freshness"] if args.freshness else [])],
                       env, folder, gvm_requests(register)),
            ]
            results, loads = {}, {}
            for target in targets:
                target.command += ["--host", HOST, "--port", str(target.port)]
                with serving(target, folder / f"{target.name}.log", server_cpu) as server:
                    print(f"loading {target.name} ({args.clients} clients, {args.warmup:g} s "
                          f"warm-up + {args.seconds:g} s) ...", flush=True)
                    loads[target.name] = asyncio.run(run_load(
                        target, server.pid, args.clients, args.warmup, args.seconds))
                results[target.name] = figures(loads[target.name])
            checks = check_audit(url, register.audit_head, loads["gvm"].ok)

    ratio = results["gvm"]["throughput_rps"] / results["minimal"]["throughput_rps"]
    print_table(results)
    print(f"\ngvm / minimal throughput: {ratio:.1%}   (goal on SQLite: >= 50%, "
          f"gvm p99 < 25 ms: {results['gvm']['p99_ms']} ms)")
    if "floor" in results:
        floor = results["floor"]["throughput_rps"] / results["minimal"]["throughput_rps"]
        print(f"floor / minimal throughput: {floor:.1%}   (gvm's routes doing no work: the "
              f"most any implementation of them reaches on this stack)")
    print(f"audit chain verifies: {checks['chain_ok']} ({checks['chain_rows']:,} rows); "
          f"consultations logged {checks['consultations_logged']:,} = successful views and "
          f"searches {checks['successful_views_and_searches']:,}: {checks['counts_match']}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scale = "" if args.scale == "london" else f"{args.scale}-"
    out = RESULTS / f"service-{scale}{args.backend}-{stamp}.json"
    out.write_text(json.dumps({
        "when": stamp, "label": args.label, "backend": args.backend, "scale": args.scale,
        "people": len(register.person_ids),
        "config": {"seconds": args.seconds, "warmup": args.warmup, "clients": args.clients,
                   "mix": {"view": VIEW_SHARE, "search": round(1 - VIEW_SHARE, 2)},
                   "server": "uvicorn, 1 process, 1 worker (gvm.cli.serve_cmd.UVICORN_OPTIONS)",
                   "freshness_worker": args.freshness,
                   "server_cpu_pinned": server_cpu,
                   "generator": "pure-Python asyncio, keep-alive, one connection per client"},
        "machine": machine(), "results": results, "ratio": round(ratio, 4),
        "floor_ratio": (round(results["floor"]["throughput_rps"]
                              / results["minimal"]["throughput_rps"], 4)
                        if "floor" in results else None),
        "checks": checks,
    }, indent=2) + "\n")
    print(f"written: {out.relative_to(BENCH.parent)}")
    if args.backend == "postgresql":
        print("note: on PostgreSQL 'other' includes the database server's own processes")
    elif max(r["other_cpu_percent"] for r in results.values()) > 10:
        print("warning: something else used the CPU during the run ('other'): the "
              "figures are disturbed; run again on a quiet machine")
    return 0 if checks["chain_ok"] and checks["counts_match"] else 1


if __name__ == "__main__":
    sys.exit(main())
