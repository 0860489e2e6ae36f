"""build_artifact end to end on a project without dependencies: layout, runtime settings, bytecode."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import faas.adapters
from faas.core.errors import PackagingError
from faas.core.packaging import SizeLimits, build_artifact
from faas.core.packaging import bytecode as bytecode_module
from faas.core.reporting import NullReporter
from tests.core.packaging.conftest import aws_like_target, copy_project, load, plant_secrets, require_python


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


@pytest.fixture
def functions_project(tmp_path: Path) -> Path:
    return copy_project("functions", tmp_path)


def test_artifact_layout_and_manifest(functions_project: Path) -> None:
    project = load(functions_project)
    artifact = build_artifact(project, aws_like_target())

    assert artifact.path == functions_project / ".faas/build/dev/aws/plainfns-dev-aws.zip"
    assert artifact.sha256 == hashlib.sha256(artifact.path.read_bytes()).hexdigest()
    assert artifact.zipped_size == artifact.path.stat().st_size
    manifest = json.loads(artifact.manifest_path.read_text())
    assert manifest == artifact.manifest
    assert manifest["sha256"] == artifact.sha256
    assert manifest["unzipped_size"] == sum(item["size"] for item in manifest["files"])
    listed = {item["path"] for item in manifest["files"]}
    assert {"faas_entry.py", "faas_runtime.json", "jobs/resize.py", "faas/__init__.py"} <= listed
    assert manifest["dependencies"]["distributions"] == []
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.read("faas_entry.py").decode() == aws_like_target().entry_source
        runtime = json.loads(archive.read("faas_runtime.json"))
    assert runtime == {
        "format": 1,
        "project": "plainfns",
        "stage": "dev",
        "platform": "aws",
        "app": None,
        "functions": {
            "resize": {
                "entry": "jobs.resize:handle",
                "triggers": [
                    {
                        "type": "storage",
                        "name": "resize-storage-0",
                        "bucket": "uploads",
                        "events": ["created"],
                        "prefix": "img/",
                        "suffix": ".jpg",
                    }
                ],
            }
        },
    }


def test_faas_package_holds_only_an_empty_init_and_the_adapters(functions_project: Path) -> None:
    artifact = build_artifact(load(functions_project), aws_like_target())
    adapters = Path(faas.adapters.__file__).parent
    expected = {
        "faas/adapters/" + path.relative_to(adapters).as_posix()
        for path in adapters.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(artifact.path) as archive:
        inside = {name for name in archive.namelist() if name.startswith("faas/") and not name.endswith("/")}
        sources = {name for name in inside if "__pycache__" not in name}
        assert archive.read("faas/__init__.py") == b""
    assert sources == {"faas/__init__.py"} | expected
    assert all(name.startswith(("faas/adapters/", "faas/__pycache__/", "faas/__init__.py")) for name in inside)


def test_two_builds_are_byte_identical(functions_project: Path, tmp_path: Path) -> None:
    project = load(functions_project)
    first = build_artifact(project, aws_like_target(), out_dir=tmp_path / "one")
    (functions_project / "jobs" / "resize.py").touch()  # a new mtime changes nothing
    second = build_artifact(project, aws_like_target(), out_dir=tmp_path / "two")
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()


def test_secrets_never_ship_and_explicit_include_warns(functions_project: Path) -> None:
    planted = plant_secrets(functions_project)
    artifact = build_artifact(load(functions_project), aws_like_target())
    shipped = names(artifact.path)
    for relative in planted:
        assert relative not in shipped
    assert not [name for name in shipped if name.startswith((".git/", ".aws/", ".ssh/", "node_modules/", "media/"))]

    toml = functions_project / "faas.toml"
    toml.write_text(toml.read_text() + '\n[package]\ninclude = [".env.production"]\n')
    reporter = NullReporter()
    artifact = build_artifact(load(functions_project), aws_like_target(), reporter=reporter)
    assert ".env.production" in names(artifact.path)
    assert ".env" not in names(artifact.path)
    assert any(".env.production" in warning for warning in reporter.warnings)


def test_a_config_only_edit_does_not_change_the_code(functions_project: Path) -> None:
    first = build_artifact(load(functions_project), aws_like_target())
    assert "faas.toml" not in names(first.path)
    toml = functions_project / "faas.toml"
    toml.write_text(toml.read_text().replace("[[functions]]", "[[functions]]\nmemory = 1024", 1))
    assert load(functions_project).config.functions[0].memory == 1024
    second = build_artifact(load(functions_project), aws_like_target())
    assert second.sha256 == first.sha256


def test_environment_values_never_reach_the_artifact(functions_project: Path) -> None:
    toml = functions_project / "faas.toml"
    toml.write_text(toml.read_text() + 'environment = { API_TOKEN = "${env:API_TOKEN}" }\n')
    project = load(functions_project, {"API_TOKEN": "tok-4f1e9c-secret"})
    artifact = build_artifact(project, aws_like_target())
    with zipfile.ZipFile(artifact.path) as archive:
        for name in archive.namelist():
            assert b"tok-4f1e9c-secret" not in archive.read(name), name
    assert "tok-4f1e9c-secret" not in artifact.manifest_path.read_text()


def test_bytecode_is_unchecked_hash_for_the_target_python(functions_project: Path) -> None:
    python = require_python("3.12")
    artifact = build_artifact(load(functions_project), aws_like_target())
    shipped = names(artifact.path)
    assert "jobs/__pycache__/resize.cpython-312.pyc" in shipped
    assert "faas/adapters/__pycache__/bootstrap.cpython-312.pyc" in shipped
    assert "__pycache__/faas_entry.cpython-312.pyc" in shipped
    unpacked = artifact.path.parent / "unpacked"
    with zipfile.ZipFile(artifact.path) as archive:
        archive.extractall(unpacked)
    # The target interpreter itself says the pyc matches the source and is never rechecked.
    check = (
        "import importlib.util, sys\n"
        "source = open('jobs/resize.py', 'rb').read()\n"
        "pyc = open('jobs/__pycache__/resize.cpython-312.pyc', 'rb').read()\n"
        "assert pyc[:4] == importlib.util.MAGIC_NUMBER\n"
        "assert int.from_bytes(pyc[4:8], 'little') == 0b01, 'hash-based, unchecked'\n"
        "assert pyc[8:16] == importlib.util.source_hash(source)\n"
    )
    subprocess.run([str(python), "-I", "-S", "-c", check], cwd=unpacked, check=True)
    assert artifact.manifest["bytecode"]["files"] >= 2


def test_without_target_interpreter_bytecode_is_skipped_with_a_message(
    functions_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bytecode_module, "find_interpreter", lambda version: None)
    reporter = NullReporter()
    artifact = build_artifact(load(functions_project), aws_like_target(), reporter=reporter)
    assert not [name for name in names(artifact.path) if name.endswith(".pyc")]
    assert any("no Python 3.12 interpreter" in message for message in reporter.messages)
    assert artifact.manifest["bytecode"] is None


def test_a_project_file_clashing_with_the_entry_module_is_an_error(functions_project: Path) -> None:
    (functions_project / "faas_entry.py").write_text("handler = None\n")
    with pytest.raises(PackagingError, match=r"faas_entry\.py"):
        build_artifact(load(functions_project), aws_like_target())


def test_extra_files_of_the_target_are_written(functions_project: Path) -> None:
    target = aws_like_target(extra_files=(("host.json", '{"version": "2.0"}\n'),))
    artifact = build_artifact(load(functions_project), target)
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.read("host.json") == b'{"version": "2.0"}\n'


def test_size_limit_names_the_projects_own_files_when_they_are_the_bulk(functions_project: Path) -> None:
    (functions_project / "data").mkdir()
    (functions_project / "data" / "model.bin").write_bytes(bytes(300 * 1024))
    target = aws_like_target(limits=SizeLimits(unzipped=200 * 1024, advice="Move data files to S3."))
    with pytest.raises(PackagingError, match=r"Biggest: the project's own files 0\.3 MB\. Move data files to S3\."):
        build_artifact(load(functions_project), target)


def test_bytecode_follows_the_target_python_version(functions_project: Path) -> None:
    require_python("3.13")
    artifact = build_artifact(load(functions_project), aws_like_target(python="3.13"))
    shipped = names(artifact.path)
    assert "jobs/__pycache__/resize.cpython-313.pyc" in shipped
    assert not [name for name in shipped if "cpython-312" in name]
    assert artifact.manifest["bytecode"]["version"].startswith("3.13.")


def test_packaging_imports_no_cloud_sdk() -> None:
    # Compared with the interpreter's start: a namespace .pth in the venv may import `google` itself.
    check = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import faas.core.packaging\n"
        "clouds = {'boto3', 'botocore', 'google', 'azure'}\n"
        "new = {name.split('.')[0] for name in set(sys.modules) - before}\n"
        "assert not clouds & new, sorted(clouds & new)\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True)


def test_bytecode_can_be_turned_off(functions_project: Path) -> None:
    toml = functions_project / "faas.toml"
    toml.write_text(toml.read_text() + "\n[package]\nbytecode = false\n")
    reporter = NullReporter()
    artifact = build_artifact(load(functions_project), aws_like_target(), reporter=reporter)
    assert not [name for name in names(artifact.path) if name.endswith(".pyc")]
    assert artifact.manifest["bytecode"] is None
    assert not [message for message in reporter.messages if "interpreter" in message]


def test_azure_route_prefix_reaches_the_runtime_settings(tmp_path: Path) -> None:
    from faas.providers.azure.provider import AzureProvider

    root = copy_project("functions", tmp_path)
    toml = root / "faas.toml"
    app_and_prefix = '\n[app]\nentry = "jobs.resize:handle"\n[providers.azure]\nroute_prefix = "v1"\n'
    toml.write_text(toml.read_text() + app_and_prefix)
    project = load(root)
    artifact = build_artifact(project, AzureProvider(project).package_target())
    with zipfile.ZipFile(artifact.path) as archive:
        runtime = json.loads(archive.read("faas_runtime.json"))
        host = json.loads(archive.read("host.json"))
    assert runtime["app"]["adapter_options"] == {"route_prefix": "v1"}
    assert host["extensions"]["http"]["routePrefix"] == "v1"
