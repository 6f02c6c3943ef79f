"""Errors of the pages as pages: sign-in redirects, 403, 404, refusals by the register's
rules. API paths keep the API's JSON handlers (gvm.api.errors): each handler here looks
at the path and hands an API request back to the handler it replaced.

Like the API, a refusal never repeats what was submitted (it may be personal data)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from gvm.api.errors import RETRY_AFTER_SECONDS, unavailable
from gvm.bootstrap import BUSY_ERRORS
from gvm.domain.errors import GvmError
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.scoring import UnknownPerson
from gvm.web.deps import PageForbidden, SignInRequired
from gvm.web.render import page

Handler = Callable[[Request, Exception], Awaitable[Response]]
SIGN_IN = "/sign-in"
_TITLES = {403: "Not allowed", 404: "Not found", 405: "Not allowed here",
           409: "Refused", 422: "Please check what you entered",
           503: "Please try again shortly"}


def error_page(request: Request, code: int, message: str,
               problems: list[tuple[str, str]] | None = None) -> Response:
    return page(request, "error.html", status_code=code, title=_TITLES.get(code, "Error"),
                message=message, problems=problems or [])


def sign_in_redirect(request: Request, expired: bool) -> Response:
    target = SIGN_IN + ("?expired=1" if expired else "")
    if request.headers.get("HX-Request"):  # a partial: make HTMX load the whole page
        return Response(status_code=status.HTTP_204_NO_CONTENT,
                        headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return sign_in_redirect(request, exc.expired)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return error_page(request, 403, str(exc))


async def _gvm_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, InvalidInput):
        return error_page(request, 422, "Some values were not accepted.", exc.problems)
    if isinstance(exc, NotFound | UnknownPerson):
        return error_page(request, 404, "There is no such record in your scope.")
    if isinstance(exc, Forbidden):
        return error_page(request, 403, str(exc))
    return error_page(request, 409, str(exc))  # the register's rules: no personal data


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "There is no such page.", 405: "This page does not accept that request."
               }.get(exc.status_code, "The request could not be served.")
    return error_page(request, exc.status_code, message)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [(str(e.get("loc", ("", "?"))[-1]), e.get("msg", "invalid"))
                for e in exc.errors()]
    return error_page(request, 422, "Some values were not accepted.", problems)


async def _busy(request: Request, exc: Exception) -> Response:
    why = unavailable(exc)
    if why is None:
        raise exc
    response = error_page(request, 503, why)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def install(app: FastAPI, api_prefix: str) -> None:
    """Page handlers for page paths; the handlers already installed keep the API's."""

    def for_pages(exc_class: type[Exception], handler: Handler) -> None:
        api_handler = app.exception_handlers.get(exc_class)

        async def dispatch(request: Request, exc: Exception) -> Response:
            if api_handler is not None and request.url.path.startswith(api_prefix):
                return await api_handler(request, exc)
            return await handler(request, exc)

        app.add_exception_handler(exc_class, dispatch)

    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(PageForbidden, _forbidden)
    for exc_class, handler in ((GvmError, _gvm_error), (InvalidInput, _gvm_error),
                               (HTTPException, _http), (RequestValidationError, _validation),
                               *((busy_error, _busy) for busy_error in BUSY_ERRORS)):
        for_pages(exc_class, handler)
