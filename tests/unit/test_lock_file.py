"""Dependencies are pinned: requirements.lock (pip-compile over pyproject.toml's main and
test dependencies) pins an exact version of every one of them, so a deployment installs
what was tested (docs/SECURITY.md says how to refresh it and audit it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_declared_dependency_is_pinned_in_the_lock_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]
                ["test"]}
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.lock")
                             .read_text(), re.M))
    pinned = {k.lower().replace("_", "-"): v for k, v in pinned.items()}
    assert declared and not declared - set(pinned), sorted(declared - set(pinned))
