"""Route non-HTTP events (schedules, storage, queues, topics) to the user's functions.

The platform modules recognise an event and describe it as an :class:`EventSource`; the
:class:`Dispatcher` finds the function whose trigger (from ``faas_runtime.json``) matches it and
calls it as ``fn(event, context)``. Functions are imported on first use, so a cold start that
serves one function never imports the others.
"""

from __future__ import annotations

import importlib

from faas.adapters.errors import AppImportError, ConfigError, UnroutableEventError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["Dispatcher", "EventSource", "FunctionSpec", "import_entry"]


def import_entry(entry: str) -> Any:
    """Import ``"package.module:attr.path"`` and return the attribute.

    ``"package.module:factory()"`` calls the attribute with no argument and returns what it
    returns: an app factory (Flask's ``create_app``), called once per process, as gunicorn does.
    """
    module_name, sep, attr_path = entry.partition(":")
    factory = attr_path.endswith("()")
    attr_path = attr_path.removesuffix("()")
    if not sep or not module_name or not attr_path:
        raise ConfigError(f"entry {entry!r} is not of the form 'module:attribute'")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        # The user's traceback, not this frame's: it is what says which line imports what.
        raise AppImportError(entry, module_name, exc).with_traceback(exc.__traceback__) from None
    for part in attr_path.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ConfigError(f"{module_name!r} has no attribute {attr_path!r}") from None
    if factory:
        if not callable(target):
            raise ConfigError(f"entry {entry!r}: {module_name}.{attr_path} is not callable, so it is no app factory")
        target = target()
    return target


class EventSource:
    """A recognised non-HTTP event, in neutral terms.

    ``kind`` is ``schedule`` (name: the trigger's ``name`` in faas_runtime.json, i.e. the rule, job or
    function the provider created), ``storage`` (name: bucket, key, action
    ``created``/``deleted``), ``queue`` (name: queue) or ``topic`` (name: topic).
    """

    __slots__ = ("action", "key", "kind", "name")

    def __init__(self, kind: str, name: str, key: str = "", action: str = "") -> None:
        self.kind = kind
        self.name = name
        self.key = key
        self.action = action

    def __repr__(self) -> str:
        return f"EventSource({self.kind!r}, {self.name!r}, key={self.key!r}, action={self.action!r})"

    def seen(self) -> dict[str, str]:
        """What was seen, for error messages."""
        seen = {"name": self.name}
        if self.key:
            seen["key"] = self.key
        if self.action:
            seen["action"] = self.action
        return seen


class FunctionSpec:
    """One user function from ``faas_runtime.json``: its entry and triggers."""

    __slots__ = ("_target", "entry", "name", "triggers")

    def __init__(self, name: str, entry: str, triggers: list[dict[str, Any]] | None = None) -> None:
        self.name = name
        self.entry = entry
        self.triggers = triggers or []
        self._target: Callable[..., Any] | None = None

    def load(self) -> Callable[..., Any]:
        """The user's callable, imported on first use."""
        if self._target is None:
            target = import_entry(self.entry)
            if not callable(target):
                raise ConfigError(f"function {self.name!r}: {self.entry!r} is not callable")
            self._target = target
        return self._target

    def matches(self, source: EventSource) -> bool:
        """True when one of this function's triggers accepts ``source``."""
        return any(_trigger_matches(trigger, source) for trigger in self.triggers)

    def wants_object(self, source: EventSource) -> bool:
        """True when one of this function's storage triggers wants the object event ``source``,
        whatever its bucket: for a platform that filters by bucket only (Eventarc), and whose
        function was deployed for one trigger, the event, prefix and suffix are still ours to check."""
        return any(t.get("type") == "storage" and _object_matches(t, source) for t in self.triggers)


def _object_matches(trigger: Mapping[str, Any], source: EventSource) -> bool:
    events = trigger.get("events") or ["created"]
    return (
        source.action in events
        and source.key.startswith(trigger.get("prefix") or "")
        and source.key.endswith(trigger.get("suffix") or "")
    )


def _trigger_matches(trigger: Mapping[str, Any], source: EventSource) -> bool:
    kind = trigger.get("type")
    if source.kind == "storage":
        return kind == "storage" and trigger.get("bucket") == source.name and _object_matches(trigger, source)
    if source.kind in ("queue", "topic"):
        # A neutral "queue" trigger is a Pub/Sub topic on GCP and may be an SNS topic on AWS.
        return (kind == "queue" and trigger.get("queue") == source.name) or (
            kind == "topic" and trigger.get("topic") == source.name
        )
    if source.kind == "schedule":
        return kind == "schedule" and bool(source.name) and trigger.get("name") == source.name
    return False


class Dispatcher:
    """Finds and calls the user function for an event."""

    def __init__(self, functions: Mapping[str, FunctionSpec], platform: str = "") -> None:
        self.functions = dict(functions)
        self.platform = platform

    @classmethod
    def from_config(cls, functions: Mapping[str, Any], platform: str = "") -> Dispatcher:
        """Build from the ``functions`` object of ``faas_runtime.json``."""
        specs: dict[str, FunctionSpec] = {}
        for name, spec in functions.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("entry"), str):
                raise ConfigError(f"function {name!r} has no 'entry' string").on_platform(platform)
            triggers = spec.get("triggers") or []
            if not isinstance(triggers, list) or not all(isinstance(trigger, dict) for trigger in triggers):
                raise ConfigError(f"function {name!r}: 'triggers' is not a list of objects").on_platform(platform)
            specs[name] = FunctionSpec(name, spec["entry"], list(triggers))
        return cls(specs, platform)

    def get(self, name: str) -> FunctionSpec:
        """The function called ``name``; UnroutableEventError naming the known ones otherwise."""
        spec = self.functions.get(name)
        if spec is None:
            known = ", ".join(sorted(self.functions)) or "none"
            raise UnroutableEventError("function", {"name": name, "known": known}, self.platform)
        return spec

    def call(self, name: str, event: Any, context: Any) -> Any:
        """Call the function ``name`` with ``event``."""
        return self.load(name)(event, context)

    def load(self, name: str) -> Callable[..., Any]:
        """The user callable of function ``name``, imported on first use."""
        try:
            return self.get(name).load()
        except ConfigError as error:
            error.on_platform(self.platform)
            raise

    def match(self, source: EventSource) -> FunctionSpec:
        """The function whose trigger matches ``source``.

        A schedule names its trigger: the event carries the rule or job the provider created, and
        faas_runtime.json gives each trigger that ``name``. An event naming no trigger of the
        project (a hand-made test event) goes to the project's only scheduled function, if it has one.
        """
        for spec in self.functions.values():
            if spec.matches(source):
                return spec
        if source.kind == "schedule":
            scheduled = [
                spec for spec in self.functions.values() if any(t.get("type") == "schedule" for t in spec.triggers)
            ]
            if len(scheduled) == 1:
                return scheduled[0]
        raise UnroutableEventError(source.kind, source.seen(), self.platform)

    def route(self, source: EventSource, event: Any, context: Any) -> Any:
        """Call the function matching ``source`` with ``event``."""
        return self.load(self.match(source).name)(event, context)
