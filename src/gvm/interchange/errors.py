"""Import problems: where a bundle is wrong, never what personal data it holds.

A `Problem` names the file (or workbook sheet), the spreadsheet row (the header is row 1,
the first data row is row 2, counted in CSV records rather than physical lines) and the
column, and says what was expected. Messages never repeat the offending value: a bad cell
may hold a name, a date of birth or an intelligence summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from gvm.domain.errors import GvmError

MAX_PROBLEMS = 50
"""Reading stops once this many problems are found; nothing is imported either way."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str  # "people.csv", or "sheet people" in a workbook
    row: int | None  # spreadsheet row number; None for a problem with the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class BundleError(GvmError):
    """A bundle was rejected (SPEC 4: all or nothing). `problems` lists what is wrong."""

    def __init__(self, problems: list[Problem], *, truncated: bool = False) -> None:
        self.problems = list(problems)
        self.truncated = truncated
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.truncated:
            lines.append(f"(stopped after {len(self.problems)} problems; there may be more)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


class TooManyProblems(Exception):
    """Raised by `ProblemLog` to stop reading once the limit is reached."""


class ProblemLog:
    """Collects problems; raises `TooManyProblems` at the limit.

    While `held` is a list, problems go there instead, each with the value `mark` had
    when it was added, to be replayed in order with `add` later (a reader that looks
    ahead uses this to keep problems in row order)."""

    __slots__ = ("held", "limit", "mark", "problems", "truncated")

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.problems: list[Problem] = []
        self.limit = limit
        self.truncated = False
        self.held: list[tuple[int, Problem]] | None = None
        self.mark = 0

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        if self.held is not None:
            self.held.append((self.mark, Problem(file, row, column, message)))
            return
        self.problems.append(Problem(file, row, column, message))
        if len(self.problems) >= self.limit:
            self.truncated = True
            raise TooManyProblems

    def __bool__(self) -> bool:
        return bool(self.problems)

    def error(self) -> BundleError:
        return BundleError(self.problems, truncated=self.truncated)
