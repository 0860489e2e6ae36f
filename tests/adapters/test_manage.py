"""Django management commands run inside the function, with captured output and exit status."""

from __future__ import annotations

import json

import pytest

from faas.adapters.bootstrap import build
from faas.adapters.errors import ManageError
from faas.adapters.manage import run_management_command
from tests.adapters.events import make_v2_event
from tests.adapters.project import Project


@pytest.fixture(autouse=True)
def _django(django_app):
    """The in-process Django project (settings configured, the 'greet' command installed)."""


class TestRunManagementCommand:
    def test_output_of_stdout_stderr_and_print_in_order(self):
        result = run_management_command(["greet", "bob"])
        assert result["exit_status"] == 0
        assert result["output"].splitlines() == ["hello bob", "to stderr", "printed"]

    def test_command_error_exits_1_with_message(self):
        result = run_management_command(["greet", "bob", "--fail"])
        assert result["exit_status"] == 1
        assert "CommandError: cannot greet bob" in result["output"]

    def test_sys_exit_code_is_the_exit_status(self):
        result = run_management_command(["greet", "bob", "--exit", "3"])
        assert result["exit_status"] == 3
        assert "hello bob" in result["output"]

    def test_unknown_command(self):
        result = run_management_command(["nosuchcommand"])
        assert result["exit_status"] == 1
        assert "Unknown command: 'nosuchcommand'" in result["output"]

    def test_builtin_command_with_arguments(self):
        result = run_management_command(["check", "--deploy", "--fail-level", "CRITICAL"])
        assert result["exit_status"] == 0
        assert "System check identified" in result["output"]

    def test_argv_must_be_strings(self):
        with pytest.raises(ManageError):
            run_management_command("migrate")  # type: ignore[arg-type]


class TestEnvelope:
    def test_manage_envelope_through_the_lambda_handler(self, tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delenv("FAAS_FUNCTION", raising=False)
        project = Project(tmp_path)
        handler = build("aws", root=project.root)
        assert handler({"faas": {"manage": ["greet", "ann"]}}, None) == {
            "exit_status": 0,
            "output": "hello ann\nto stderr\nprinted\n",
        }

    def test_manage_is_not_reachable_through_a_public_http_route(self, tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(str(tmp_path))
        project = Project(tmp_path)
        handler = build("aws", root=project.root)
        event = make_v2_event("POST", "/", body=json.dumps({"faas": {"manage": ["greet", "x"]}}))
        result = handler(event, None)
        assert json.loads(result["body"]) == {"path": "/", "script": ""}  # the app got it, as a request


FLASK_FACTORY = """
import click
from flask import Flask

def create_app(test_config=None):
    app = Flask(__name__)

    @app.cli.command("init-db")
    def init_db():
        click.echo("Initialized the database.")

    @app.cli.command("fail")
    def fail():
        raise click.ClickException("no database here")

    return app
"""


class TestFlaskCommands:
    """`faas manage init-db` on a Flask app: the app's own CLI commands, as `flask --app` runs them."""

    @pytest.fixture
    def handler(self, tmp_path, monkeypatch):
        module = f"flaskr_{tmp_path.name.replace('-', '_')}"
        (tmp_path / f"{module}.py").write_text(FLASK_FACTORY)
        runtime = {"format": 1, "platform": "aws", "app": {"entry": f"{module}:create_app()", "framework": "flask"}}
        (tmp_path / "faas_runtime.json").write_text(json.dumps(runtime))
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delenv("FAAS_FUNCTION", raising=False)
        return build("aws", root=tmp_path)

    def test_the_apps_command_runs_through_the_envelope(self, handler):
        assert handler({"faas": {"manage": ["init-db"]}}, None) == {
            "exit_status": 0,
            "output": "Initialized the database.\n",
        }

    def test_a_click_error_is_its_message_and_exit_status(self, handler):
        result = handler({"faas": {"manage": ["fail"]}}, None)
        assert result == {"exit_status": 1, "output": "Error: no database here\n"}

    def test_an_unknown_command_says_so(self, handler):
        result = handler({"faas": {"manage": ["nope"]}}, None)
        assert result["exit_status"] == 2
        assert "No such command 'nope'" in result["output"]
