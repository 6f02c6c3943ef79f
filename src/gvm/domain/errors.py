"""Domain errors: each names what is wrong, never the personal data involved."""

from __future__ import annotations


class GvmError(Exception):
    """Base of every error gvm raises on purpose."""


class PolicyError(GvmError):
    """A scoring policy file is invalid."""


class NotEligible(GvmError):
    """A person does not meet the inclusion threshold (R-THRESHOLD)."""
