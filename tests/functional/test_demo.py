"""`gvm demo` builds, scores and hands over the demo users (README's first command)."""

from __future__ import annotations

import re

import pyotp

from gvm.cli.demo_users import DEMO_USERS


def test_demo_builds_scores_and_prints_users(tmp_path):
    from tests.functional.conftest import Gvm

    gvm = Gvm(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path)
    run = gvm("demo", "--no-serve", "--as-of", "2026-09-30")
    out = run.stdout
    assert "London" in out and "Red" in out and "Zero" in out
    total = int(re.search(r"^│ London\s+│(?:\s*\d+\s*│){4}\s*(\d+)", out, re.M).group(1))
    assert 3000 <= total <= 4600  # about 3,800 eligible, as the published Matrix
    for username in ("lead.southwark", "analyst.force", "partner.yos", "dpo", "admin"):
        assert username in out
    secrets = re.findall(r"\b([A-Z2-7]{32})\b", out)
    assert len(secrets) == 6 and pyotp.TOTP(secrets[0]).now().isdigit()
    assert "http://127.0.0.1:8000/" in out  # where the web pages are
    # Run again: the import is idempotent, the users get fresh TOTP secrets; on an
    # 80-column terminal every password and secret is still printed whole.
    gvm.env["COLUMNS"] = "80"
    again = gvm("demo", "--no-serve", "--as-of", "2026-09-30").stdout
    fresh = re.findall(r"\b([A-Z2-7]{32})\b", again)
    assert len(fresh) == 6 and set(fresh).isdisjoint(secrets)
    for user in DEMO_USERS:
        assert f"password {user.password} " in again, user.username
