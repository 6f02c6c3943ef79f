"""Dependencies of the routes: the register, who is calling, and the one permission each
route declares (R-ACCESS).

Authentication is either the session cookie (`gvm_session`, set by POST /auth/login) or
an API token (`Authorization: Bearer gvm_...`). A cookie-authenticated POST, PUT, PATCH
or DELETE must carry the session's CSRF token in `X-CSRF-Token`; a bearer token needs
none (a browser never attaches one by itself).

Every route declares exactly one permission with `require(...)`, or is marked public with
`PUBLIC` (signing in and the health check only). `declared_permissions` reads the
declarations back from a route, so a test can walk `app.routes` and fail on any route
that declares none.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.routing import APIRoute, iter_route_contexts

from gvm.authz import Actor, Permission, has_permission
from gvm.bootstrap import Register
from gvm.services import accounts

SESSION_COOKIE = "gvm_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


# Every dependency is `async def`: FastAPI runs a plain `def` dependency in the
# threadpool, and each such hop costs a thread handover and a wake-up of the event loop.
# The one that reads the database (`current_caller`) runs it with `Register.run`: on
# the event loop for SQLite, in the threadpool for PostgreSQL.


async def get_register(request: Request) -> Register:
    return request.app.state.register


RegisterDep = Annotated[Register, Depends(get_register)]


@dataclass(frozen=True, slots=True)
class Caller:
    actor: Actor
    via: str  # "session" or "token"
    session_token: str | None = None


def _not_signed_in(detail: str = "not signed in") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers=_UNAUTHENTICATED)


_CALLER_KEY = "gvm.caller"  # the request's resolved Caller, in its ASGI scope


async def current_caller(request: Request) -> Caller:
    """The signed-in caller; 401 if none, 403 for a cookie write without its CSRF token.
    Resolved once per request (kept in the request's scope), however many dependencies
    ask. (The register is read from the app, not through RegisterDep: every dependency
    FastAPI solves costs some 20-40 µs per request, and every request runs this one.)"""
    found = request.scope.get(_CALLER_KEY)
    if found is None:
        found = request.scope[_CALLER_KEY] = await _resolve_caller(request)
    return found  # type: ignore[no-any-return]


async def _resolve_caller(request: Request) -> Caller:
    register: Register = request.app.state.register
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _not_signed_in("expected Authorization: Bearer <API token>")
        actor = await register.run(accounts.token_actor, register.unit_of_work, token)
        if actor is None:
            raise _not_signed_in("API token unknown, expired or revoked")
        return Caller(actor, "token")
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise _not_signed_in()
    found = await register.run(accounts.session_actor, register.unit_of_work, token)
    if found is None:
        raise _not_signed_in("session expired: sign in again")
    actor, csrf = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"missing or wrong {CSRF_HEADER} header")
    return Caller(actor, "session", token)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require(permission: Permission) -> Any:
    """Depends(...) giving the signed-in Actor if it holds `permission`: 401 when not
    signed in, 403 when the role (or the API token's scopes) lack it. Use it as
    `actor: Annotated[Actor, require(Permission.X)]` or in `dependencies=[...]`."""

    # One dependency that resolves the caller itself (rather than depending on
    # CurrentCaller): FastAPI solves each level of dependencies at a cost per request.
    async def check(request: Request) -> Actor:
        caller = await current_caller(request)
        if not has_permission(caller.actor, permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"your role may not do this (needs {permission.value})")
        return caller.actor

    check.gvm_permission = permission  # type: ignore[attr-defined]
    check.__name__ = f"require_{permission.name.lower()}"
    return Depends(check)


async def _public() -> None:
    """Marks a route reachable without signing in."""


_public.gvm_public = True  # type: ignore[attr-defined]
PUBLIC = Depends(_public)


def app_routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """(method, full path, route) of every route, API and pages, routers included."""
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            found.extend((method, context.path, context) for method in sorted(context.methods))
    return found


def api_routes(app: FastAPI, prefix: str = "/api/") -> list[tuple[str, str, Any]]:
    """(method, full path, route) of every API route (the pages are gvm.web's)."""
    return [found for found in app_routes(app) if found[1].startswith(prefix)]


def _calls(route: Any) -> list[Callable[..., Any]]:
    found, stack = [], list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            found.append(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def declared_permissions(route: Any) -> list[Permission]:
    """The permissions a route's dependencies declare (a well-formed route: one)."""
    return sorted({c.gvm_permission for c in _calls(route) if hasattr(c, "gvm_permission")})


def is_public(route: Any) -> bool:
    return any(getattr(c, "gvm_public", False) for c in _calls(route))
