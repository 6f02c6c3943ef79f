"""Errors the use cases raise for the callers to map (the API: 404 and 403)."""

from __future__ import annotations

from gvm.domain.errors import GvmError


class NotFound(GvmError):
    """No such record, or one outside the actor's scope: the two are not told apart, so a
    refusal never reveals that a record exists (R-ACCESS)."""


class Forbidden(GvmError):
    """The actor's role does not carry the permission the operation needs."""
