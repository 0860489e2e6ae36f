"""`faas init`: detect the web framework (or the functions) of an existing project and write its faas.toml.

Detection reads files as text (it never imports the user's code): Django through manage.py and
its settings module, Flask through a `Flask(...)` application object, FastAPI/Starlette through a
`FastAPI(...)` / `Starlette(...)` object, and, where no module makes one at import, an app factory
`create_app()` / `make_app()` that makes one (the names `flask --app` looks for), written as the
entry `module:create_app()`. A project with no web app but top-level handlers
`def name(event, context)` gets a functions-only config; `--function module:attribute` names
functions explicitly (with or without an app).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from faas.core.config import CONFIG_FILE, PYPROJECT
from faas.core.errors import ConfigError, UsageError

Interface = Literal["wsgi", "asgi"]
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".faas", "build", "dist", "tests"}
_APP_OBJECT = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*(?::[^=]+)?=\s*(?:[\w.]+\.)?(?P<kind>Flask|FastAPI|Starlette)\(", re.M
)
_SETTINGS_DEFAULT = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["'](?P<module>[\w.]+)["']""")


@dataclass(frozen=True)
class DetectedFunction:
    """A plain function `faas init` writes as a [[functions]] entry."""

    name: str
    entry: str


@dataclass(frozen=True)
class Detected:
    """What `faas init` found (or was told)."""

    entry: str
    interface: Interface
    framework: Literal["django", "flask", "fastapi", "starlette"] | None = None
    settings_module: str | None = None
    static: bool = False


def detect_app(root: Path, interface: Interface | None = None) -> Detected | None:
    """The project's web app, or None if no framework was recognised."""
    return _detect_django(root, interface) or _detect_app_object(root) or _detect_factory(root)


def _detect_django(root: Path, interface: Interface | None) -> Detected | None:
    manage = root / "manage.py"
    if not manage.is_file():
        return None
    match = _SETTINGS_DEFAULT.search(manage.read_text(encoding="utf-8", errors="replace"))
    if not match:
        return None
    settings_module = match.group("module")
    package = settings_module.rsplit(".", 1)[0]
    chosen: Interface = interface or "wsgi"
    entry = f"{package}.{chosen}:application"
    settings_file = root / (settings_module.replace(".", "/") + ".py")
    if settings_file.is_file():
        setting = "ASGI_APPLICATION" if chosen == "asgi" else "WSGI_APPLICATION"
        declared = _string_setting(settings_file, setting)
        if declared and "." in declared:
            module, attribute = declared.rsplit(".", 1)
            entry = f"{module}:{attribute}"
    static = settings_file.is_file() and _string_setting(settings_file, "STATIC_URL") is not None
    return Detected(entry, chosen, "django", settings_module, static)


def _string_setting(settings_file: Path, name: str) -> str | None:
    try:
        tree = ast.parse(settings_file.read_text(encoding="utf-8"))
    except SyntaxError:
        return None
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        if not any(isinstance(target, ast.Name) and target.id == name for target in node.targets):
            continue
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node.value.value
    return None


def _detect_app_object(root: Path) -> Detected | None:
    for path in _python_files(root):
        match = _APP_OBJECT.search(path.read_text(encoding="utf-8", errors="replace"))
        if not match:
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        interface, framework = _FRAMEWORKS[match.group("kind")]
        return Detected(f"{module}:{match.group('name')}", interface, framework)
    return None


_FRAMEWORKS: dict[str, tuple[Interface, Literal["flask", "fastapi", "starlette"]]] = {
    "Flask": ("wsgi", "flask"),
    "FastAPI": ("asgi", "fastapi"),
    "Starlette": ("asgi", "starlette"),
}
# The factory names Flask's CLI finds by itself (`flask --app flaskr` calls flaskr.create_app()).
_FACTORY_NAMES = ("create_app", "make_app")


def _detect_factory(root: Path) -> Detected | None:
    """A module-level `create_app()` / `make_app()` that builds the app and needs no argument."""
    for path in _python_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not any(name in text for name in _FACTORY_NAMES):
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name not in _FACTORY_NAMES:
                continue
            kind = _constructed_app(node)
            if kind is not None and _callable_without_arguments(node):
                interface, framework = _FRAMEWORKS[kind]
                return Detected(f"{module}:{node.name}()", interface, framework)
    return None


def _constructed_app(function: ast.FunctionDef) -> str | None:
    """`Flask`, `FastAPI` or `Starlette` if the function calls one of them (e.g. `Flask(__name__)`)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            called = node.func
            name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)
            if name in _FRAMEWORKS:
                return str(name)
    return None


def _callable_without_arguments(function: ast.FunctionDef) -> bool:
    arguments = function.args
    positional = len(arguments.posonlyargs) + len(arguments.args)
    return positional == len(arguments.defaults) and all(default is not None for default in arguments.kw_defaults)


def _python_files(root: Path) -> list[Path]:
    """Top-level modules first, then packages one level down: where apps live."""
    found = sorted(root.glob("*.py"))
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name not in _SKIP_DIRS and not child.name.startswith("."):
            found += sorted(child.glob("*.py"))
    return [path for path in found if path.name not in {"setup.py", "conftest.py", "manage.py"}]


def detect_functions(root: Path) -> list[DetectedFunction]:
    """Top-level `def name(event, context)` handlers in the project's modules (read, never imported)."""
    found: list[DetectedFunction] = []
    for path in _python_files(root):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_handler(node):
                found.append(DetectedFunction(function_name(node.name), f"{module}:{node.name}"))
    return found


def _is_handler(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    names = [arg.arg for arg in [*node.args.posonlyargs, *node.args.args]]
    return names == ["event", "context"] and not node.name.startswith("_")


def function_name(attribute: str) -> str:
    """A valid function name from a Python name: `nightly_report` -> `nightly-report`."""
    name = re.sub(r"[^a-z0-9]+", "-", attribute.lower()).strip("-")
    return (name if name[:1].isalpha() else f"fn-{name}")[:40].strip("-")


def parse_function(text: str) -> DetectedFunction:
    """`--function` as `module:attribute` or `name=module:attribute`."""
    name, equals, entry = text.partition("=")
    if not equals:
        name, entry = function_name(text.rpartition(":")[2] or text), text
    if ":" not in entry:
        raise UsageError(f"--function '{text}' is not module:attribute (or name=module:attribute)")
    return DetectedFunction(name.strip(), entry.strip())


def project_name(root: Path) -> str:
    """A resource-safe default name from the folder name."""
    name = re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"app-{name}".strip("-")
    return (name + "-app")[:40].strip("-") if len(name) < 3 else name[:40].strip("-")


def render_config(
    name: str, provider: str, python: str, app: Detected | None, functions: list[DetectedFunction] | None = None
) -> str:
    """The faas.toml `faas init` writes: the app and/or the functions, and stages dev and production."""
    lines = [
        "# faas configuration: https://faasport.readthedocs.io/configuration",
        f'name = "{name}"',
        f'provider = "{provider}"          # --provider overrides',
        f'python = "{python}"',
        "",
    ]
    if app is not None:
        lines += ["[app]", f'entry = "{app.entry}"', f'interface = "{app.interface}"']
        if app.framework:
            lines.append(f'framework = "{app.framework}"')
        if app.settings_module:
            lines.append(f'settings_module = "{app.settings_module}"')
            lines.append(f'environment = {{ DJANGO_SETTINGS_MODULE = "{app.settings_module}" }}')
        lines += ["memory = 512", "timeout = 30", ""]
        if app.static:
            lines += ["[storage.static]", "public = true", ""]
    for function in functions or []:
        lines += [
            "[[functions]]",
            f'name = "{function.name}"',
            f'entry = "{function.entry}"',
            "# What runs it, e.g. a schedule, a storage event or a queue (see the configuration reference):",
            '# triggers = [{ schedule = "rate(1 hour)" }]',
            "",
        ]
    lines += ["[package]", 'exclude = ["media/**", "*.sqlite3"]', "", "[stages.dev]", "", "[stages.production]"]
    lines += ["app = { memory = 1024 }", ""] if app is not None else [""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Written:
    """What `faas init` wrote: the file, the app (None for a functions-only project), the functions."""

    path: Path
    app: Detected | None
    functions: list[DetectedFunction]


def write_config(
    root: Path,
    **options: Any,
) -> tuple[Path, Detected | None]:
    """`init_project` returning (the file, the app): the shape callers used before functions-only projects."""
    written = init_project(root, **options)
    return written.path, written.app


def init_project(
    root: Path,
    *,
    entry: str | None = None,
    interface: Interface | None = None,
    name: str | None = None,
    provider: str = "local",
    python: str = "3.12",
    force: bool = False,
    functions: list[str] | None = None,
) -> Written:
    """Detect (or take `entry` and `functions`) and write `root/faas.toml`. Never overwrites without `force`."""
    target = root / CONFIG_FILE
    if not force:
        if target.exists():
            raise UsageError(f"{target} exists; use --force to overwrite it")
        pyproject = root / PYPROJECT
        if pyproject.is_file() and re.search(r"^\[tool\.faas\]", pyproject.read_text(encoding="utf-8"), re.M):
            raise UsageError(f"{pyproject} already has [tool.faas]; use --force to write {CONFIG_FILE} anyway")
    chosen = [parse_function(text) for text in functions or []]
    app: Detected | None
    if entry:
        detected = detect_app(root, interface)
        framework = detected.framework if detected and detected.entry == entry else None
        app = Detected(entry, interface or "wsgi", framework)
    else:
        app = detect_app(root, interface)
        if app is None and not chosen:
            chosen = detect_functions(root)
        if app is None and not chosen:
            raise UsageError(
                "no Django, Flask or FastAPI app and no `def handler(event, context)` function found here; "
                "pass --entry module:attribute for an app (and --interface asgi for an ASGI app), or "
                "--function module:attribute for a function"
            )
    text = render_config(name or project_name(root), provider, python, app, chosen)
    _validate(text, target)
    target.write_text(text, encoding="utf-8")
    if app is not None:
        write_requirements(root, app.framework)
    return Written(target, app, chosen)


_DISTRIBUTIONS = {"django": "Django", "flask": "Flask", "fastapi": "fastapi", "starlette": "starlette"}


def write_requirements(root: Path, framework: str | None) -> Path | None:
    """requirements.txt naming the framework, when the project declares no dependency at all.

    `django-admin startproject` writes none, and the artifact carries only declared dependencies:
    without one the app cannot import its framework. The version is the one installed here (the
    one the app was written against), else unpinned. Returns the file written, if any.
    """
    from importlib import metadata

    from faas.core.packaging.dependencies import detect_declaration

    distribution = _DISTRIBUTIONS.get(framework or "")
    if distribution is None or not detect_declaration(root).empty:
        return None
    try:
        requirement = f"{distribution}=={metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        requirement = distribution
    path = root / "requirements.txt"
    path.write_text(f"# Written by faas init: the app's dependencies, packaged into the artifact.\n{requirement}\n")
    return path


def _validate(text: str, target: Path) -> None:
    # The file must load as written; a broken template or a bad --entry fails before anything is written.
    import tomllib

    from pydantic import ValidationError

    from faas.core.model import ProjectConfig

    try:
        ProjectConfig.model_validate(tomllib.loads(text))
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        key = ".".join(str(part) for part in problem["loc"])
        raise ConfigError(str(problem["msg"]).removeprefix("Value error, "), source=str(target), key=key) from None
