"""The person ids of a streamed bundle, for the references of the tables after people.csv,
held compactly: one sorted numpy array of the ids' UTF-8 bytes (the width of the longest
id each: 8 MB for a million ids of 8 characters) instead of a dict of strings (about
100 bytes each). A table that refers to people is read in parts, and each part's
distinct ids are looked up at once (`resolve`), which gives the validators the small
dict they expect. The ids in file order go to a file, read back for the audit record
once the bundle has proved valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

_RUN = 65_536  # ids gathered before they are packed


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")  # one-to-one, whatever the text


class KnownIds:
    """Filled like the dict it replaces (`known[pid] = pid`, first occurrences only),
    then `finish()`ed before the first lookup."""

    def __init__(self, order_file: Path) -> None:
        self._pending: list[str] = []
        self._runs: list[np.ndarray] = []
        self._order_file = order_file
        self._order = order_file.open("w", encoding="utf-8", errors="surrogatepass",
                                      newline="\n")
        self._ids = np.array([], dtype="S1")
        self._count = 0

    def __setitem__(self, key: str, value: str) -> None:
        self._pending.append(key)
        if len(self._pending) >= _RUN:
            self._pack()

    def extend(self, ids: Iterable[str]) -> None:
        self._pending.extend(ids)
        if len(self._pending) >= _RUN:
            self._pack()

    def _pack(self) -> None:
        if self._pending:
            # ids never hold line breaks (control characters make an id invalid)
            self._order.write("\n".join(self._pending) + "\n")
            self._runs.append(np.array([_bytes(v) for v in self._pending], dtype=np.bytes_))
            self._count += len(self._pending)
            self._pending = []

    def finish(self) -> None:
        self._pack()
        self._order.close()
        runs, self._runs = self._runs, []
        if runs:
            self._ids = np.sort(np.concatenate(runs))

    def __len__(self) -> int:
        return self._count

    def resolve(self, values: Iterable[str]) -> dict[str, str]:
        """Those of `values` that are known ids, each mapped to itself."""
        ids = self._ids
        width = ids.dtype.itemsize
        if not len(ids):
            return {}
        # A NUL would be taken for the array's padding; known ids never hold one, nor
        # an id longer than the longest known.
        candidates = [(v, b) for v in values if "\x00" not in v
                      and len(b := _bytes(v)) <= width]
        if not candidates:
            return {}
        wanted = np.array([b for _, b in candidates], dtype=ids.dtype)
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        hits = ids[at] == wanted
        return {v: v for (v, _), hit in zip(candidates, hits.tolist(), strict=True) if hit}

    def in_file_order(self) -> str:
        """Every id added, in the order added, each followed by a line break (after
        `finish`): one string, a tenth of the memory of as many strings."""
        with self._order_file.open(encoding="utf-8", errors="surrogatepass",
                                   newline="\n") as f:
            return f.read()

    def close(self) -> None:
        if not self._order.closed:
            self._order.close()
