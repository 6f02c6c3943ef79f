"""Fixtures of the web API tests; see api_support."""

from api_support import api, fast_password_hashing, postgres_admin  # noqa: F401 - fixtures
