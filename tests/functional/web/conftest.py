"""Fixtures of the page tests: the API tests' register (tests/functional/api/api_support,
both backends) for HTTP-level tests, and a served register with a browser (web_support)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "api"))  # api_support, shared

import pytest
from api_support import api, fast_password_hashing, postgres_admin  # noqa: F401
from pages import PageSessions
from web_support import browser, page, served  # noqa: F401


@pytest.fixture(scope="module")
def pages(api) -> PageSessions:  # noqa: F811 - the api fixture imported above
    return PageSessions(api)
