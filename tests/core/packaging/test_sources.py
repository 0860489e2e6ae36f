"""Which project files get packaged: default excludes, secrets, include/exclude globs."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas.core.errors import PackagingError
from faas.core.packaging.sources import SourceRules, collect_sources, matches
from faas.core.reporting import NullReporter


def tree(root: Path, *paths: str) -> Path:
    for relative in paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return root


def packaged(root: Path, rules: SourceRules | None = None, reporter: NullReporter | None = None) -> list[str]:
    return [source.arcname for source in collect_sources(root, rules or SourceRules(), reporter or NullReporter())]


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a/b/.git/config", ".git", True),
        ("app/media/x.jpg", "/media", False),
        ("media/x.jpg", "/media", True),
        ("pkg/mod.pyc", "*.pyc", True),
        ("docs/a/b.md", "docs/**/*.md", True),
        ("docs/b.md", "docs/**/*.md", True),
        ("docsx/b.md", "docs/**", False),
        ("static/app.js.map", "static/*.map", True),
        ("static/sub/app.js.map", "static/*.map", False),
    ],
)
def test_glob_patterns(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


def test_default_excludes_and_secrets_stay_out(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        "app.py",
        "pkg/mod.py",
        ".git/HEAD",
        ".hg/store",
        "node_modules/x/index.js",
        ".venv/bin/python",
        "venv/lib/site.py",
        "pkg/__pycache__/mod.cpython-312.pyc",
        ".idea/ws.xml",
        ".vscode/settings.json",
        ".pytest_cache/v",
        "media/upload.png",
        "old.pyc",
        ".env",
        ".env.local",
        "certs/site.pem",
        "certs/site.key",
        "id_rsa",
        "id_rsa.pub",
        ".aws/credentials",
        ".ssh/config",
        "credentials",
        ".faas/build/dev/aws/x.zip",
    )
    assert packaged(root) == ["app.py", "pkg/mod.py"]


def test_user_excludes_and_includes(tmp_path: Path) -> None:
    root = tree(tmp_path, "app.py", "data/big.csv", "data/small.csv", "docs/guide.md", "media/defaults/avatar.png")
    rules = SourceRules(include=["data/small.csv", "media/defaults/**"], exclude=["data", "*.md"])
    assert packaged(root, rules) == ["app.py", "data/small.csv", "media/defaults/avatar.png"]


def test_configured_secrets_stay_out(tmp_path: Path) -> None:
    root = tree(tmp_path, "app.py", "mysite/local_settings.py")
    assert packaged(root, SourceRules(secrets=["local_settings.py"])) == ["app.py"]


def test_secret_needs_an_explicit_include_and_warns(tmp_path: Path) -> None:
    root = tree(tmp_path, "app.py", ".env.production", "id_rsa")
    reporter = NullReporter()
    assert packaged(root, SourceRules(include=["**", "*"]), reporter) == ["app.py"]
    assert reporter.warnings == []

    assert packaged(root, SourceRules(include=[".env.production"]), reporter) == [".env.production", "app.py"]
    assert len(reporter.warnings) == 1
    assert ".env.production" in reporter.warnings[0]


def test_an_empty_project_is_an_error(tmp_path: Path) -> None:
    tree(tmp_path, ".env")
    with pytest.raises(PackagingError, match="no source files"):
        packaged(tmp_path)
