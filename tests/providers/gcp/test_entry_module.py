"""The gcp artifact's generated entry module never takes a name the user's code uses.

Cloud Functions' buildpack loads `main.py` unless the build environment names another file in
GOOGLE_FUNCTION_SOURCE; a FastAPI app conventionally lives in main.py, so faas generates
`faas_entry.py` and names it there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from faas.providers.gcp.provider import BUILD_ENVIRONMENT, ENTRY_MODULE

pytestmark = pytest.mark.slow  # builds real artifacts against the package index
FAAS = Path(sys.executable).parent / "faas"
FASTAPI_MAIN = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/')\ndef index():\n    return {'ok': True}\n"
)


def package(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FAAS), "package", "--provider", "gcp"], cwd=project, capture_output=True, text=True, env=os.environ
    )


@pytest.fixture
def fastapi_main(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(FASTAPI_MAIN)
    subprocess.run([str(FAAS), "init"], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


def test_a_fastapi_main_py_is_packaged_as_the_users_and_the_entry_beside_it(fastapi_main: Path) -> None:
    result = package(fastapi_main)
    assert result.returncode == 0, result.stderr
    [artifact] = (fastapi_main / ".faas" / "build" / "dev" / "gcp").glob("*.zip")
    with zipfile.ZipFile(artifact) as archive:
        assert archive.read("main.py").decode() == FASTAPI_MAIN
        # The file the buildpack is told to load is the generated entry, not the user's main.py.
        entry = archive.read(BUILD_ENVIRONMENT["GOOGLE_FUNCTION_SOURCE"]).decode()
    assert ENTRY_MODULE != "main"
    assert 'handler = build("gcp")' in entry


def test_a_project_file_with_the_entry_modules_name_is_refused(fastapi_main: Path) -> None:
    (fastapi_main / f"{ENTRY_MODULE}.py").write_text("x = 1\n")
    result = package(fastapi_main)
    assert result.returncode != 0
    assert f"the project has {ENTRY_MODULE}.py, which faas generates in the artifact" in result.stderr
    assert "rename or exclude it" in result.stderr
