"""`gvm serve` runs the API under uvicorn over the configured register."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gvm_serve_answers_health_with_security_headers(tmp_path):
    port = _free_port()
    env = {**os.environ, "GVM_DATABASE_URL": f"sqlite:///{tmp_path / 'register.db'}",
           "GVM_MODE": "dev", "HOME": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "gvm", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, body, headers = time.monotonic() + 30, None, None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health",
                                            timeout=2) as r:
                    body, headers = json.load(r), r.headers
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.2)
        assert body is not None and body["status"] == "ok"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "server" not in {k.lower() for k in headers}
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def test_start_up_freezes_what_lives_as_long_as_the_process(api):
    """The objects loaded at start-up are kept out of the collector's full passes, which
    stalled every request in flight for 200+ ms (docs/PERFORMANCE.md)."""
    import gc

    from fastapi.testclient import TestClient

    from gvm.api.app import create_app

    gc.unfreeze()
    with TestClient(create_app(api.register)):
        assert gc.get_freeze_count() > 0
