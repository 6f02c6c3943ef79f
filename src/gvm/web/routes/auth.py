"""Signing in (password and authenticator code, or first-time enrolment of the
authenticator) and out.

The sign-in form has no session yet, so its CSRF protection is a double submit: a
random token in a SameSite=Strict, HttpOnly cookie and the same token in the form; a
forged cross-site post carries neither. Every refusal shows the one sign-in message."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from gvm.api.deps import PUBLIC, SESSION_COOKIE, RegisterDep
from gvm.authz import Actor, Permission
from gvm.config import Mode
from gvm.services import accounts
from gvm.web.deps import CurrentPageCaller, require
from gvm.web.render import page

router = APIRouter()
LOGIN_CSRF_COOKIE = "gvm_login_csrf"
NOTICES = {"expired": "Your session has ended. Please sign in again.",
           "signed_out": "You have signed out."}


def _secure(request: Request) -> bool:
    return request.app.state.register.settings.mode is not Mode.DEV


def _sign_in_page(request: Request, *, status_code: int = 200, error: str | None = None,
                  username: str = "", notice: str | None = None,
                  template: str = "sign_in.html", **context: object) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, template, status_code=status_code, title="Sign in",
                    login_csrf=token, error=error, username=username, notice=notice,
                    **context)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/sign-in",
                        httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.get("/sign-in", dependencies=[PUBLIC])
def sign_in_form(request: Request, expired: bool = False, signed_out: bool = False
                 ) -> Response:
    notice = NOTICES["expired"] if expired else NOTICES["signed_out"] if signed_out else None
    return _sign_in_page(request, notice=notice)


@router.post("/sign-in", dependencies=[PUBLIC])
def sign_in(request: Request, register: RegisterDep,
            username: Annotated[str, Form(max_length=64)] = "",
            password: Annotated[str, Form(max_length=1024)] = "",
            login_csrf: Annotated[str, Form(max_length=64)] = "",
            totp_code: Annotated[str, Form(max_length=16)] = "") -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), login_csrf.encode()):
        return _sign_in_page(request, status_code=status.HTTP_403_FORBIDDEN,
                             error="The sign-in form had expired. Please try again.")
    try:
        if not totp_code.strip():
            return _enrolment_page(request, register, username, password)
        signed = accounts.login(register.unit_of_work, username=username, password=password,
                                totp_code=totp_code)
    except accounts.LoginFailed:
        return _sign_in_page(request, status_code=status.HTTP_401_UNAUTHORIZED,
                             error=accounts.SIGN_IN_FAILED, username=username[:64])
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    lifetime = int((signed.absolute_expiry - datetime.now(UTC)).total_seconds())
    response.set_cookie(SESSION_COOKIE, signed.token, max_age=max(lifetime, 0), path="/",
                        httponly=True, samesite="strict", secure=_secure(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/sign-in")
    return response


def _enrolment_page(request: Request, register: RegisterDep, username: str,
                    password: str) -> Response:
    """The QR code and secret, for an account whose authenticator is not enrolled yet
    (LoginFailed otherwise, with the one message)."""
    new = accounts.begin_enrolment(register.unit_of_work, username=username, password=password)
    qr = segno.make(new.provisioning_uri, error="m")
    secret = " ".join(new.totp_secret[i:i + 4] for i in range(0, len(new.totp_secret), 4))
    return _sign_in_page(request, template="enrol.html", username=new.username,
                         qr_svg=qr.svg_inline(scale=5, border=4, light="#fff",
                                              title="Authenticator enrolment QR code"),
                         secret_groups=secret)


@router.post("/sign-out")
def sign_out(request: Request, register: RegisterDep, caller: CurrentPageCaller,
             _: Annotated[Actor, require(Permission.SELF)]) -> Response:
    accounts.logout(register.unit_of_work, caller.session_token)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


@router.get("/")
def home(request: Request, actor: Annotated[Actor, require(Permission.SELF)]) -> Response:
    """The start page: the pages the role may use."""
    return page(request, "home.html", title="Start")
