"""The framework's floor for gvm's two benchmark requests: the same routes, request models,
caller dependency and middleware as gvm, served the same way, answering at once with a
canned body of gvm's typical size (a profile about 7.8 KB, a page of search hits about
9.5 KB) and doing no work at all: no token check, no read, no score, no audit entry.

What it costs is what any implementation of these two routes pays on this stack (uvicorn
and h11, Starlette, FastAPI's routing, body parsing and validation, dependency solving,
the security headers) before it reads anything; gvm / minimal cannot exceed
floor / minimal. bench_service.py loads it beside the minimal app and gvm.

    python bench/floor_app.py --port 8124
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from minimal_app import serve
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from gvm.api.app import MAX_BODY_BYTES
from gvm.api.middleware import SecurityHeaders
from gvm.api.schemas.people import SearchIn, ViewIn

VIEW_BYTES, SEARCH_BYTES = 7_800, 9_500


def canned(size: int) -> bytes:
    return json.dumps({"filler": "x" * (size - 14)}).encode()


VIEW, SEARCH = canned(VIEW_BYTES), canned(SEARCH_BYTES)
app = FastAPI()


async def caller(request: Request) -> str | None:
    return request.headers.get("authorization")


@app.get("/api/v1/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v1/people/search")
async def search(body: SearchIn, who: Annotated[str | None, Depends(caller)]) -> Response:
    return Response(SEARCH, media_type="application/json")


@app.post("/api/v1/people/{person_id}/views")
async def view(person_id: str, body: ViewIn,
               who: Annotated[str | None, Depends(caller)]) -> Response:
    return Response(VIEW, media_type="application/json")


app.add_middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)
app.add_middleware(SecurityHeaders)


if __name__ == "__main__":
    serve(app, __doc__)
