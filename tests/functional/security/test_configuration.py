"""Outside dev mode the service is configured for a network (R-ACCESS): cookies are
Secure, and `gvm serve` in dev mode refuses any interface but loopback."""

from __future__ import annotations

import os
import subprocess
import sys

import pyotp
from fastapi.testclient import TestClient

from gvm.api.app import create_app
from gvm.authz import Role
from gvm.bootstrap import bootstrap
from gvm.config import Mode, Settings
from gvm.services.accounts import create_user

STRONG = "k3V9q-7sX2mN8pL4rT6wY1zB5cD0fG9hJ"


def test_production_session_cookies_are_secure(tmp_path):
    register = bootstrap(Settings(mode=Mode.PRODUCTION, secret_key=STRONG,
                                  database_url=f"sqlite:///{tmp_path / 'r.db'}"))
    try:
        new = create_user(register.unit_of_work, username="prod_user",
                          password="correct horse battery staple", role=Role.DPO)
        with TestClient(create_app(register)) as client:
            r = client.post("/api/v1/auth/login", json={
                "username": "prod_user", "password": "correct horse battery staple",
                "totp_code": pyotp.TOTP(new.totp_secret).now()})
        assert r.status_code == 200
        cookie = r.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    finally:
        register.close()


def test_dev_mode_serve_refuses_a_network_interface(tmp_path):
    env = {**os.environ, "GVM_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
           "GVM_MODE": "dev", "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "gvm", "serve", "--host", "0.0.0.0",
                          "--port", "1"], env=env, capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode != 0
    assert "--host: dev mode serves only on loopback" in run.stderr
    assert "Traceback" not in run.stderr
