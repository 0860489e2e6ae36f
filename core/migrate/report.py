"""The import report: every key of the source lands in exactly one entry.

An entry is `mapped` (it became the faas key `target`), `warn` (it does not carry over as it was:
the reason says why and `target` names the nearest faas equivalent, if any) or `info` (safe to drop,
still listed so nothing disappears silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["mapped", "warn", "info"]
_SEVERITY: dict[Status, int] = {"info": 0, "mapped": 1, "warn": 2}


@dataclass
class ReportEntry:
    """What became of one source key."""

    source_key: str
    status: Status
    target: str | None
    reason: str
    stages: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, str | None]:
        return {"source_key": self.source_key, "status": self.status, "target": self.target, "reason": self.reason}


class Report:
    """Entries keyed by source key: recording a key twice folds the two into one entry.

    A key shared by several stages (a Zappa template, a Serverless `provider.memorySize`) is seen
    once per stage; the folded entry keeps the most severe status and every distinct reason.
    """

    def __init__(self) -> None:
        self._entries: dict[str, ReportEntry] = {}

    def mapped(self, key: str, target: str, reason: str = "", *, stage: str | None = None) -> None:
        self.add(key, "mapped", target, reason or f"becomes {target}", stage=stage)

    def warn(self, key: str, reason: str, target: str | None = None, *, stage: str | None = None) -> None:
        self.add(key, "warn", target, reason, stage=stage)

    def info(self, key: str, reason: str, target: str | None = None, *, stage: str | None = None) -> None:
        self.add(key, "info", target, reason, stage=stage)

    def add(self, key: str, status: Status, target: str | None, reason: str, *, stage: str | None = None) -> None:
        existing = self._entries.get(key)
        if existing is None:
            entry = ReportEntry(key, status, target, reason)
            self._entries[key] = entry
        else:
            entry = existing
            if _SEVERITY[status] > _SEVERITY[entry.status]:
                entry.status = status
            entry.target = entry.target or target
            if reason and reason not in entry.reason.split("; "):
                entry.reason = f"{entry.reason}; {reason}" if entry.reason else reason
        if stage is not None:
            entry.stages.add(stage)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    @property
    def entries(self) -> list[ReportEntry]:
        return list(self._entries.values())

    def counts(self) -> dict[Status, int]:
        totals: dict[Status, int] = {"mapped": 0, "warn": 0, "info": 0}
        for entry in self._entries.values():
            totals[entry.status] += 1
        return totals
