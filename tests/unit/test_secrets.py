"""No secret in the repository: every tracked file is scanned for private keys and for
tokens of the kinds a developer might paste (gvm's own API tokens, cloud and code-host
keys). Test fixtures use obviously fake values that match none of these."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Written in two parts so that this file does not match itself.
PATTERNS = {
    "private key": re.compile("-----BEGIN ([A-Z]+ )?" + "PRIVATE KEY-----"),
    "gvm API token": re.compile(r"\bgvm" + r"_[A-Za-z0-9_-]{43}\b"),
    "AWS access key": re.compile(r"\bAKIA" + r"[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]" + r"_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]" + r"-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza" + r"[0-9A-Za-z_-]{35}\b"),
    "PyPI token": re.compile(r"\bpypi-" + r"[A-Za-z0-9_-]{50,}"),
    "TOTP enrolment URI": re.compile(r"otpauth://totp/[^\s\"']*secret=" + r"[A-Z2-7]{16,}"),
}


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def test_patterns_catch_what_they_are_for():
    samples = {"private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
               "gvm API token": "gvm" + "_" + "A" * 43,
               "AWS access key": "AKIA" + "ABCDEFGHIJKLMNOP"}
    for name, sample in samples.items():
        assert PATTERNS[name].search(sample)


def test_no_tracked_file_holds_a_secret():
    files = tracked_files()
    assert len(files) > 50  # the scan really ran over the repository
    found = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        found += [f"{path.relative_to(ROOT)}: {name}" for name, pattern in PATTERNS.items()
                  if pattern.search(text)]
    assert found == []


def test_no_environment_or_key_files_are_tracked():
    names = {p.name for p in tracked_files()}
    assert not names & {".env", "id_rsa", "id_ed25519", ".pypirc", ".netrc"}
    assert not [n for n in names if n.endswith((".pem", ".key", ".p12", ".pfx"))]
