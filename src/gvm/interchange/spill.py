"""The folder where a streamed import spills what its rows are compared with (ledger.py):
keys and rows of the bundle, so personal data, kept in the system's temporary directory
readable by this user only (mkdtemp's 0700) and removed when the read ends, however it
ends. A process killed outright (SIGKILL, a power cut) cannot remove its own, so each
folder is named by the process that made it, and the next import removes those whose
process is gone (R-RETENTION: no copy of the data outlives its use)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "gvm-import-"


def spill_folder() -> tempfile.TemporaryDirectory[str]:
    """A new spill folder (removed when the context ends), after removing stale ones."""
    remove_stale()
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-")


def remove_stale(root: Path | None = None) -> list[Path]:
    """Remove the spill folders under `root` (the temporary directory) whose process is
    no longer running; the folders removed."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and pid.isdigit() and not _running(
                int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running, and not ours to judge
        return True
    return True
