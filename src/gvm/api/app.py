"""The web API and pages: `create_app(register)` builds the FastAPI application over a
running register (see gvm.bootstrap). Every API route lives under /api/v1 and declares
the one permission it needs (gvm.api.deps.require); only signing in and the health check
are public. The pages (gvm.web) are mounted beside it, over the same services."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from gvm import __version__
from gvm.api import errors
from gvm.api.middleware import SecurityHeaders
from gvm.api.routers import (
    audit,
    auth,
    boroughs,
    diversion,
    gangs,
    governance,
    health,
    intelligence,
    meetings,
    oversight,
    people,
    scores,
)
from gvm.api.routers import register as register_routes
from gvm.api.routers import sharing as sharing_routes
from gvm.bootstrap import Register
from gvm.services.freshness import FreshnessWorker
from gvm.web.app import install as install_pages

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1 << 20  # 1 MiB (413 beyond): ample for any form; bundles go via the CLI

TAGS = [
    {"name": "health", "description": "Is the service up (public)."},
    {"name": "auth", "description": "Sign in with password and authenticator code; sign "
     "out. The session cookie is HttpOnly and SameSite=Strict; unsafe requests made with it "
     "carry the CSRF token in X-CSRF-Token. API clients send Authorization: Bearer."},
    {"name": "boroughs", "description": "The 33 London boroughs and your scope (R-SCOPE)."},
    {"name": "people", "description": "Search and justified views of a person's record; "
     "every look is logged (DPA 2018 s.62)."},
    {"name": "gangs", "description": "Gangs of the boroughs you may see."},
    {"name": "intelligence", "description": "Graded intelligence (3x5x2): record, correct."},
    {"name": "scores", "description": "Harm and victim scores: runs and their counts by band."},
    {"name": "register", "description": "Who is on the register: a supervisor's decision "
     "with a rationale, never the score alone (R-HUMAN)."},
    {"name": "oversight", "description": "Equality report, quarterly release, backtest, "
     "policy what-if and gang network: aggregates only, each run logged."},
    {"name": "audit", "description": "The append-only, hash-chained s.62 log, for the data "
     "protection officer."},
    {"name": "sharing", "description": "Information Sharing Agreements and disclosures under "
     "them (R-ISA): only permitted fields and people, with the not-sole-basis condition; "
     "partners read only their organisation's. Never to courts or prosecutors."},
    {"name": "governance", "description": "Quarterly cohort reviews, erasure with notices to "
     "earlier recipients, subject access reports and removal requests (R-REVIEW, "
     "R-RETENTION, R-SUBJECT)."},
    {"name": "meetings", "description": "Four-weekly borough meetings: attendees, signed "
     "confidentiality agreements, packs only for those who signed and may receive them, "
     "actions (R-MEETING, R-CONFIDENTIAL)."},
    {"name": "diversion", "description": "People flagged for support and their referrals "
     "to support services (R-DIVERT)."},
]

DESCRIPTION = """A governed violence-harm register. Users see only their own borough
unless their role is force-wide (R-ACCESS); a record outside your scope is reported as not
found. Viewing a person's record asks for a justification, and every collection,
alteration, consultation and combination of personal data is logged."""


# Threads that run the plain `def` routes and dependencies (anyio's default is 40). Each
# request is mostly Python holding the GIL, so more threads add no throughput, only
# handovers between them: with 16 concurrent clients, 40 threads served about 110 req/s
# at p99 300-370 ms and 2 to 4 threads about 150 req/s at p99 140-185 ms on the
# benchmark machine (docs/PERFORMANCE.md). Requests beyond it queue, first come first
# served.
THREADPOOL_SIZE = 4
FRESHNESS_ACTOR = "gvm serve"  # who the freshness worker's audit entries name


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADPOOL_SIZE
    # Everything loaded at start-up (modules, the policy, the offence catalogue) lives as
    # long as the process: keep it out of the collector's full passes, which otherwise
    # rescan it all and stall every request in flight (docs/PERFORMANCE.md).
    gc.collect()
    gc.freeze()
    worker = _freshness_worker(app.state.register) if app.state.freshness else None
    if worker is not None:
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()


def _freshness_worker(register: Register) -> FreshnessWorker:
    """Keeps the stored scores current as records arrive (gvm.services.freshness), on a
    thread of its own, scoring as of today."""
    return FreshnessWorker(register.unit_of_work, register.policy, register.catalogue,
                           actor=register.settings.actor or FRESHNESS_ACTOR)


def create_app(register: Register, *, freshness: bool = False) -> FastAPI:
    """`freshness`: run the freshness worker while the app runs (`gvm serve` does; tests
    that build an app do not, unless they ask)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="gvm: governed violence-harm register",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from a CDN, which the CSP forbids
        redoc_url=None,
    )
    app.state.register = register
    app.state.freshness = freshness
    # Each router straight onto the app: FastAPI matches nested included routers level
    # by level, and one level more cost about 0.1 ms per request (docs/PERFORMANCE.md).
    app.include_router(health.router, prefix=API_PREFIX)  # no database: never busy
    for module in (auth, boroughs, people, gangs, intelligence, scores,
                   register_routes, audit, sharing_routes, governance, meetings, diversion,
                   oversight):
        app.include_router(module.router, prefix=API_PREFIX,
                           responses=errors.error_responses(503))
    errors.install(app)
    install_pages(app, API_PREFIX)  # the pages, after the API's handlers they defer to
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)  # outermost of ours: a 413 gets the headers too
    return app
