"""Django: collectstatic at build time with the project's settings, the manifest shipped in the artifact."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from faas.core.errors import PackagingError
from faas.core.packaging import build_artifact
from tests.core.packaging.conftest import aws_like_target, copy_project, load

pytestmark = pytest.mark.slow


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project("djsite", tmp_path)


def edit_settings(root: Path, old: str, new: str) -> None:
    settings = root / "djsite" / "settings.py"
    text = settings.read_text()
    assert old in text
    settings.write_text(text.replace(old, new))


def test_static_files_are_collected_and_the_manifest_ships(root: Path) -> None:
    # A stale local collectstatic in STATIC_ROOT must not ship: the deploy uploads the fresh one.
    (root / "staticfiles" / "old").mkdir(parents=True)
    (root / "staticfiles" / "old" / "x.css").write_text("old")
    artifact = build_artifact(load(root), aws_like_target())
    static = artifact.manifest["static"]
    collected = Path(static["dir"])
    assert static["manifest"] == "staticfiles/staticfiles.json"
    assert static["storage"] == "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    assert (collected / "admin" / "css" / "base.css").is_file()
    hashed = json.loads((collected / "staticfiles.json").read_text())["paths"]["djsite/site.css"]
    assert (collected / hashed).is_file()
    with zipfile.ZipFile(artifact.path) as archive:
        shipped = archive.namelist()
        assert json.loads(archive.read("staticfiles/staticfiles.json"))["paths"]["djsite/site.css"] == hashed
    assert [name for name in shipped if name.startswith("staticfiles/") and not name.endswith("/")] == [
        "staticfiles/staticfiles.json"
    ]


def test_static_root_outside_the_project_is_a_clear_error(root: Path) -> None:
    edit_settings(root, 'STATIC_ROOT = BASE_DIR / "staticfiles"', 'STATIC_ROOT = "/var/www/static"')
    with pytest.raises(PackagingError, match=r"STATIC_ROOT = BASE_DIR / 'staticfiles'"):
        build_artifact(load(root), aws_like_target())


def test_a_remote_static_storage_is_refused_before_it_uploads_anything(root: Path) -> None:
    (root / "djsite" / "remote.py").write_text(
        "from django.core.files.storage import Storage\n\n\n"
        "class BucketStorage(Storage):\n"
        "    def _save(self, name, content):\n"
        "        raise AssertionError('uploaded during packaging')\n"
    )
    edit_settings(
        root,
        '"django.contrib.staticfiles.storage.ManifestStaticFilesStorage"',
        '"djsite.remote.BucketStorage"',
    )
    with pytest.raises(PackagingError, match=r"djsite\.remote\.BucketStorage is not a local file system storage"):
        build_artifact(load(root), aws_like_target())


def test_without_staticfiles_app_nothing_is_collected(root: Path) -> None:
    edit_settings(root, '    "django.contrib.staticfiles",\n', "")
    edit_settings(root, '    "django.contrib.admin",\n', "")
    (root / "djsite" / "urls.py").write_text(
        "from django.http import HttpResponse\nfrom django.urls import path\n\n"
        'urlpatterns = [path("", lambda request: HttpResponse("hi"))]\n'
    )
    artifact = build_artifact(load(root), aws_like_target())
    assert artifact.manifest["static"] is None


def test_django_missing_from_the_declared_dependencies_is_a_clear_error(root: Path) -> None:
    (root / "requirements.txt").write_text("six==1.17.0\n")
    with pytest.raises(PackagingError, match=r"collectstatic failed.*is Django in your requirements"):
        build_artifact(load(root), aws_like_target())


@pytest.fixture
def startproject(tmp_path: Path) -> Path:
    """A `django-admin startproject` tree as generated (SQLite in BASE_DIR), with faas init's config."""
    import subprocess
    import sys

    from faas.core.init import write_config

    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite", str(tmp_path)], check=True)
    write_config(tmp_path)
    return tmp_path


def test_sqlite_on_a_read_only_function_filesystem_is_warned_about_once(startproject: Path) -> None:
    from faas.core.reporting import NullReporter

    reporter = NullReporter()
    artifact = build_artifact(load(startproject), aws_like_target(), reporter=reporter)
    warnings = [warning for warning in reporter.warnings if "SQLite" in warning]
    assert len(warnings) == 1, reporter.warnings
    assert "SQLite (db.sqlite3)" in warnings[0] and "read-only" in warnings[0]
    assert "postgresql" in warnings[0]  # says what to use instead
    assert artifact.manifest["writable_paths"] == ["db.sqlite3"]
    assert artifact.manifest["static"]["url"] == "static/"  # as written: the app's mount point is added


def test_a_filesystem_that_keeps_writes_gets_no_sqlite_warning(startproject: Path) -> None:
    from faas.core.reporting import NullReporter

    reporter = NullReporter()
    build_artifact(load(startproject), aws_like_target(persistent_filesystem=True), reporter=reporter)
    assert [warning for warning in reporter.warnings if "SQLite" in warning] == []
