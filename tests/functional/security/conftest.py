"""Fixtures of the attack tests: the web API register of tests/functional/api (its
bundle, users and signed-in sessions), reused so both suites attack the same thing."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))

from api_support import api, fast_password_hashing, postgres_admin  # noqa: F401
