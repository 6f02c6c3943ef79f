"""CPU per request of the web API, in-process: the ASGI app called directly (no sockets,
no HTTP parsing), over the benchmark's register.

    python bench/service_cpu.py [--requests 500] [--rounds 5] [--clients 16] [--profile]

What bench_service.py's figures rest on, measured without most of the noise of a shared
machine: process CPU time (all threads) per request, with 16 requests in flight as in the
benchmark, for profile views and searches apart, next to the minimal app's route called
the same way; the least of several rounds. --profile prints cProfile's top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_service import AS_OF, CACHE, JUSTIFICATION, build_register
from minimal_app import app as minimal_app

from gvm.api.app import create_app
from gvm.bootstrap import bootstrap
from gvm.config import Settings


def asgi_call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]],
              body: bytes) -> Any:
    async def call() -> int:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status
    return call


async def run(app: Any, calls: list[Any], rounds: int = 1, clients: int = 1) -> float:
    """CPU seconds per call: the least over `rounds` runs of `calls`, made by `clients`
    concurrent tasks (on a shared machine other processes only ever add to it)."""

    async def client(mine: list[Any]) -> None:
        for call in mine:
            status = await call()
            if status != 200:
                raise RuntimeError(f"status {status}")

    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        await asyncio.gather(*(client(calls[i::clients]) for i in range(clients)))
        best = min(best, time.process_time() - started)
    return best / len(calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5,
                        help="repeat each measurement, keep the least CPU")
    parser.add_argument("--clients", type=int, default=16,
                        help="concurrent tasks making the calls (1: one at a time)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="cpu-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'register.db'}"
        bench = build_register(url)
        register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
        app = create_app(register)
        auth = [(b"authorization", f"Bearer {bench.token}".encode()),
                (b"content-type", b"application/json")]
        rng = random.Random(1)
        view_body = json.dumps({"justification": JUSTIFICATION,
                                "as_of": AS_OF.isoformat()}).encode()

        def views(n: int) -> list[Any]:
            return [asgi_call(app, "POST", f"/api/v1/people/{rng.choice(bench.person_ids)}"
                              "/views", auth, view_body) for _ in range(n)]

        def searches(n: int) -> list[Any]:
            return [asgi_call(app, "POST", "/api/v1/people/search", auth,
                              json.dumps({"name": rng.choice(bench.prefixes)}).encode())
                    for _ in range(n)]

        def pings(n: int) -> list[Any]:
            return [asgi_call(minimal_app, "GET", "/ping", [], b"") for _ in range(n)]

        async def measure() -> None:
            async with app.router.lifespan_context(app):
                await run(app, views(200) + searches(100))  # warm-up
                n = args.requests
                profiler = cProfile.Profile() if args.profile else None
                if profiler:
                    profiler.enable()
                figures = {kind: await run(app, make(n), args.rounds, args.clients) * 1000
                           for kind, make in (("view", views), ("search", searches),
                                              ("ping (minimal)", pings))}
                if profiler:
                    profiler.disable()
                    stats = pstats.Stats(profiler)
                    stats.sort_stats("tottime").print_stats(40)
                    stats.dump_stats(CACHE / "service_cpu.prof")  # for pstats/snakeviz
                for kind, ms in figures.items():
                    print(f"{kind:<16}{ms:8.3f} ms CPU per request")
                mix = 0.7 * figures["view"] + 0.3 * figures["search"]
                print(f"{'mix 70/30':<16}{mix:8.3f} ms CPU per request")

        try:
            asyncio.run(measure())
        finally:
            register.close()


if __name__ == "__main__":
    main()
