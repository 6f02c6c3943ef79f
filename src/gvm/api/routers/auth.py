"""Signing in (password and TOTP code) and out; who am I."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Response, status

from gvm.api.deps import PUBLIC, SESSION_COOKIE, CurrentCaller, RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.auth import LoginIn, LoginOut, UserOut
from gvm.authz import ROLE_PERMISSIONS, Actor, Permission
from gvm.config import Mode
from gvm.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])


def user_out(actor: Actor) -> UserOut:
    granted = ROLE_PERMISSIONS[actor.role]
    if actor.token_scopes is not None:
        granted = granted & actor.token_scopes
    return UserOut.of(actor, sorted(p.value for p in granted))


@router.post("/login", dependencies=[PUBLIC], response_model=LoginOut,
             responses=error_responses(401, 422), summary="Sign in")
def login(body: LoginIn, response: Response, register: RegisterDep) -> LoginOut:
    """Password and authenticator code. Sets the session cookie (HttpOnly, SameSite=Strict,
    Secure outside dev mode) and returns the CSRF token for unsafe requests. Every refusal
    is the same 401, whatever the cause."""
    signed = accounts.login(register.unit_of_work, username=body.username,
                            password=body.password, totp_code=body.totp_code)
    lifetime = int((signed.absolute_expiry - datetime.now(UTC)).total_seconds())
    response.set_cookie(SESSION_COOKIE, signed.token, max_age=max(lifetime, 0), path="/",
                        httponly=True, samesite="strict",
                        secure=register.settings.mode is not Mode.DEV)
    return LoginOut(csrf_token=signed.csrf_token, expires_at=signed.absolute_expiry,
                    user=user_out(signed.actor))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT,
             dependencies=[require(Permission.SELF)],
             responses=error_responses(401, 403), summary="Sign out")
def logout(caller: CurrentCaller, register: RegisterDep) -> Response:
    """Ends the session (an API token is revoked by an administrator, not here)."""
    if caller.session_token is not None:
        accounts.logout(register.unit_of_work, caller.session_token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=register.settings.mode is not Mode.DEV)
    return response


@router.get("/me", response_model=UserOut, responses=error_responses(401, 403),
            summary="The signed-in user")
def me(actor: Annotated[Actor, require(Permission.SELF)]) -> UserOut:
    return user_out(actor)
