"""The ceiling: a minimal FastAPI app (one route, a small JSON answer) served exactly as
`gvm serve` serves gvm (same uvicorn options, one worker, one process). The route is
`async def`, so it runs on the event loop with no threadpool hop: the fastest FastAPI
answer there is, and so the honest ceiling.

    python bench/minimal_app.py --port 8123

bench_service.py starts it in a subprocess and loads it next to gvm.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI

from gvm.cli.serve_cmd import UVICORN_OPTIONS

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}


def serve(served: FastAPI, description: str | None) -> None:
    """Serve `served` as `gvm serve` serves gvm, on --host and --port."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(served, host=args.host, port=args.port, **UVICORN_OPTIONS)


if __name__ == "__main__":
    serve(app, __doc__)
