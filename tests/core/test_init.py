from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from faas.core.config import load_project
from faas.core.errors import UsageError
from faas.core.init import detect_app, write_config


@pytest.fixture
def django_project(tmp_path: Path) -> Path:
    """A real `django-admin startproject` tree."""
    subprocess.run([sys.executable, "-m", "django", "startproject", "bestpuppers", str(tmp_path)], check=True)
    return tmp_path


def test_django_startproject_is_detected_with_its_settings_and_wsgi_app(django_project: Path) -> None:
    path, app = write_config(django_project)
    assert (app.entry, app.interface, app.framework) == ("bestpuppers.wsgi:application", "wsgi", "django")
    project = load_project(path)
    assert project.config.app is not None
    assert project.config.app.settings_module == "bestpuppers.settings"
    assert project.config.app.environment == {"DJANGO_SETTINGS_MODULE": "bestpuppers.settings"}
    assert "static" in project.config.storage
    assert set(tomllib.loads(path.read_text())["stages"]) == {"dev", "production"}
    assert load_project(path, "production").config.app.memory == 1024  # type: ignore[union-attr]


def test_django_asgi_is_chosen_with_interface_asgi(django_project: Path) -> None:
    _, app = write_config(django_project, interface="asgi")
    assert (app.entry, app.interface) == ("bestpuppers.asgi:application", "asgi")


def test_flask_app_object_is_detected(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "web.py").write_text("from flask import Flask\n\nweb_app = Flask(__name__)\n")
    path, app = write_config(tmp_path, name="shop-app")
    assert (app.entry, app.interface, app.framework) == ("shop.web:web_app", "wsgi", "flask")
    assert load_project(path).name == "shop-app"


def test_fastapi_app_is_detected_as_asgi(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("import fastapi\n\napp: fastapi.FastAPI = fastapi.FastAPI(title='x')\n")
    detected = detect_app(tmp_path)
    assert detected is not None
    assert (detected.entry, detected.interface, detected.framework) == ("main:app", "asgi", "fastapi")


FLASK_FACTORY = """import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    return app
"""


def test_a_flask_app_factory_is_detected_as_a_factory_entry(tmp_path: Path) -> None:
    (tmp_path / "flaskr").mkdir()
    (tmp_path / "flaskr" / "__init__.py").write_text(FLASK_FACTORY)
    path, app = write_config(tmp_path)
    assert (app.entry, app.interface, app.framework) == ("flaskr:create_app()", "wsgi", "flask")
    assert load_project(path).config.app.entry == "flaskr:create_app()"  # type: ignore[union-attr]


def test_a_fastapi_make_app_factory_is_asgi(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text("import fastapi\n\ndef make_app():\n    return fastapi.FastAPI()\n")
    detected = detect_app(tmp_path)
    assert detected is not None
    assert (detected.entry, detected.interface, detected.framework) == ("service:make_app()", "asgi", "fastapi")


@pytest.mark.parametrize(
    "source",
    [
        "from flask import Flask\n\ndef create_app(config):\n    return Flask(__name__)\n",  # needs an argument
        "from flask import Flask\n\ndef build(config=None):\n    return Flask(__name__)\n",  # not a factory name
        "def create_app():\n    return object()\n",  # makes no app
    ],
)
def test_what_is_not_a_usable_factory_is_not_detected(tmp_path: Path, source: str) -> None:
    (tmp_path / "factory.py").write_text(source)
    assert detect_app(tmp_path) is None


def test_an_app_object_wins_over_a_factory(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\ndef create_app():\n    return app\n"
    )
    assert detect_app(tmp_path).entry == "app:app"  # type: ignore[union-attr]


def test_existing_config_is_never_overwritten_without_force(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "faas.toml").write_text("# mine\n")
    with pytest.raises(UsageError, match="exists; use --force"):
        write_config(tmp_path)
    assert (tmp_path / "faas.toml").read_text() == "# mine\n"
    write_config(tmp_path, force=True)
    assert "app:app" in (tmp_path / "faas.toml").read_text()


def test_pyproject_with_tool_faas_counts_as_an_existing_config(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "pyproject.toml").write_text("[tool.faas]\nname = 'x'\n")
    with pytest.raises(UsageError, match=r"already has \[tool.faas\]"):
        write_config(tmp_path)


def test_nothing_detected_asks_for_entry(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("def run(payload):\n    return 1\n")
    with pytest.raises(UsageError, match=r"pass --entry module:attribute .* or --function module:attribute"):
        write_config(tmp_path)
    path, app = write_config(tmp_path, entry="tasks:run", name="tasks-app")
    assert app.entry == "tasks:run"
    assert load_project(path).config.app.entry == "tasks:run"  # type: ignore[union-attr]


def test_bad_entry_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="module:attribute"):
        write_config(tmp_path, entry="not-an-entry", name="demo-app")
    assert not (tmp_path / "faas.toml").exists()


def test_default_name_is_resource_safe(tmp_path: Path) -> None:
    folder = tmp_path / "My_Cool Site"
    folder.mkdir()
    (folder / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    path, _ = write_config(folder)
    assert load_project(path).name == "my-cool-site"


def test_a_project_declaring_no_dependency_gets_its_framework_in_requirements_txt(django_project: Path) -> None:
    from importlib import metadata

    write_config(django_project)
    requirements = (django_project / "requirements.txt").read_text().splitlines()
    assert f"Django=={metadata.version('django')}" in requirements


def test_declared_dependencies_are_left_alone(django_project: Path) -> None:
    (django_project / "requirements.txt").write_text("django>=5\npsycopg[binary]\n")
    write_config(django_project)
    assert (django_project / "requirements.txt").read_text() == "django>=5\npsycopg[binary]\n"


def test_handlers_without_a_web_app_make_a_functions_only_project(tmp_path: Path) -> None:
    (tmp_path / "reports.py").write_text(
        "def nightly_report(event, context):\n    return 1\n\n"
        "def _private(event, context):\n    return 2\n\n"
        "def helper(value):\n    return 3\n"
    )
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "__init__.py").write_text("async def resize(event, context):\n    return 4\n")
    path, app = write_config(tmp_path, name="reports-app")
    assert app is None
    project = load_project(path, "production")
    assert project.config.app is None
    assert [(f.name, f.entry) for f in project.config.functions] == [
        ("nightly-report", "reports:nightly_report"),
        ("resize", "jobs:resize"),
    ]
    assert "[app]" not in path.read_text()


def test_function_flag_adds_functions_beside_the_detected_app(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "tasks.py").write_text("def tick(event, context):\n    return 1\n")
    path, app = write_config(tmp_path, name="shop-app", functions=["tasks:tick", "cleanup=tasks:tick"])
    assert app is not None and app.framework == "flask"
    project = load_project(path, "production")
    assert project.config.app is not None and project.config.app.memory == 1024
    assert [(f.name, f.entry) for f in project.config.functions] == [("tick", "tasks:tick"), ("cleanup", "tasks:tick")]


def test_init_on_the_command_line_writes_a_functions_only_project(tmp_path: Path) -> None:
    from tests.core.plugins.conftest import run_faas

    (tmp_path / "tasks.py").write_text("def tick(event, context):\n    return 1\n")
    result = run_faas("init", "--name", "tasks-app", "--function", "tasks:tick", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "for the functions tick (tasks:tick)" in result.stdout
    assert [f.name for f in load_project(tmp_path / "faas.toml").config.functions] == ["tick"]
