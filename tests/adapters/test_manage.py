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
