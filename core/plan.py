"""Plans: what a deploy (or undeploy) would change, as frozen actions that print as a diff.

A provider's `plan()` makes only read-only calls and returns a `Plan`; `apply()` carries it out.
`faas plan` and `faas deploy --dry-run` print it; an empty plan means "no changes".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic

from typing_extensions import TypeVar

from faas.core.deploy.engine import Step

# Covariant: the action is frozen, and a list of actions holds steps of many kinds.
PayloadT_co = TypeVar("PayloadT_co", default=Step[Any], covariant=True)


class Change(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


_SYMBOLS = {Change.CREATE: "+", Change.UPDATE: "~", Change.DELETE: "-"}


@dataclass(frozen=True)
class Action(Generic[PayloadT_co]):
    """One change to one resource.

    `details` are (field, old, new) triples shown in the diff (never a secret value: see
    `faas.environment_diff`); `payload` is the `Step` that carries the action out (not shown, not
    compared), run by `faas.apply_plan` / `faas.undeploy_plan`. A provider that carries out its
    plans itself, without the engine, may type it otherwise (`Action[int]`).
    """

    change: Change
    resource: str
    name: str
    details: tuple[tuple[str, str, str], ...] = ()
    payload: PayloadT_co | None = field(default=None, compare=False, repr=False)

    def render(self) -> list[str]:
        lines = [f"{_SYMBOLS[self.change]} {self.change.value:<6}  {self.resource}  {self.name}"]
        lines += [f"      {name}: {old or '(none)'} -> {new or '(none)'}" for name, old, new in self.details]
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change.value,
            "resource": self.resource,
            "name": self.name,
            "details": [{"field": f, "old": old, "new": new} for f, old, new in self.details],
        }


@dataclass(frozen=True)
class Observed:
    """What the plan saw deployed: what a deploy that changes nothing reports."""

    url: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Plan:
    """All the actions one deploy or undeploy would take, in the order they run."""

    provider: str
    stage: str
    actions: tuple[Action[Any], ...] = ()
    notes: tuple[str, ...] = ()
    observed: Observed = field(default_factory=Observed, compare=False, repr=False)

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def count(self, change: Change) -> int:
        return sum(1 for action in self.actions if action.change is change)

    def summary(self) -> str:
        if self.is_empty:
            return "no changes"
        parts = [f"{self.count(change)} to {change.value}" for change in Change if self.count(change)]
        return ", ".join(parts)

    def render(self) -> list[str]:
        lines = [line for action in self.actions for line in action.render()]
        lines += [f"note: {note}" for note in self.notes]
        lines.append(f"Plan for {self.provider} stage {self.stage}: {self.summary()}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "stage": self.stage,
            "summary": self.summary(),
            "actions": [action.to_json() for action in self.actions],
            "notes": list(self.notes),
        }
