"""Vendored dependencies against the real package registry: the Django example with Pillow and psycopg.

Slow (network on a cold cache) but part of every CI run; FAAS_CACHE_DIR lets CI keep the cache.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

import pytest

from faas.core.errors import PackagingError
from faas.core.packaging import Artifact, SizeLimits, build_artifact
from faas.core.reporting import NullReporter, ProgressTask
from tests.core.packaging.conftest import MB, aws_like_target, copy_project, load, plant_secrets, require_python

pytestmark = pytest.mark.slow

# e_machine in the ELF header: what CPU a shared library was built for.
ELF_MACHINES = {62: "x86_64", 183: "aarch64"}


def elf_machine(data: bytes) -> str:
    assert data[:4] == b"\x7fELF"
    return ELF_MACHINES[int.from_bytes(data[18:20], "little")]


def extension_modules(artifact: Artifact, package: str) -> dict[str, bytes]:
    with zipfile.ZipFile(artifact.path) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith(package + "/") and name.endswith(".so")
        }


@pytest.fixture(scope="module")
def django_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project("djsite", tmp_path_factory.mktemp("django"))
    plant_secrets(root)
    return root


@pytest.fixture(scope="module")
def django_x86(django_root: Path) -> Artifact:
    return build_artifact(load(django_root), aws_like_target("x86_64"), out_dir=django_root.parent / "x86")


def test_compiled_packages_are_cp312_manylinux_x86_64(django_x86: Artifact) -> None:
    for package in ("PIL", "psycopg_binary"):
        modules = extension_modules(django_x86, package)
        assert modules, f"no extension modules in {package}"
        for name, data in modules.items():
            assert ".cpython-312-x86_64-linux-gnu.so" in name or ".libs/" in name or "libs/" in name, name
            assert elf_machine(data) == "x86_64"
    with zipfile.ZipFile(django_x86.path) as archive:
        wheel_tags = archive.read("pillow-12.0.0.dist-info/WHEEL").decode()
    assert "cp312-cp312-manylinux" in wheel_tags and "x86_64" in wheel_tags


def test_artifact_imports_in_python312_with_nothing_else_on_the_path(django_x86: Artifact, tmp_path: Path) -> None:
    python = require_python("3.12")
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(django_x86.path) as archive:
        archive.extractall(unpacked)
    script = f"""
import os, sys
sys.path.insert(0, {str(unpacked)!r})
assert not [p for p in sys.path if "site-packages" in p], sys.path
import PIL.Image, PIL._imaging, psycopg, django
assert PIL._imaging.__file__.startswith({str(unpacked)!r}), PIL._imaging.__file__
assert psycopg.pq.__impl__ == "binary", psycopg.pq.__impl__
assert django.__file__.startswith({str(unpacked)!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "djsite.settings"
django.setup()
import djsite.wsgi
from django.contrib.staticfiles.storage import staticfiles_storage
print(staticfiles_storage.url("djsite/site.css"))
import faas_entry
print(type(faas_entry.handler).__name__)
"""
    # -I: no PYTHONPATH, no user site; -S: no site-packages. Only the stdlib and the artifact.
    result = subprocess.run([str(python), "-I", "-S", "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    url, handler = result.stdout.split()
    assert url.startswith("/static/djsite/site.") and url.endswith(".css")  # hashed name from the shipped manifest
    assert handler == "function"


def test_runtime_provided_boto3_is_left_out_but_shared_dependencies_stay(django_x86: Artifact) -> None:
    with zipfile.ZipFile(django_x86.path) as archive:
        top = {name.split("/")[0] for name in archive.namelist()}
    shipped = {item["name"].lower() for item in django_x86.manifest["dependencies"]["distributions"]}
    assert not {"boto3", "botocore", "s3transfer", "jmespath"} & shipped
    assert not {"boto3", "botocore"} & top
    # urllib3 is needed by botocore but also by requests, which the project declares.
    assert {"urllib3", "requests", "django", "pillow", "psycopg", "psycopg-binary"} <= shipped
    left_out = set(django_x86.manifest["dependencies"]["left_out"])
    assert {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil"} <= left_out
    assert "urllib3" not in left_out


def test_planted_secrets_never_appear(django_x86: Artifact) -> None:
    with zipfile.ZipFile(django_x86.path) as archive:
        shipped = archive.namelist()
    for bad in (".env", ".env.production", "id_rsa", "deploy/server.pem"):
        assert bad not in shipped
    prefixes = (".git/", ".aws/", ".ssh/", "node_modules/", ".venv/", "media/", "staticfiles/admin/")
    assert not [name for name in shipped if name.startswith(prefixes)]
    assert "djsite/__pycache__/stale.cpython-311.pyc" not in shipped


def test_manifest_reports_sizes_and_largest_distributions(django_x86: Artifact) -> None:
    manifest = json.loads(django_x86.manifest_path.read_text())
    largest = manifest["largest_distributions"]
    assert len(largest) == 10
    assert [item["size"] for item in largest] == sorted((item["size"] for item in largest), reverse=True)
    assert {"Django", "pillow", "psycopg-binary"} <= {item["name"] for item in largest[:4]}
    assert manifest["unzipped_size"] > manifest["zipped_size"] > 10 * MB
    assert manifest["upload"] == "direct"
    versions = {item["name"]: item["version"] for item in manifest["dependencies"]["distributions"]}
    assert versions["Django"] == "5.2.19"
    assert manifest["dependencies"]["declared_in"] == ["requirements.txt"]


def test_rebuild_is_byte_identical(django_x86: Artifact, django_root: Path) -> None:
    again = build_artifact(load(django_root), aws_like_target("x86_64"), out_dir=django_root.parent / "again")
    assert again.sha256 == django_x86.sha256


def test_build_on_an_empty_cache_is_byte_identical(
    django_x86: Artifact, django_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another machine: wheels downloaded, unpacked, compiled and compressed again from nothing.
    monkeypatch.setenv("FAAS_CACHE_DIR", str(tmp_path / "other-machine"))
    again = build_artifact(load(django_root), aws_like_target("x86_64"), out_dir=tmp_path / "out")
    assert again.sha256 == django_x86.sha256


def test_arm64_build_picks_aarch64_wheels(django_root: Path) -> None:
    artifact = build_artifact(load(django_root), aws_like_target("arm64"), out_dir=django_root.parent / "arm")
    for package in ("PIL", "psycopg_binary"):
        modules = extension_modules(artifact, package)
        assert modules
        assert {elf_machine(data) for data in modules.values()} == {"aarch64"}
        assert any("aarch64-linux-gnu" in name for name in modules)


def test_size_limit_failure_lists_the_biggest_distributions(django_root: Path) -> None:
    target = aws_like_target(limits=SizeLimits(unzipped=20 * MB, advice="Lambda takes 250 MB unzipped at most."))
    out_dir = django_root.parent / "limited"
    with pytest.raises(PackagingError) as raised:
        build_artifact(load(django_root), target, out_dir=out_dir)
    message = str(raised.value)
    assert "above the aws limit of 20.0 MB" in message
    assert "Django" in message and "pillow" in message and "psycopg-binary" in message
    assert message.index("Django") < message.index("psycopg-binary")  # heaviest first
    assert "Lambda takes 250 MB" in message
    assert not list(out_dir.glob("*.zip"))


def test_requirements_mode_ships_pins_instead_of_wheels(django_root: Path) -> None:
    target = replace(aws_like_target(), provider="gcp", entry_module="main", dependencies="requirements")
    target = replace(target, runtime_provided=frozenset({"functions-framework"}))
    artifact = build_artifact(load(django_root), target, out_dir=django_root.parent / "gcp")
    with zipfile.ZipFile(artifact.path) as archive:
        pins = archive.read("requirements.txt").decode().splitlines()
        top = {name.split("/")[0] for name in archive.namelist()}
    assert "Django==5.2.19" in pins and "boto3==1.40.0" in pins and "requests==2.32.5" in pins
    assert not {"django", "PIL", "psycopg"} & top


def test_same_project_with_separate_caches_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project("functions", tmp_path)
    (root / "requirements.txt").write_text("six==1.17.0\nidna==3.10\n")
    shas = []
    for name in ("cache-a", "cache-b"):
        monkeypatch.setenv("FAAS_CACHE_DIR", str(tmp_path / name))
        shas.append(build_artifact(load(root), aws_like_target(), out_dir=tmp_path / name / "out").sha256)
    assert shas[0] == shas[1]


def test_progress_is_reported_for_resolution_install_and_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAAS_CACHE_DIR", str(tmp_path / "empty-cache"))  # a cache hit has nothing to show
    seen: list[str] = []

    class Recording(NullReporter):
        def progress(self, description: str, total: int | None = None) -> AbstractContextManager[ProgressTask]:
            seen.append(description)
            return super().progress(description, total)

    root = copy_project("functions", tmp_path)
    (root / "requirements.txt").write_text("six==1.16.0\n")
    build_artifact(load(root), aws_like_target(), reporter=Recording())
    assert {"Resolving dependencies", "Downloading wheels", "Installing wheels", "Writing zip"} <= set(seen)


def test_compiling_progress_names_the_python_version_not_the_interpreter_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_python("3.12")
    monkeypatch.setenv("FAAS_CACHE_DIR", str(tmp_path / "empty-cache"))  # a cache hit compiles nothing
    seen: list[str] = []

    class Recording(NullReporter):
        def progress(self, description: str, total: int | None = None) -> AbstractContextManager[ProgressTask]:
            seen.append(description)
            return super().progress(description, total)

    root = copy_project("functions", tmp_path)
    (root / "requirements.txt").write_text("six==1.16.0\n")
    build_artifact(load(root), aws_like_target(), reporter=Recording())
    compiling = [description for description in seen if description.startswith("Compiling dependencies")]
    assert compiling == ["Compiling dependencies for Python 3.12"]


def test_azure_vendors_into_python_packages_and_imports_from_there(django_root: Path, tmp_path: Path) -> None:
    from faas.providers.azure.provider import PYTHON_PACKAGES, AzureProvider

    project = load(django_root)
    artifact = build_artifact(project, AzureProvider(project).package_target(), out_dir=django_root.parent / "azure")
    with zipfile.ZipFile(artifact.path) as archive:
        listed = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert f"{PYTHON_PACKAGES}/django/__init__.py" in listed
    assert not [name for name in listed if name.startswith(("django/", "PIL/"))]  # nothing at the root
    assert not [name for name in listed if name.startswith(f"{PYTHON_PACKAGES}/azure/functions/")]  # the host's
    root = tmp_path / "site"
    # The path the Azure Python worker builds: the package's root, then its .python_packages.
    script = f"import sys\nsys.path[:0] = [{str(root)!r}, {str(root / PYTHON_PACKAGES)!r}]\n"
    script += "import PIL._imaging, django\n"
    script += f"assert django.__file__.startswith({str(root / PYTHON_PACKAGES)!r}), django.__file__\n"
    result = subprocess.run([str(require_python("3.12")), "-I", "-S", "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_azure_remote_build_ships_pins(tmp_path: Path) -> None:
    from faas.providers.azure.provider import AzureProvider

    root = copy_project("djsite", tmp_path)
    (root / "faas.toml").write_text((root / "faas.toml").read_text() + "\n[providers.azure]\nremote_build = true\n")
    project = load(root)
    artifact = build_artifact(project, AzureProvider(project).package_target(), out_dir=tmp_path / "out")
    with zipfile.ZipFile(artifact.path) as archive:
        pins = archive.read("requirements.txt").decode().splitlines()
        listed = archive.namelist()
    assert "Django==5.2.19" in pins
    assert not [name for name in listed if name.startswith(".python_packages/")]
