"""Chalice triggers live in code: `@app.schedule`, `@app.on_s3_event`, `@app.on_sqs_message`, ...

The source is read with `ast`, never imported: commented-out decorators do not exist, blueprints
registered on the app are followed, and arguments that are not literals are resolved from module
constants, dict lookups and `os.environ.get(name, default)` with the *stage's* environment.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_RATE_UNITS = {"MINUTES": "minutes", "HOURS": "hours", "DAYS": "days"}


class Unresolvable(Exception):
    """An argument that cannot be computed offline; the message names the constant or expression."""


@dataclass(frozen=True)
class Decorated:
    """One decorator on one function: `@app.on_s3_event(bucket=...)` on `handle_upload`."""

    file: str
    module: str
    function: str
    kind: str
    args: tuple[ast.expr, ...]
    keywords: dict[str, ast.expr]
    scope: ModuleScope
    name_prefix: str = ""

    @property
    def key(self) -> str:
        return f"{self.file}:{self.function}:{self.kind}"


@dataclass
class ModuleScope:
    """A module's constants and imports, enough to resolve decorator arguments."""

    path: Path
    root: Path
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, path: Path, root: Path) -> ModuleScope | None:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (OSError, SyntaxError, UnicodeDecodeError):
            return None
        scope = cls(path, root, tree)
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                scope.constants[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                scope.constants[node.target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    scope.imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    scope.modules[alias.asname or alias.name.split(".")[0]] = alias.name
        return scope

    @property
    def module_name(self) -> str:
        return ".".join(self.path.relative_to(self.root).with_suffix("").parts).removesuffix(".__init__")

    def other(self, module: str) -> ModuleScope | None:
        base = self.root / module.replace(".", "/")
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return ModuleScope.parse(candidate, self.root)
        return None


class Resolver:
    """Computes an argument for one stage: `environment` is what the function's os.environ holds there."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment

    def value(self, node: ast.expr, scope: ModuleScope, depth: int = 0) -> Any:
        if depth > 20:
            raise Unresolvable("constants refer to each other too deeply")
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, depth)
        if isinstance(node, ast.List | ast.Tuple):
            return [self.value(item, scope, depth + 1) for item in node.elts]
        if isinstance(node, ast.Dict):
            return {
                self.value(key, scope, depth + 1): self.value(item, scope, depth + 1)
                for key, item in zip(node.keys, node.values, strict=True)
                if key is not None
            }
        if isinstance(node, ast.Subscript):
            container = self.value(node.value, scope, depth + 1)
            if _is_environ(node.value):
                return self._env(self.value(node.slice, scope, depth + 1), None, required=True)
            key = self.value(node.slice, scope, depth + 1)
            try:
                return container[key]
            except (KeyError, IndexError, TypeError):
                raise Unresolvable(f"{ast.unparse(node)}: no entry {key!r}") from None
        if isinstance(node, ast.JoinedStr):
            return "".join(str(self.value(part, scope, depth + 1)) for part in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.value(node.value, scope, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.value(node.left, scope, depth + 1) + self.value(node.right, scope, depth + 1)
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "Rate" and node.attr in _RATE_UNITS:
            return _RATE_UNITS[node.attr]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self._module_constant(node.value.id, node.attr, scope, depth)
        raise Unresolvable(f"{ast.unparse(node)} is not a literal, a module constant or os.environ")

    def _name(self, name: str, scope: ModuleScope, depth: int) -> Any:
        if name in scope.constants:
            try:
                return self.value(scope.constants[name], scope, depth + 1)
            except Unresolvable as error:
                raise Unresolvable(f"constant {name}: {error}") from None
        if name in scope.imports:
            module, attribute = scope.imports[name]
            other = scope.other(module)
            if other is not None and attribute in other.constants:
                return self._name(attribute, other, depth + 1)
        raise Unresolvable(f"constant {name} is not defined at module level")

    def _module_constant(self, module_name: str, attribute: str, scope: ModuleScope, depth: int) -> Any:
        # `from chalicelib import settings` then `settings.QUEUE`, or `import chalicelib.settings as settings`.
        module = scope.modules.get(module_name)
        if module_name in scope.imports:
            package, name = scope.imports[module_name]
            module = f"{package}.{name}"
        other = scope.other(module) if module else None
        if other is None or attribute not in other.constants:
            raise Unresolvable(f"{module_name}.{attribute} is not a constant of a module of the project")
        return self._name(attribute, other, depth + 1)

    def _call(self, node: ast.Call, scope: ModuleScope, depth: int) -> Any:
        function = ast.unparse(node.func)
        args = [self.value(arg, scope, depth + 1) for arg in node.args]
        keywords = {kw.arg: self.value(kw.value, scope, depth + 1) for kw in node.keywords if kw.arg}
        if function in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
            default = args[1] if len(args) > 1 else keywords.get("default")
            return self._env(args[0], default, required=False)
        if function.endswith("Rate"):
            amount = int(args[0])
            unit = str(keywords.get("unit", args[1] if len(args) > 1 else "minutes"))
            # Chalice's Rate.to_string: a value of 1 takes the singular unit.
            return f"rate({amount} {unit[:-1] if amount == 1 else unit})"
        if function.endswith("Cron"):
            names = ("minutes", "hours", "day_of_month", "month", "day_of_week", "year")
            fields = [*args, *[keywords[name] for name in names[len(args) :] if name in keywords]]
            return f"cron({' '.join(str(item) for item in fields)})"
        raise Unresolvable(f"{ast.unparse(node)} is a call faas cannot evaluate offline")

    def _env(self, name: Any, default: Any, *, required: bool) -> Any:
        if str(name) in self.environment:
            return self.environment[str(name)]
        if default is not None:
            return default
        how = "os.environ[...]" if required else "os.environ.get(...) without a default"
        raise Unresolvable(f"{how}: {name!r} is not set in this stage's environment_variables")


def _is_environ(node: ast.expr) -> bool:
    return ast.unparse(node) in ("os.environ", "environ")


def scan_project(root: Path) -> tuple[list[Decorated], str | None]:
    """Every decorator of the Chalice app in app.py, blueprints included, and the app's variable."""
    app_scope = ModuleScope.parse(root / "app.py", root)
    if app_scope is None:
        return [], None
    app_name = _chalice_variable(app_scope)
    found = _decorated(app_scope, {app_name} if app_name else set(), "")
    for node in ast.walk(app_scope.tree):
        if not (
            isinstance(node, ast.Call) and ast.unparse(node.func) == f"{app_name}.register_blueprint" and node.args
        ):
            continue
        blueprint = node.args[0]
        prefix = next(
            (kw.value.value for kw in node.keywords if kw.arg == "name_prefix" and isinstance(kw.value, ast.Constant)),
            "",
        )
        if isinstance(blueprint, ast.Name) and blueprint.id in app_scope.imports:
            module, attribute = app_scope.imports[blueprint.id]
            other = app_scope.other(module)
            if other is not None:
                found += _decorated(other, {attribute}, str(prefix))
    return found, app_name


def _chalice_variable(scope: ModuleScope) -> str | None:
    for name, value in scope.constants.items():
        if isinstance(value, ast.Call) and ast.unparse(value.func).endswith("Chalice"):
            return name
    return None


def _decorated(scope: ModuleScope, owners: set[str], prefix: str) -> list[Decorated]:
    found: list[Decorated] = []
    relative = scope.path.relative_to(scope.root).as_posix()
    for node in scope.tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id in owners:
                found.append(
                    Decorated(
                        relative,
                        scope.module_name,
                        node.name,
                        target.attr,
                        tuple(call.args) if call else (),
                        {kw.arg: kw.value for kw in call.keywords if kw.arg} if call else {},
                        scope,
                        prefix,
                    )
                )
    return found
