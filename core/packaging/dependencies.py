"""What the project declares it depends on, read from its own files, never from a virtualenv.

Detection order: `package.requirements` if set; else a lock file (uv.lock, poetry.lock) whose pins
constrain the top-level requirements of pyproject.toml (locked versions win); else requirements.txt;
else pyproject `[project.dependencies]`. The virtualenv the deploy runs in is never looked at: it
holds the deploy tools (and whatever the developer installed by hand), not what the function needs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from faas.core.errors import PackagingError


@dataclass(frozen=True)
class Declaration:
    """Top-level requirements plus the pins that constrain their resolution."""

    requirements: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    """Files the declaration came from, relative to the project root (shown to the user)."""
    find_links: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.requirements


def detect_declaration(root: Path, explicit: str | None = None) -> Declaration:
    """The project's dependency declaration; an empty one when it declares none."""
    if explicit:
        path = (root / explicit).resolve()
        if not path.is_file():
            raise PackagingError(f"package.requirements names {explicit}, which does not exist in {root}")
        if path.name in {"uv.lock", "poetry.lock"}:
            return _from_lock(root, path)
        if path.name == "pyproject.toml":
            return Declaration(tuple(_pyproject_requirements(path)), (), (explicit,))
        return _from_requirements_file(root, path)
    for lock in ("uv.lock", "poetry.lock"):
        if (root / lock).is_file():
            return _from_lock(root, root / lock)
    if (root / "requirements.txt").is_file():
        return _from_requirements_file(root, root / "requirements.txt")
    if (root / "pyproject.toml").is_file():
        requirements = _pyproject_requirements(root / "pyproject.toml")
        if requirements:
            return Declaration(tuple(requirements), (), ("pyproject.toml",))
    return Declaration()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PackagingError(f"cannot read {path}: {error}") from None


def _pyproject_requirements(path: Path) -> list[str]:
    data = _read_toml(path)
    declared = data.get("project", {}).get("dependencies")
    if isinstance(declared, list):
        return [str(item) for item in declared]
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    # Poetry's caret/tilde ranges are not PEP 440; the lock file pins versions anyway, so the
    # names (with extras) are all resolution needs here.
    requirements = []
    for name, spec in poetry.items():
        if canonicalize_name(name) == "python":
            continue
        extras = spec.get("extras", []) if isinstance(spec, dict) else []
        requirements.append(f"{name}[{','.join(extras)}]" if extras else name)
    return requirements


def _from_lock(root: Path, lock: Path) -> Declaration:
    pyproject = lock.parent / "pyproject.toml"
    if not pyproject.is_file():
        raise PackagingError(f"{lock.name} found but no pyproject.toml next to it to say what the project needs")
    requirements = _pyproject_requirements(pyproject)
    data = _read_toml(lock)
    own = canonicalize_name(str(_read_toml(pyproject).get("project", {}).get("name", "")))
    pins = []
    for package in data.get("package", []):
        name, version = package.get("name"), package.get("version")
        source = package.get("source", {})
        # The project itself (editable/virtual in uv.lock) is the source tree, not a dependency.
        if not name or not version or canonicalize_name(name) == own or "editable" in source or "virtual" in source:
            continue
        pins.append(f"{canonicalize_name(name)}=={version}")
    relative = [path.relative_to(root).as_posix() for path in (pyproject, lock)]
    return Declaration(tuple(requirements), tuple(sorted(set(pins))), tuple(relative))


def _from_requirements_file(root: Path, path: Path) -> Declaration:
    requirements: list[str] = []
    constraints: list[str] = []
    find_links: list[str] = []
    seen: set[Path] = set()
    _read_requirements(path, requirements, constraints, find_links, seen)
    relative = tuple(sorted(p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p) for p in seen))
    return Declaration(tuple(requirements), tuple(constraints), relative, tuple(find_links))


def _logical_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackagingError(f"cannot read {path}: {error.strerror}") from None
    lines, pending = [], ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append((pending + line).strip())
        pending = ""
    lines.append(pending.strip())
    return [line for line in lines if line]


def _read_requirements(
    path: Path, requirements: list[str], constraints: list[str], find_links: list[str], seen: set[Path]
) -> None:
    if path in seen:
        return
    seen.add(path)
    for line in _logical_lines(path):
        option, _, value = line.partition(" ")
        value = value.strip()
        if option in ("-r", "--requirement"):
            _read_requirements((path.parent / value).resolve(), requirements, constraints, find_links, seen)
        elif option in ("-c", "--constraint"):
            nested: list[str] = []
            _read_requirements((path.parent / value).resolve(), nested, constraints, find_links, seen)
            constraints.extend(nested)
        elif option in ("-f", "--find-links"):
            # pip runs elsewhere: a local folder is relative to the requirements file, like pip reads it.
            find_links.append(value if "://" in value else str((path.parent / value).resolve()))
        elif line.startswith("-e") or line.startswith("--editable"):
            raise PackagingError(
                f"{path.name}: editable requirement '{line}' cannot be packaged; list the package by name and version"
            )
        elif line.startswith("-"):
            # Index options and hashes: pip's own configuration applies; hashes are checked on download.
            continue
        else:
            requirement = line.split(" --hash", 1)[0].strip()
            try:
                Requirement(requirement)
            except InvalidRequirement as error:
                raise PackagingError(f"{path.name}: cannot use requirement '{requirement}': {error}") from None
            requirements.append(requirement)
