"""Errors as HTTP responses, and the error responses each route documents.

A refusal never repeats what was submitted: validation errors keep where and why (field
names, the rule) and drop pydantic's `input` and `ctx`, which would echo a name or a date
of birth back into a response body, a proxy log or a browser's history.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gvm.api.schemas.common import ErrorOut, ValidationErrorOut
from gvm.bootstrap import BUSY_ERRORS, busy, unreachable
from gvm.domain.errors import GvmError, NotEligible
from gvm.services.access import InvalidInput
from gvm.services.accounts import SIGN_IN_FAILED, LoginFailed
from gvm.services.errors import Forbidden, NotFound
from gvm.services.scoring import UnknownPerson

_DESCRIPTIONS = {
    401: "Not signed in, or the session or API token has expired",
    403: "Signed in, but the role lacks the permission (or the CSRF header is missing)",
    404: "No such record in your scope (a record outside it is reported the same way)",
    409: "Refused by the register's rules (e.g. not eligible for inclusion), with the reason",
    413: "Request body larger than the limit",
    422: "The request is malformed; names the fields, never repeats their values",
    503: "The register is busy with another writer (an import, a re-score) for longer than "
         "a request waits, or its database cannot be reached: nothing was shown or changed; "
         "try again after Retry-After seconds",
}
BUSY = ("The register is busy with another write (an import or a re-score); nothing was "
        "shown or changed. Try again in a moment.")
UNREACHABLE = ("The register's database cannot be reached; nothing was shown or changed. "
               "Try again in a moment.")
RETRY_AFTER_SECONDS = 10


def unavailable(exc: Exception) -> str | None:
    """Why the register cannot serve a request now (BUSY, UNREACHABLE), or None: any
    other error is a fault (a 500)."""
    return BUSY if busy(exc) else UNREACHABLE if unreachable(exc) else None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each code with its body model and meaning."""
    return {code: {"model": ValidationErrorOut if code == 422 else ErrorOut,
                   "description": _DESCRIPTIONS[code]} for code in codes}


def _error(code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=code, headers=headers)


def _problems(errors: Any) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid"),
             "type": e.get("type", "value_error")} for e in errors]


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": _problems(exc.errors())},
                        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


# FastAPI answers a body it cannot decode at all (not UTF-8, say) with this 400, which no
# route documents; it is a malformed request like any other, so it becomes a 422.
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, HTTPException)
    if exc.status_code == status.HTTP_400_BAD_REQUEST and exc.detail == _UNPARSABLE_BODY:
        return JSONResponse({"detail": [{"loc": ["body"], "msg": "expected a UTF-8 JSON body",
                                         "type": "json_invalid"}]},
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return await http_exception_handler(request, exc)


def _where(request: Request, field: str) -> str:
    """Where the route takes `field` from, as pydantic's own errors say it: a service
    names the field, the route knows whether it came in the path, the query or the body."""
    todo = [getattr(request.scope.get("route"), "dependant", None)]
    while todo:  # the route's parameters and its dependencies'
        dependant = todo.pop()
        if dependant is None:
            continue
        for where, params in (("path", dependant.path_params),
                              ("query", dependant.query_params)):
            if any(field in (p.name, p.alias) for p in params):
                return where
        todo.extend(dependant.dependencies)
    return "body"


async def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    detail = [{"loc": [_where(request, field), field], "msg": message, "type": "value_error"}
              for field, message in exc.problems]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _gvm_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, LoginFailed):
        return _error(status.HTTP_401_UNAUTHORIZED, SIGN_IN_FAILED)
    if isinstance(exc, NotFound | UnknownPerson):
        return _error(status.HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, Forbidden):
        return _error(status.HTTP_403_FORBIDDEN, str(exc))
    if isinstance(exc, NotEligible):
        return _error(status.HTTP_409_CONFLICT, f"not eligible: {exc}")
    # Any other rule of the register's (messages name no personal data, by convention).
    return _error(status.HTTP_409_CONFLICT, str(exc))


async def _busy(_: Request, exc: Exception) -> JSONResponse:
    why = unavailable(exc)
    if why is None:
        raise exc  # any other database error: a 500, logged by the server
    return _error(status.HTTP_503_SERVICE_UNAVAILABLE, why,
                  headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(GvmError, _gvm_error)
    for busy_error in BUSY_ERRORS:
        app.add_exception_handler(busy_error, _busy)
