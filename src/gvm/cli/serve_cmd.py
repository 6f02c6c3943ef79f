"""`gvm serve`: the web pages (gvm.web) and the web API (gvm.api) under uvicorn, over the
register the settings name (GVM_DATABASE_URL, GVM_MODE...)."""

from __future__ import annotations

from typing import Annotated

import typer

from gvm.bootstrap import bootstrap
from gvm.cli.output import console
from gvm.config import Mode
from gvm.domain.errors import GvmError

# How uvicorn serves gvm: one process, one worker, the event loop and HTTP parser uvicorn
# picks. bench/bench_service.py serves its minimal comparison app with the same options.
# No access log: request paths carry person ids, and personal data never goes to stdout.
UVICORN_OPTIONS: dict[str, object] = {"server_header": False, "log_level": "info",
                                      "access_log": False}


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on. Outside dev mode, put "
                                      "a TLS-terminating proxy in front.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    freshness: Annotated[bool, typer.Option(
        help="Also keep stored scores current as records arrive, on a thread of this "
             "process. Off by default: on SQLite each batch holds the write lock the "
             "API's audit entries wait for, and the thread missed the freshness goal "
             "under load (docs/PERFORMANCE.md); run `gvm freshen` beside the server "
             "instead.")] = False,
) -> None:
    """Serve the web pages (/) and the web API (/api/v1; OpenAPI at
    /api/v1/openapi.json) until interrupted."""
    import uvicorn

    from gvm.api.app import create_app

    register = bootstrap()
    try:
        try:
            register.settings.check_listen_host(host)
        except ValueError as e:
            raise GvmError(f"--host: {e}") from None
        if register.settings.mode is Mode.DEV:
            console.print("[yellow]dev mode:[/yellow] session cookies are sent without "
                          "Secure; never expose this to a network.")
        uvicorn.run(create_app(register, freshness=freshness), host=host, port=port,
                    **UVICORN_OPTIONS)  # type: ignore[arg-type]
    finally:
        register.close()


def register(app: typer.Typer) -> None:
    app.command()(serve)
