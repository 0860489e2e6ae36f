"""Build the platform entry point from ``faas_runtime.json`` (see docs/runtime-contract.md).

The generated entry module is three lines::

    from faas.adapters.bootstrap import build
    handler = build("aws")          # faas_entry.py; "gcp" in main.py; app = build("azure")

``build(platform)`` reads the runtime settings and hands a :class:`Runtime` to the platform's
bootstrap, found in a registry: the built-in platforms register here, a third-party adapter calls
:func:`register_platform` or declares an entry point in the ``faas.platforms`` group (looked up
only for a platform the registry does not know, so the built-ins never pay for the scan).

Cold start: the web app is imported inside ``build()``, i.e. during the platform's init phase,
not on the first request. Lambda runs init before the first invocation (with the CPU burst it
gives init), provisioned concurrency and SnapStart run it ahead of any request, and a broken
import fails the deploy's smoke test as an init error instead of a user's first request. A
function deployed for one trigger (``FAAS_FUNCTION`` set) skips the web app; user functions are
imported on first call, so a cold start pays only for what it serves.
"""

from __future__ import annotations

import json
import os
import sys

from faas.adapters.contract import (
    CONFIG_NAME,
    ENV_FUNCTION,
    ENV_PRIVATE,
    ENV_SECRETS_STORE,
    PLATFORM_ENTRY_POINTS,
    SUPPORTED_FORMAT,
)
from faas.adapters.dispatch import Dispatcher, import_entry
from faas.adapters.errors import AdapterError, ConfigError, UnknownEventError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable
    from typing import Any

    Bootstrap = Callable[["Runtime"], Any]

__all__ = ["CONFIG_NAME", "Runtime", "build", "load_config", "platforms", "register_platform"]


def load_config(root: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check ``faas_runtime.json`` in ``root``."""
    path = os.path.join(root, CONFIG_NAME)
    try:
        with open(path, encoding="utf-8") as stream:
            config = json.load(stream)
    except FileNotFoundError:
        raise ConfigError(f"{path} not found: the artifact was not built by faas") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} is unreadable: {exc}") from exc
    if not isinstance(config, dict) or config.get("format") != SUPPORTED_FORMAT:
        raise ConfigError(
            f"{path}: unsupported format {config.get('format')!r}, expected 1"
            if isinstance(config, dict)
            else f"{path} is not a JSON object"
        )
    return config


class Runtime:
    """The project inside the function: its app (if any), its functions, the envelope."""

    def __init__(self, config: dict[str, Any], platform: str = "") -> None:
        self.config = config
        self.platform = platform
        app = config.get("app")
        if app is not None and not (isinstance(app, dict) and isinstance(app.get("entry"), str)):
            raise ConfigError("'app' must be null or an object with an 'entry' string")
        self.app_spec: dict[str, Any] | None = app
        functions = config.get("functions") or {}
        if not isinstance(functions, dict):
            raise ConfigError("'functions' must be an object")
        self.dispatcher = Dispatcher.from_config(functions, platform)
        self.settings_module: str | None = (app or {}).get("settings_module")
        if self.settings_module:
            # Before any import of the app: Django reads it at import time.
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", self.settings_module)
        self.only_function = os.environ.get(ENV_FUNCTION) or None
        self.private = bool(self.only_function or os.environ.get(ENV_PRIVATE))

    @property
    def serves_http(self) -> bool:
        """True when this deployment serves the web app (not a single-trigger function)."""
        return self.app_spec is not None and self.only_function is None

    def load_app(self) -> Any:
        """Import the user's web app (its ``entry``)."""
        assert self.app_spec is not None
        return import_entry(self.app_spec["entry"])

    def app_options(self) -> dict[str, Any]:
        """make_handler() options from the ``app`` section."""
        spec = self.app_spec or {}
        options: dict[str, Any] = {"interface": spec.get("interface") or "auto"}
        if spec.get("base_path"):
            options["base_path"] = spec["base_path"]
        # What only the platform knows about the app's URLs, e.g. Azure's route prefix.
        options.update(spec.get("adapter_options") or {})
        return options

    def invoke(self, envelope: Any, context: Any = None) -> Any:
        """Run a ``{"faas": {...}}`` envelope's body: a function call or a management command."""
        if not isinstance(envelope, dict):
            raise UnknownEventError(envelope, "faas", "the 'faas' envelope must be an object")
        if "manage" in envelope:
            from faas.adapters.manage import run_flask_command, run_management_command

            if (self.app_spec or {}).get("framework") == "flask":
                return run_flask_command(envelope["manage"], self.load_app)
            return run_management_command(envelope["manage"], self.settings_module)
        name = envelope.get("function")
        if isinstance(name, str):
            return self.dispatcher.call(name, envelope.get("event") or {}, context)
        raise UnknownEventError(envelope, "faas", "expected 'function' or 'manage'")

    def triggers(self) -> dict[str, list[dict[str, Any]]]:
        """Function name -> its triggers from faas_runtime.json (each with ``type``, ``name`` and data)."""
        return {name: spec.triggers for name, spec in self.dispatcher.functions.items()}


# -- the built-in platforms ----------------------------------------------------------------------


def aws_bootstrap(runtime: Runtime) -> Any:
    """The Lambda handler ``handler(event, context)``."""
    if os.environ.get(ENV_SECRETS_STORE):
        # Before the app imports: Django settings read os.environ at import time.
        from faas.adapters.aws.secrets import fill_environment

        fill_environment()
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
        from faas.adapters.aws.snapstart import register_hooks

        register_hooks()
    from faas.adapters.aws import detect_http_source, make_handler
    from faas.adapters.aws.triggers import classify

    http = make_handler(runtime.load_app(), **runtime.app_options()) if runtime.serves_http else None
    dispatcher = runtime.dispatcher
    only = runtime.only_function

    def handler(event: Any, context: Any = None) -> Any:
        if isinstance(event, dict):
            envelope = event.get("faas")
            if envelope is not None:
                return runtime.invoke(envelope, context)
            source = detect_http_source(event)
            if source is not None and http is not None:
                return http.serve(source, event, context)  # type: ignore[attr-defined]
            if only is not None:
                return dispatcher.call(only, event, context)
            trigger = classify(event)
            if trigger is not None:
                return dispatcher.route(trigger, event, context)
        raise UnknownEventError(event, "aws")

    handler.http = http  # type: ignore[attr-defined]
    return handler


def gcp_bootstrap(runtime: Runtime) -> Any:
    """The functions-framework HTTP function ``handler(request)``."""
    from faas.adapters.gcp import classify, cloud_event_from_request, make_handler

    http = make_handler(runtime.load_app(), **runtime.app_options()) if runtime.serves_http else None
    dispatcher = runtime.dispatcher
    only = runtime.only_function
    private = runtime.private

    def result(value: Any) -> tuple[str, int, dict[str, str]]:
        return json.dumps(value), 200, {"Content-Type": "application/json"}

    def handler(request: Any) -> Any:
        # CloudEvents and envelopes come over HTTP on GCP: they are honoured only on a
        # private (IAM-authenticated) function, never on the public web app.
        if private:
            event = cloud_event_from_request(request)
            if event is not None:
                if only is not None:
                    source = classify(event)
                    if (
                        source is not None
                        and source.kind == "storage"
                        and not dispatcher.get(only).wants_object(source)
                    ):
                        # Eventarc filters by bucket only: an object outside the trigger's prefix,
                        # suffix or events is acknowledged (2xx, so it is not redelivered) and skipped.
                        return result({"skipped": f"{source.key}: not an object the trigger of {only} wants"})
                    return result(dispatcher.call(only, event, None))
                trigger = classify(event)
                if trigger is None:
                    raise UnknownEventError(event, "gcp")
                return result(dispatcher.route(trigger, event, None))
            body = request.get_json(silent=True) if request.is_json else None
            if isinstance(body, dict) and "faas" in body:
                return result(runtime.invoke(body["faas"]))
            if only is not None and http is None:
                return result(dispatcher.call(only, body, None))
        if http is None:
            return "Not Found", 404, {"Content-Type": "text/plain"}
        return http(request)

    handler.http = http  # type: ignore[attr-defined]
    return handler


def azure_bootstrap(runtime: Runtime) -> Any:
    """The ``azure.functions.FunctionApp`` that ``function_app.py`` exposes as ``app``."""
    from faas.adapters.azure import build_function_app, make_handler

    http = make_handler(runtime.load_app(), **runtime.app_options()) if runtime.serves_http else None
    return build_function_app(http, runtime.dispatcher.call, runtime.triggers(), runtime.invoke)


# -- the registry --------------------------------------------------------------------------------

_PLATFORMS: dict[str, Bootstrap] = {"aws": aws_bootstrap, "gcp": gcp_bootstrap, "azure": azure_bootstrap}


def register_platform(name: str, bootstrap: Bootstrap) -> None:
    """Make ``build(name)`` call ``bootstrap(runtime)`` and return what it returns.

    A third-party adapter calls it when its module is imported (or declares
    ``name = "module:bootstrap"`` in the ``faas.platforms`` entry-point group instead). A name
    already taken by another bootstrap is an error: two adapters cannot both own a platform.
    """
    current = _PLATFORMS.get(name)
    if current is not None and current is not bootstrap:
        raise ConfigError(f"platform {name!r} is already registered by {current.__module__}.{current.__qualname__}")
    _PLATFORMS[name] = bootstrap


def platforms() -> list[str]:
    """The names of the registered platforms (built-in and registered so far)."""
    return sorted(_PLATFORMS)


def _find_bootstrap(name: str) -> Bootstrap:
    bootstrap = _PLATFORMS.get(name)
    if bootstrap is not None:
        return bootstrap
    # Only for a platform nobody registered: scanning the installed distributions costs milliseconds.
    from importlib.metadata import entry_points

    for point in entry_points(group=PLATFORM_ENTRY_POINTS, name=name):
        loaded = point.load()
        register_platform(name, loaded)
        return loaded  # type: ignore[no-any-return]
    raise ConfigError(
        f"unknown platform {name!r}: known are {', '.join(platforms())}; a third-party adapter registers "
        f"its own with register_platform() or the {PLATFORM_ENTRY_POINTS!r} entry-point group"
    )


def _caller_dir(depth: int = 2) -> str:
    """Directory of the module that called :func:`build` (the generated entry module)."""
    frame = sys._getframe(depth)
    caller = frame.f_globals.get("__file__")
    if caller:
        return os.path.dirname(os.path.realpath(str(caller)))
    return str(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())


def build(platform: str, *, root: str | os.PathLike[str] | None = None) -> Any:
    """The platform's entry point for the project described by ``faas_runtime.json``.

    :param platform: a registered platform: ``"aws"`` -> ``handler(event, context)``; ``"gcp"`` ->
        functions-framework HTTP function; ``"azure"`` -> ``azure.functions.FunctionApp``.
    :param root: directory holding ``faas_runtime.json``; default: the caller's directory.

    Errors raised while building name the platform (``azure: function 'x': ...``).
    """
    directory = os.fspath(root) if root is not None else _caller_dir()
    try:
        bootstrap = _find_bootstrap(platform)
        return bootstrap(Runtime(load_config(directory), platform))
    except AdapterError as error:
        error.on_platform(platform)
        raise
