from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faas.core.interpreters import find_interpreter, full_version, host_version
from tests.core.packaging.conftest import require_python


def test_the_running_interpreter_serves_its_own_version() -> None:
    assert find_interpreter(host_version()) == Path(sys.executable)


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_other_versions_are_found_and_really_are_that_version(version: str) -> None:
    found = require_python(version)
    printed = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert printed.stdout.strip() == str(tuple(int(part) for part in version.split(".")))
    assert full_version(str(found)).startswith(version + ".")  # type: ignore[union-attr]


def test_a_version_that_is_not_installed_is_none() -> None:
    assert find_interpreter("3.1") is None


def test_something_that_is_not_python_has_no_version(tmp_path: Path) -> None:
    fake = tmp_path / "python3.99"
    fake.write_text("#!/bin/sh\necho cpython 3.99.0\nexit 1\n")
    fake.chmod(0o755)
    assert full_version(str(fake)) is None
