"""Errors in a delivery: they name the file, and where known the row and the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datdai.kernel.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    row: int | None = None  # the row as a user sees it (spreadsheet row, or feature number)
    field: str | None = None

    def render(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.field:
            where.append(f"cột '{self.field}'")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass
class DeliveryError(InvalidInput):
    """A delivery that cannot be read as it is (exit code 2). Nothing is stored from it."""

    file: str | Path
    message: str
    problems: list[Problem] = field(default_factory=list)
    shown: int = 20
    omitted: int = 0  # further problems found but not kept in ``problems``

    def __post_init__(self) -> None:
        Exception.__init__(self, str(self))

    def __str__(self) -> str:
        head = f"tệp '{self.file}': {self.message}"
        if not self.problems:
            return head
        lines = [head] + [f"  - {p.render()}" for p in self.problems[: self.shown]]
        more = max(len(self.problems) - self.shown, 0) + self.omitted
        if more:
            lines.append(f"  … và {more} lỗi khác / and {more} more")
        return "\n".join(lines)


class ProblemCollector:
    """Collects the problems of one file; keeps the first ``limit`` and counts the rest."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.problems: list[Problem] = []
        self.omitted = 0

    def __len__(self) -> int:
        return len(self.problems) + self.omitted

    def add(self, message: str, row: int | None = None, field: str | None = None) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(message, row, field))
        else:
            self.omitted += 1

    def add_many(self, rows, values, field: str | None, message: str) -> None:
        """One problem per row; ``message`` may use ``{value}`` (the value as found)."""
        room = max(self.limit - len(self.problems), 0)
        rows, values = list(rows), list(values)
        for row, value in zip(rows[:room], values[:room]):
            shown = "(trống)" if value is None or value == "" else value
            self.problems.append(Problem(message.format(value=shown), int(row), field))
        self.omitted += max(len(rows) - room, 0)

    def raise_if_any(self, file: str | Path, message: str) -> None:
        if len(self):
            raise DeliveryError(file, message, list(self.problems), omitted=self.omitted)
