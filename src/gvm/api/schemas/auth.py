"""Signing in and out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from gvm.api.schemas.common import Request, Text
from gvm.authz import Actor


class LoginIn(Request):
    username: Text = Field(min_length=1, max_length=100)
    password: Text = Field(min_length=1, max_length=1024)
    totp_code: str = Field(pattern=r"^[0-9]{6}$", description="The authenticator app's code")


class UserOut(BaseModel):
    user_id: int
    username: str
    role: str
    borough_code: str | None
    organisation: str | None
    permissions: list[str]

    @classmethod
    def of(cls, actor: Actor, permissions: list[str]) -> UserOut:
        return cls(user_id=actor.user_id, username=actor.username, role=actor.role.value,
                   borough_code=actor.borough_code, organisation=actor.organisation,
                   permissions=permissions)


class LoginOut(BaseModel):
    csrf_token: str = Field(description="Send as X-CSRF-Token with every POST, PUT, PATCH "
                            "and DELETE made with the session cookie")
    expires_at: datetime
    user: UserOut
