"""Dependencies of the pages: who is signed in, the CSRF check and the one permission
each page declares (R-ACCESS), in the shape of gvm.api.deps so one test walks both.

The session is the API's cookie. A state-changing page request (POST) must carry the
session's CSRF token, in the form field `csrf_token` or the `X-CSRF-Token` header (HTMX
requests). A missing or dead session is not an error page: the browser is sent to the
sign-in page with a message (SignInRequired, see gvm.web.errors).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from gvm.api.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, RegisterDep
from gvm.authz import Actor, Permission, has_permission
from gvm.services import accounts

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """No live session: send the browser to sign in. `expired` when a cookie was sent."""

    def __init__(self, expired: bool) -> None:
        self.expired = expired


class PageForbidden(Exception):
    """Signed in, but the role lacks the page's permission, or the CSRF token is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class PageCaller:
    actor: Actor
    csrf_token: str
    session_token: str


async def sent_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header is not None:
        return header
    form = await request.form()  # parsed once; FastAPI's Form() fields reuse it
    value = form.get(CSRF_FIELD, "")
    return value if isinstance(value, str) else ""


async def page_caller(request: Request, register: RegisterDep) -> PageCaller:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired(expired=False)
    # As the API's caller check: on SQLite on the event loop, no thread handover.
    found = await register.run(accounts.session_actor, register.unit_of_work, token)
    if found is None:
        raise SignInRequired(expired=True)
    actor, csrf = found
    if request.method not in SAFE_METHODS:
        sent = await sent_csrf(request)
        if not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise PageForbidden("This form has expired or did not come from this site. "
                                "Go back, reload the page and try again.")
    caller = PageCaller(actor, csrf, token)
    request.state.caller = caller  # the templates read the actor and the CSRF token here
    return caller


CurrentPageCaller = Annotated[PageCaller, Depends(page_caller)]


def require(permission: Permission) -> Any:
    """Depends(...) giving the signed-in Actor if it holds `permission`: a redirect to
    sign in when not signed in, a 403 page when the role lacks it. Marked like
    gvm.api.deps.require, so declared_permissions reads pages and API routes alike."""

    async def check(caller: CurrentPageCaller) -> Actor:
        if not has_permission(caller.actor, permission):
            raise PageForbidden(f"Your role may not open this page (it needs "
                                f"{permission.value}).")
        return caller.actor

    check.gvm_permission = permission  # type: ignore[attr-defined]
    check.__name__ = f"page_require_{permission.name.lower()}"
    return Depends(check)
