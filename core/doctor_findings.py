"""`Diagnosis`: one finding of `faas doctor`, from core's checks or a provider's `diagnose()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Diagnosis:
    """One thing `faas doctor` checked: what it found and, unless `ok`, what to do about it."""

    provider: str
    check: str
    """What was checked, in a few words: "credentials", "package size", "timeout", "python"."""
    message: str
    action: str = ""
    """What to do; empty when `ok`."""
    ok: bool = False

    def line(self) -> str:
        """One line: `aws credentials: no AWS credentials found -> run aws configure`."""
        action = f" -> {self.action}" if self.action and not self.ok else ""
        return f"{self.provider} {self.check}: {self.message}{action}"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "check": self.check,
            "message": self.message,
            "action": self.action,
            "ok": self.ok,
        }
