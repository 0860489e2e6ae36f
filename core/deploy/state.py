"""What apply learns as it runs: a typed bag, so no provider's ids (an API id, an operation name) live in core.

A provider declares the facts its steps hand each other as typed keys, once, next to the steps:

    API_ID = StateKey[str]("api id")
    ...
    state.learn(API_ID, created["ApiId"])      # in the step that creates the API
    api = state.get(API_ID)                     # in a later step (None when not learned this run)

mypy checks that a value learned under a key has the key's type, and that what `get` returns does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class StateKey(Generic[T]):
    """The name and type of one fact a step learns. Compared by identity: two keys never clash."""

    name: str

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


def new_deploy_id(now: datetime | None = None) -> str:
    """The id of one deploy: a UTC timestamp to the microsecond, so ids sort in deploy order."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


@dataclass
class ApplyState:
    """What one apply (or undeploy) learns as it goes.

    `versions` maps a function key to the version its step published; `url` is the address a front
    door step reported; `outputs` are strings shown to the user in the deploy result; anything else
    a step hands a later step goes through `learn` / `get` with a typed `StateKey`.
    """

    deploy_id: str = field(default_factory=new_deploy_id)
    versions: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    _facts: dict[StateKey[Any], Any] = field(default_factory=dict, repr=False)

    def learn(self, key: StateKey[T], value: T) -> None:
        """Record `value` under `key` for the steps that run later in this apply."""
        self._facts[key] = value

    def get(self, key: StateKey[T]) -> T | None:
        """The value learned under `key` in this apply, or None."""
        return cast("T | None", self._facts.get(key))

    def require(self, key: StateKey[T]) -> T:
        """The value learned under `key`; a step that needs it and runs before it is a provider bug."""
        if key not in self._facts:
            raise LookupError(f"no {key.name} was learned before this step (plan order is wrong)")
        return cast("T", self._facts[key])
