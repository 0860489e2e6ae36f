"""Which files of the user's project go into the artifact.

The project tree minus default excludes (version control, virtualenvs, caches, the media uploads
dir) and minus secrets, then the user's own include/exclude globs. A secret only goes in when an
include pattern names it (a catch-all such as `**` does not count), and that prints a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from faas.core.errors import PackagingError
from faas.core.reporting import Reporter

# Patterns without a "/" match a file or directory name at any depth (like .gitignore);
# patterns with one match the path relative to the project root.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".idea",
    ".vscode",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".tox",
    ".nox",
    ".coverage",
    ".coverage.*",
    "htmlcov",
    ".faas",
    ".DS_Store",
    "*.pyc",
    "*.pyo",
    # Django's conventional MEDIA_ROOT: user uploads live in object storage, not in the code.
    "/media",
    # The deploy-side config: the runtime reads faas_runtime.json, and shipping the config would make
    # a memory or timeout edit change the code's sha256 (a needless upload and new code version).
    "/faas.toml",
)

SECRET_PATTERNS: tuple[str, ...] = (
    ".env",
    ".env.*",
    ".envrc",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".aws",
    ".ssh",
    ".gnupg",
    ".netrc",
    ".pypirc",
    "credentials",
    "credentials.json",
    "service-account*.json",
)

# Include patterns that match everything do not count as naming a secret explicitly.
_CATCH_ALL = frozenset({"*", "**", "**/*", "/**", "/**/*", "./**", "./**/*"})


@dataclass(frozen=True)
class SourceFile:
    """A project file and its path inside the artifact (posix, relative to the root)."""

    arcname: str
    path: Path


@lru_cache(maxsize=512)
def _compile(pattern: str) -> tuple[re.Pattern[str], bool]:
    """A regex for `pattern` and whether it matches whole relative paths (vs. any path component)."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/").removeprefix("./")
    regex = ""
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            regex += "(?:.*/)?"
            index += 3
        elif body.startswith("**", index):
            regex += ".*"
            index += 2
        elif body[index] == "*":
            regex += "[^/]*"
            index += 1
        elif body[index] == "?":
            regex += "[^/]"
            index += 1
        else:
            regex += re.escape(body[index])
            index += 1
    return re.compile(regex + r"\Z"), anchored


def matches(relative: str, pattern: str) -> bool:
    """Whether `relative` (a posix path below the root) or one of its parent folders matches `pattern`."""
    regex, anchored = _compile(pattern)
    parts = relative.split("/")
    for depth in range(1, len(parts) + 1):
        candidate = "/".join(parts[:depth]) if anchored else parts[depth - 1]
        if regex.match(candidate):
            return True
    return False


def _matching(relative: str, patterns: Iterable[str]) -> str | None:
    return next((pattern for pattern in patterns if matches(relative, pattern)), None)


@dataclass(frozen=True)
class SourceRules:
    """The exclude/include rules for one build."""

    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    secrets: Sequence[str] = ()
    # Folders the build produces itself (out dir, Django's STATIC_ROOT), relative to the root.
    generated: Sequence[str] = ()

    @property
    def secret_patterns(self) -> tuple[str, ...]:
        return (*SECRET_PATTERNS, *self.secrets)

    def _explicit_include(self, relative: str) -> str | None:
        return _matching(relative, (p for p in self.include if p.strip() not in _CATCH_ALL))

    def decide(self, relative: str) -> tuple[bool, str | None]:
        """(packaged?, the include pattern that let a secret in, if one did)."""
        if _matching(relative, (f"/{path}" for path in self.generated)):
            return False, None
        if _matching(relative, self.secret_patterns):
            pattern = self._explicit_include(relative)
            return (True, pattern) if pattern else (False, None)
        excluded = _matching(relative, DEFAULT_EXCLUDES) or _matching(relative, self.exclude)
        if excluded and not _matching(relative, self.include):
            return False, None
        return True, None

    def may_hold_included(self, relative_dir: str) -> bool:
        """Whether an include pattern could name something below an excluded folder (else prune it)."""
        for pattern in self.include:
            body = pattern.strip("/").removeprefix("./")
            if "/" not in body or body.startswith("**") or body.startswith(relative_dir + "/"):
                return True
        return False


def collect_sources(root: Path, rules: SourceRules, reporter: Reporter) -> list[SourceFile]:
    """The project's files to package, sorted by their path in the artifact."""
    found: list[SourceFile] = []
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        base = here.relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        kept_dirs = []
        for name in sorted(dirnames):
            relative = prefix + name
            packaged, _ = rules.decide(relative)
            if packaged or rules.may_hold_included(relative):
                kept_dirs.append(name)
        dirnames[:] = kept_dirs
        for name in sorted(filenames):
            relative = prefix + name
            packaged, secret_include = rules.decide(relative)
            if not packaged:
                continue
            path = here / name
            if not path.is_file():
                # A dangling symlink or a socket: nothing a function could use.
                continue
            if secret_include:
                reporter.warning(
                    f"packaging {relative}, which looks like a secret, because include '{secret_include}' names it"
                )
            found.append(SourceFile(relative, path))
    if not found:
        raise PackagingError(f"no source files found in {root} (check package.include / package.exclude)")
    return sorted(found, key=lambda source: source.arcname)
