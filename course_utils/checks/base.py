"""What every check returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: ``passed`` (True/False, None when not attempted) and a message."""

    passed: bool | None
    message: str

    def __str__(self) -> str:
        mark = {True: "✅ Correct", False: "❌ Not yet", None: "✏️ Not attempted yet"}[self.passed]
        return f"{mark}: {self.message}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def __bool__(self) -> bool:
        return bool(self.passed)


def not_attempted(answer: Any) -> bool:
    """True for a blank answer: ``None`` or ``...`` (Ellipsis)."""
    return answer is None or answer is Ellipsis


def attempted_or_result(answer: Any, what: str) -> CheckResult | None:
    """A "not attempted" result for a blank answer, else None (go on checking)."""
    if not_attempted(answer):
        return CheckResult(None, f"fill in {what} and run the cell again.")
    return None
