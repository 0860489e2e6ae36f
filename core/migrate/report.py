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
    targets: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    stages: set[str] = field(default_factory=set)
    # Mapped somewhere without a reason of its own: the reason then lists the targets.
    plain: bool = False

    @property
    def target(self) -> str | None:
        return self.targets[0] if self.targets else None

    @target.setter
    def target(self, value: str | None) -> None:
        self.targets = [value] if value else []

    @property
    def reason(self) -> str:
        becomes = ["becomes " + ", ".join(self.targets)] if self.targets and (self.plain or not self.reasons) else []
        return "; ".join([*becomes, *self.reasons]) or self.status

    @reason.setter
    def reason(self, value: str) -> None:
        self.reasons = [value]

    def to_json(self) -> dict[str, str | None]:
        return {"source_key": self.source_key, "status": self.status, "target": self.target, "reason": self.reason}


class Report:
    """Entries keyed by source key: recording a key twice folds the two into one entry.

    A key shared by several stages (a Zappa template, a Serverless `provider.memorySize`) or several
    functions is seen more than once; the folded entry keeps the most severe status, every target
    and every distinct reason.
    """

    def __init__(self) -> None:
        self._entries: dict[str, ReportEntry] = {}

    def mapped(self, key: str, target: str, reason: str = "", *, stage: str | None = None) -> None:
        self.add(key, "mapped", target, reason, stage=stage)

    def warn(self, key: str, reason: str, target: str | None = None, *, stage: str | None = None) -> None:
        self.add(key, "warn", target, reason, stage=stage)

    def info(self, key: str, reason: str, target: str | None = None, *, stage: str | None = None) -> None:
        self.add(key, "info", target, reason, stage=stage)

    def add(self, key: str, status: Status, target: str | None, reason: str, *, stage: str | None = None) -> None:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = ReportEntry(key, status)
        elif _SEVERITY[status] > _SEVERITY[entry.status]:
            entry.status = status
        if target and target not in entry.targets:
            entry.targets.append(target)
        if reason and reason not in entry.reasons:
            entry.reasons.append(reason)
        elif not reason and status == "mapped":
            entry.plain = True
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
