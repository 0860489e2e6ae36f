"""Django static files: collectstatic at build time, the manifest shipped inside the artifact.

collectstatic runs in a subprocess with the project's own settings and only the project and its
target dependencies importable (never the deploy virtualenv's Django), with STATIC_ROOT pointed at
a build folder. The deploy step uploads that folder; ManifestStaticFilesStorage's manifest
(staticfiles.json) goes into the artifact where the settings' STATIC_ROOT puts it, so the app
reads it from the package instead of fetching it from storage at cold start.

The same run reads what the settings make the app write to disk (SQLite databases, MEDIA_ROOT):
a provider that keeps those files (local) links them to a persistent data area; on a target whose
filesystem keeps nothing (`PackageTarget.persistent_filesystem` false) packaging warns about SQLite.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faas.core.config import Project
from faas.core.errors import PackagingError
from faas.core.packaging import cache
from faas.core.packaging.archive import Entry

_SETTINGS_IN_MANAGE = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")

# Bump when the collect script reports something new, so a record from an older faas is not reused.
_RECORD_FORMAT = 3

_COLLECT_SCRIPT = """
import json, os, sys
paths, settings_module, build_dir = json.loads(sys.argv[1])
sys.path[:0] = paths
os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
from django.conf import settings
original = settings.STATIC_ROOT
def path_or_none(value):
    return os.fspath(value) if isinstance(value, (str, os.PathLike)) and os.fspath(value) else None
writes = {
    "sqlite": [
        path_or_none(database.get("NAME"))
        for database in settings.DATABASES.values()
        if "sqlite3" in str(database.get("ENGINE", "")) and path_or_none(database.get("NAME"))
    ],
    "media_root": path_or_none(settings.MEDIA_ROOT),
}
if "django.contrib.staticfiles" not in settings.INSTALLED_APPS:
    print(json.dumps({"skipped": True, "writes": writes}))
    raise SystemExit(0)
settings.STATIC_ROOT = build_dir
import django
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import FileSystemStorage
storage = staticfiles_storage.__class__
name = storage.__module__ + "." + storage.__qualname__
manifest_storage = getattr(staticfiles_storage, "manifest_storage", None)
report = {
    "skipped": False,
    "writes": writes,
    # As written: Django prefixes a relative STATIC_URL with the request's script prefix.
    "static_url": getattr(settings._wrapped, "STATIC_URL", None),
    "static_root": None if original is None else os.fspath(original),
    "manifest_name": getattr(staticfiles_storage, "manifest_name", None),
    "storage": name,
    "local": isinstance(staticfiles_storage, FileSystemStorage),
    "manifest_here": manifest_storage is None
    or os.path.realpath(getattr(manifest_storage, "location", "")) == os.path.realpath(build_dir),
}
if report["local"] and report["manifest_here"]:
    from django.core.management import call_command
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
print(json.dumps(report))
"""


@dataclass(frozen=True)
class StaticResult:
    """What collectstatic produced: the folder to upload and the manifest entry for the artifact."""

    directory: Path
    files: int
    storage: str
    static_root: str | None
    """The settings' STATIC_ROOT relative to the project root (excluded from the sources)."""
    manifest: Entry | None
    url: str | None = None
    """The settings' STATIC_URL as written (relative ones are served under the app's mount point)."""


@dataclass(frozen=True)
class DjangoBuild:
    """What the settings inspection found: the collected static files and what the app writes to disk."""

    static: StaticResult | None
    sqlite: tuple[str, ...] = ()
    """SQLite database files of DATABASES, as the settings name them."""
    writable: tuple[str, ...] = ()
    """Those files and MEDIA_ROOT (ending with /), relative to the project root (the ones inside it)."""

    def read_only_warning(self, provider: str) -> str | None:
        """The warning for a target whose filesystem keeps nothing the app writes, if SQLite is used."""
        if not self.sqlite:
            return None
        names = ", ".join(Path(name).name for name in self.sqlite)
        return (
            f"the Django settings use SQLite ({names}), but a {provider} function's filesystem is read-only "
            "and keeps nothing between instances, so the database cannot be written (or is lost): use a "
            "database server (DATABASES with ENGINE postgresql or mysql, e.g. through dj-database-url and a "
            "DATABASE_URL in [app] environment); uploads (MEDIA_ROOT) need a storage bucket too"
        )


def django_settings_module(project: Project) -> str | None:
    """The settings module of a Django project: from the config, else from manage.py."""
    app = project.config.app
    if app is None:
        return None
    if app.settings_module:
        return app.settings_module
    manage = project.root / "manage.py"
    if app.framework in ("django", None) and manage.is_file():
        match = _SETTINGS_IN_MANAGE.search(manage.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(1)
    return None


def _interpreter(target_python: Path | None, architecture: str) -> str:
    """The target interpreter when it can load the target's wheels here, else the host's."""
    host = "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "x86_64"
    return str(target_python) if target_python is not None and host == architecture else sys.executable


def collect_static(
    project: Project,
    settings_module: str,
    site_dir: Path | None,
    build_dir: Path,
    *,
    target_python: Path | None,
    architecture: str,
    key: str,
) -> DjangoBuild:
    """Run collectstatic into `build_dir` (no static result when django.contrib.staticfiles is not used).

    `key` identifies the inputs (sources, dependencies, settings): with the same key the previous
    result in `build_dir` is reused, so rebuilding an unchanged project does not start Django.
    """
    record = build_dir.with_name(build_dir.name + ".json")
    previous = cache.read_json(record)
    current = {"key": key, "format": _RECORD_FORMAT}
    if isinstance(previous, dict) and previous.get("build") == current and build_dir.is_dir():
        report = previous["report"]
    else:
        report = _run_collectstatic(
            project, settings_module, site_dir, build_dir, target_python=target_python, architecture=architecture
        )
        cache.write_json(record, {"build": current, "report": report})
    writes = report.get("writes") or {}
    sqlite = tuple(name for name in writes.get("sqlite") or [] if name != ":memory:" and not name.startswith("file:"))
    database_files = [_relative_to_project(project, name) for name in sqlite]
    media = _relative_to_project(project, writes.get("media_root"))
    writable = tuple(name for name in database_files if name) + ((media + "/",) if media else ())
    if report["skipped"]:
        return DjangoBuild(None, sqlite, writable)
    if not report["local"]:
        # collectstatic would upload from here: packaging makes no cloud call, the deploy uploads.
        raise PackagingError(
            f"the static files storage {report['storage']} is not a local file system storage, so collectstatic "
            "would upload during packaging; use django.contrib.staticfiles.storage.ManifestStaticFilesStorage "
            "(the deploy uploads the collected files to the static bucket) or set storage.static.source"
        )
    if not report["manifest_here"]:
        raise PackagingError(
            f"{report['storage']} keeps its manifest in a custom manifest_storage; faas ships the manifest from "
            "STATIC_ROOT only: drop the manifest_storage option"
        )
    static_root = _relative_static_root(project, report["static_root"])
    manifest = None
    if report["manifest_name"]:
        if static_root is None:
            raise PackagingError(
                f"{report['storage']} reads its manifest from STATIC_ROOT ({report['static_root']}), which is not "
                "inside the project, so the manifest cannot ship in the artifact where the app looks for it; set "
                "STATIC_ROOT = BASE_DIR / 'staticfiles' in your settings"
            )
        source = build_dir / report["manifest_name"]
        if not source.is_file():
            raise PackagingError(f"collectstatic did not write {report['manifest_name']} in {build_dir}")
        manifest = Entry(f"{static_root}/{report['manifest_name']}", data=source.read_bytes(), origin="static")
    files = sum(1 for path in build_dir.rglob("*") if path.is_file())
    static = StaticResult(build_dir, files, report["storage"], static_root, manifest, report.get("static_url"))
    return DjangoBuild(static, sqlite, writable)


def _run_collectstatic(
    project: Project,
    settings_module: str,
    site_dir: Path | None,
    build_dir: Path,
    *,
    target_python: Path | None,
    architecture: str,
) -> dict[str, Any]:
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    paths = [str(project.root)] + ([str(site_dir)] if site_dir else [])
    app = project.config.app
    env = {**os.environ, **(app.environment if app else {})}
    env = {key: value for key, value in env.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    command = [_interpreter(target_python, architecture), "-I", "-S", "-c", _COLLECT_SCRIPT]
    command.append(json.dumps([paths, settings_module, str(build_dir)]))
    result = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = project.redact(result.stderr.strip())[-1200:]
        raise PackagingError(
            f"Django collectstatic failed with settings {settings_module} (run with the project and its "
            f"declared dependencies only; is Django in your requirements?):\n{tail}"
        )
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def _relative_static_root(project: Project, static_root: str | None) -> str | None:
    return _relative_to_project(project, static_root)


def _relative_to_project(project: Project, name: str | None) -> str | None:
    """`name` (absolute, or relative to the project root) as a path inside the project, else None."""
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute():
        path = project.root / path
    try:
        relative = path.resolve().relative_to(project.root)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts else None
