"""Dependencies come from the project's own declaration, locked versions first."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas.core.errors import PackagingError
from faas.core.packaging.dependencies import detect_declaration

PYPROJECT = """
[project]
name = "shop"
version = "1.0"
dependencies = ["django>=5", "psycopg[binary]"]
"""

UV_LOCK = """
version = 1
requires-python = ">=3.12"

[[package]]
name = "shop"
version = "1.0"
source = { editable = "." }

[[package]]
name = "Django"
version = "5.2.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "psycopg"
version = "3.2.9"
source = { registry = "https://pypi.org/simple" }
"""

POETRY_PYPROJECT = """
[tool.poetry]
name = "shop"

[tool.poetry.dependencies]
python = "^3.12"
Django = "^5.0"
psycopg = { version = "^3.2", extras = ["binary"] }
"""

POETRY_LOCK = """
[[package]]
name = "django"
version = "5.1.4"

[[package]]
name = "psycopg"
version = "3.2.3"
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_uv_lock_pins_constrain_pyproject(tmp_path: Path) -> None:
    # requirements.txt is there too: the lock file wins.
    root = write(tmp_path, {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK, "requirements.txt": "flask\n"})
    declaration = detect_declaration(root)
    assert declaration.requirements == ("django>=5", "psycopg[binary]")
    assert declaration.constraints == ("django==5.2.1", "psycopg==3.2.9")
    assert declaration.sources == ("pyproject.toml", "uv.lock")


def test_poetry_lock(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": POETRY_PYPROJECT, "poetry.lock": POETRY_LOCK})
    declaration = detect_declaration(root)
    assert declaration.requirements == ("Django", "psycopg[binary]")
    assert declaration.constraints == ("django==5.1.4", "psycopg==3.2.3")


def test_requirements_txt_with_includes_constraints_and_hashes(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "requirements.txt": "# web\n-r requirements/base.txt\n-c constraints.txt\n-f ./wheelhouse\n"
            "requests==2.32.5 \\\n    --hash=sha256:abc\n--index-url https://example.invalid/simple\n",
            "requirements/base.txt": "django>=5  # the framework\n",
            "constraints.txt": "urllib3<3\n",
            "pyproject.toml": PYPROJECT,
        },
    )
    declaration = detect_declaration(root)
    assert declaration.requirements == ("django>=5", "requests==2.32.5")
    assert declaration.constraints == ("urllib3<3",)
    assert declaration.find_links == (str((root / "wheelhouse").resolve()),)
    assert set(declaration.sources) == {"requirements.txt", "requirements/base.txt", "constraints.txt"}


def test_pyproject_dependencies_alone(tmp_path: Path) -> None:
    declaration = detect_declaration(write(tmp_path, {"pyproject.toml": PYPROJECT}))
    assert declaration.requirements == ("django>=5", "psycopg[binary]")
    assert declaration.constraints == ()


def test_explicit_requirements_file_overrides_detection(tmp_path: Path) -> None:
    root = write(tmp_path, {"uv.lock": UV_LOCK, "pyproject.toml": PYPROJECT, "deploy/reqs.txt": "flask==3.1.0\n"})
    assert detect_declaration(root, "deploy/reqs.txt").requirements == ("flask==3.1.0",)
    with pytest.raises(PackagingError, match=r"missing\.txt"):
        detect_declaration(root, "missing.txt")


def test_nothing_declared(tmp_path: Path) -> None:
    assert detect_declaration(tmp_path).empty


def test_editable_requirement_is_refused(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "-e ../lib\n"})
    with pytest.raises(PackagingError, match="editable"):
        detect_declaration(root)
