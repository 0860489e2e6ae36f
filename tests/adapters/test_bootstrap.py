"""build(platform) reads faas_runtime.json next to the entry module and wires the platform."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from faas.adapters.bootstrap import build
from faas.adapters.errors import ConfigError
from tests.adapters.events import make_sqs_event, make_v1_event
from tests.adapters.project import Project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("FAAS_FUNCTION", raising=False)
    monkeypatch.delenv("FAAS_PRIVATE", raising=False)
    return Project(tmp_path, app_extra={"base_path": "/shop"})


class TestBuild:
    def test_reads_config_next_to_the_calling_entry_module(self, project):
        entry = project.root / "faas_entry.py"
        entry.write_text("from faas.adapters.bootstrap import build\nhandler = build('aws')\n")
        script = textwrap.dedent(f"""
            import json, sys
            sys.path.insert(0, {str(project.root)!r})
            from faas_entry import handler
            from tests.adapters.events import make_v1_event
            print(json.dumps(handler(make_v1_event("GET", "/shop/x", host="example.com"), None)))
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
        result = json.loads(out.stdout.splitlines()[-1])
        assert json.loads(result["body"]) == {"path": "/x", "script": "/shop"}

    def test_app_is_imported_at_build_time(self, project):
        assert project.webapp not in sys.modules
        build("aws", root=project.root)
        assert project.webapp in sys.modules  # during the init phase, not on the first request

    def test_functions_are_imported_on_first_use(self, project):
        handler = build("aws", root=project.root)
        assert project.tasks not in sys.modules
        handler(make_sqs_event("thumbnails"), None)
        assert project.tasks in sys.modules

    def test_single_function_deployment_skips_the_web_app(self, project, monkeypatch):
        monkeypatch.setenv("FAAS_FUNCTION", "thumbnails")
        handler = build("aws", root=project.root)
        assert project.webapp not in sys.modules
        assert handler(make_sqs_event("thumbnails"), None) == {"ran": "thumbs"}

    def test_base_path_option_from_config(self, project):
        handler = build("aws", root=project.root)
        result = handler(make_v1_event("GET", "/shop/items", host="example.com"), None)
        assert json.loads(result["body"]) == {"path": "/items", "script": "/shop"}

    def test_functions_only_project(self, tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(str(tmp_path))
        project = Project(tmp_path, app=False)
        handler = build("aws", root=project.root)
        with pytest.raises(Exception, match="unknown aws event"):
            handler(make_v1_event(), None)
        assert handler(make_sqs_event("thumbnails"), None) == {"ran": "thumbs"}

    def test_missing_config(self, tmp_path):
        with pytest.raises(ConfigError, match=r"faas_runtime\.json not found"):
            build("aws", root=tmp_path)

    def test_unsupported_format(self, tmp_path):
        (tmp_path / "faas_runtime.json").write_text(json.dumps({"format": 2}))
        with pytest.raises(ConfigError, match="unsupported format 2"):
            build("aws", root=tmp_path)

    def test_bad_entry(self, tmp_path):
        (tmp_path / "faas_runtime.json").write_text(
            json.dumps({"format": 1, "app": {"entry": "no_such_module_xyz:app"}, "functions": {}})
        )
        with pytest.raises(ConfigError, match="cannot import 'no_such_module_xyz'"):
            build("aws", root=tmp_path)

    def test_a_missing_dependency_names_it_where_it_is_imported_and_what_to_check(self, tmp_path, monkeypatch):
        import traceback

        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.chdir(tmp_path)
        (tmp_path / "shop_app.py").write_text("import shop_helpers\n\napp = None\n")
        (tmp_path / "shop_helpers.py").write_text("import os\nimport no_such_dependency_xyz\n")
        (tmp_path / "faas_runtime.json").write_text(
            json.dumps({"format": 1, "app": {"entry": "shop_app:app"}, "functions": {}})
        )
        with pytest.raises(ConfigError) as caught:
            build("aws", root=tmp_path)
        assert not isinstance(caught.value, ImportError), "awslambdaric would drop the traceback of an ImportError"
        assert str(caught.value) == (
            "aws: cannot import 'shop_app' for entry 'shop_app:app': No module named 'no_such_dependency_xyz' "
            "(imported at shop_helpers.py, line 2); is it in the project's dependencies (requirements.txt)?"
        )
        # The user's frames are in the error's own traceback: a runtime printing it shows them.
        frames = [
            (Path(frame.filename).name, frame.lineno) for frame in traceback.extract_tb(caught.value.__traceback__)
        ]
        assert frames[-2:] == [("shop_app.py", 1), ("shop_helpers.py", 2)]

    def test_a_missing_entry_module_says_to_check_the_entry(self, tmp_path):
        (tmp_path / "faas_runtime.json").write_text(
            json.dumps({"format": 1, "app": {"entry": "no_such_module_xyz:app"}, "functions": {}})
        )
        with pytest.raises(ConfigError, match=r"No module named 'no_such_module_xyz'; is the entry right"):
            build("aws", root=tmp_path)

    def test_unknown_platform(self, project):
        with pytest.raises(ConfigError, match="unknown platform 'heroku': known are aws, azure, gcp"):
            build("heroku", root=project.root)

    def test_errors_name_the_platform_they_came_from(self, tmp_path):
        (tmp_path / "faas_runtime.json").write_text(json.dumps({"format": 1, "app": None, "functions": {"f": {}}}))
        with pytest.raises(ConfigError, match=r"^gcp: function 'f' has no 'entry' string") as caught:
            build("gcp", root=tmp_path)
        assert caught.value.platform == "gcp"


class TestPlatformRegistry:
    """A third-party platform joins the contract without faas knowing it (docs/runtime-contract.md)."""

    def test_a_registered_platform_gets_the_runtime(self, project, monkeypatch):
        from faas.adapters import bootstrap

        monkeypatch.setattr(bootstrap, "_PLATFORMS", dict(bootstrap._PLATFORMS))
        seen = []

        def acme(runtime):
            seen.append(runtime)
            return lambda name, event: runtime.dispatcher.call(name, event, None)

        bootstrap.register_platform("acme", acme)
        assert "acme" in bootstrap.platforms()
        entry = build("acme", root=project.root)
        assert seen[0].platform == "acme"
        assert seen[0].triggers()["thumbnails"][0]["queue"] == "thumbnails"
        assert entry("thumbnails", {"m": 1}) == {"ran": "thumbs"}

    def test_a_platform_cannot_be_taken_twice(self, monkeypatch):
        from faas.adapters import bootstrap

        monkeypatch.setattr(bootstrap, "_PLATFORMS", dict(bootstrap._PLATFORMS))
        with pytest.raises(ConfigError, match=r"platform 'aws' is already registered by faas\.adapters\.bootstrap\."):
            bootstrap.register_platform("aws", lambda runtime: None)

    def test_an_entry_point_platform_is_found_only_when_asked_for(self, project, tmp_path, monkeypatch):
        # A real installed distribution declaring [faas.platforms], found by importlib.metadata.
        site = tmp_path / "site"
        (site / "acme_faas").mkdir(parents=True)
        (site / "acme_faas" / "__init__.py").write_text(
            "def bootstrap(runtime):\n    return ('acme', runtime.platform)\n"
        )
        info = site / "acme_faas-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-faas\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text("[faas.platforms]\nacme = acme_faas:bootstrap\n")
        monkeypatch.syspath_prepend(str(site))
        from faas.adapters import bootstrap

        monkeypatch.setattr(bootstrap, "_PLATFORMS", dict(bootstrap._PLATFORMS))
        assert build("acme", root=project.root) == ("acme", "acme")
        assert "acme" in bootstrap.platforms()

    def test_django_settings_module_is_set_before_import(self, tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
        project = Project(tmp_path, app_extra={"framework": "django", "settings_module": "mysite.settings"})
        build("aws", root=project.root)
        import os

        assert os.environ["DJANGO_SETTINGS_MODULE"] == "mysite.settings"
        monkeypatch.delenv("DJANGO_SETTINGS_MODULE")


@pytest.fixture
def azure_project(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("FAAS_FUNCTION", raising=False)
    return Project(tmp_path, app_extra={"base_path": "/shop"}, platform="azure")


class TestAzureApp:
    def test_function_app_declares_routes_and_triggers(self, azure_project):
        func = pytest.importorskip("azure.functions")
        project = azure_project
        app = build("azure", root=project.root)
        assert isinstance(app, func.FunctionApp)
        functions = {f.get_function_name(): f for f in app.get_functions()}
        assert {
            "faas_http",
            "faas_invoke",
            "faas_nightly_report_schedule_0",
            "faas_thumbnails_queue_0",
            "faas_on_upload_storage_0",
            "faas_alerts_topic_0",
        } <= set(functions)
        bindings = {name: [b.get_dict_repr() for b in f.get_bindings()] for name, f in functions.items()}
        http = next(b for b in bindings["faas_http"] if b["type"] == "httpTrigger")
        assert http["route"] == "{*route}"
        invoke = next(b for b in bindings["faas_invoke"] if b["type"] == "httpTrigger")
        assert getattr(invoke["authLevel"], "value", None) == "function"  # the envelope needs a function key
        assert "faas_on_delete_storage_0" not in functions  # blob triggers cannot fire on deletion
        timer = next(b for b in bindings["faas_nightly_report_schedule_0"] if b["type"] == "timerTrigger")
        assert timer["schedule"] == "0 0 */4 * * *"
        blob = next(b for b in bindings["faas_on_upload_storage_0"] if b["type"] == "blobTrigger")
        assert blob["path"] == "uploads/img/{name}.jpg"
        grid = next(b for b in bindings["faas_alerts_topic_0"] if b["type"] == "eventGridTrigger")
        assert grid["name"] == "event"

    def test_trigger_functions_call_the_user_function(self, azure_project):
        func = pytest.importorskip("azure.functions")
        project = azure_project
        app = build("azure", root=project.root)
        functions = {f.get_function_name(): f for f in app.get_functions()}
        message = func.QueueMessage(id="m1", body=b"resize")
        functions["faas_thumbnails_queue_0"].get_user_function()(message)
        assert project.calls() == [("thumbs", {"type": "queue", "queue": "thumbnails", "id": "m1", "body": "resize"})]

    def test_topic_function_gets_the_event_grid_event(self, azure_project):
        func = pytest.importorskip("azure.functions")
        app = build("azure", root=azure_project.root)
        functions = {f.get_function_name(): f for f in app.get_functions()}
        event = func.EventGridEvent(
            id="e1",
            data={"level": "high"},
            topic="/subscriptions/s/resourceGroups/g/providers/Microsoft.EventGrid/topics/alerts",
            subject="alerts/1",
            event_type="faas.alert",
            event_time=None,
            data_version="1",
        )
        functions["faas_alerts_topic_0"].get_user_function()(event)
        assert azure_project.calls() == [
            (
                "alerts",
                {
                    "type": "topic",
                    "topic": "alerts",
                    "id": "e1",
                    "subject": "alerts/1",
                    "event_type": "faas.alert",
                    "data": {"level": "high"},
                },
            )
        ]

    def test_a_schedule_not_packaged_for_azure_names_the_platform(self, tmp_path, monkeypatch):
        pytest.importorskip("azure.functions")
        monkeypatch.syspath_prepend(str(tmp_path))
        functions = {
            "tick": {"entry": "m:f", "triggers": [{"type": "schedule", "name": "t", "expression": "rate(1 hour)"}]}
        }
        Project(tmp_path, functions=functions, platform="azure")
        with pytest.raises(ConfigError, match=r"^azure: function 'tick': schedule 'rate\(1 hour\)' has no NCRONTAB"):
            build("azure", root=tmp_path)

    def test_http_function_serves_the_app(self, azure_project):
        func = pytest.importorskip("azure.functions")
        project = azure_project
        app = build("azure", root=project.root)
        functions = {f.get_function_name(): f for f in app.get_functions()}
        req = func.HttpRequest("GET", "https://x.azurewebsites.net/api/shop/a", headers={}, body=b"")
        response = functions["faas_http"].get_user_function()(req)
        assert json.loads(response.get_body()) == {"path": "/a", "script": "/api/shop"}

    def test_route_prefix_from_the_runtime_settings(self, tmp_path, monkeypatch):
        # host.json's routePrefix is the provider's option; it reaches the adapter through
        # faas_runtime.json's app.adapter_options so SCRIPT_NAME matches the public URL.
        func = pytest.importorskip("azure.functions")
        monkeypatch.syspath_prepend(str(tmp_path))
        Project(tmp_path, app_extra={"base_path": "/shop", "adapter_options": {"route_prefix": "v1"}}, platform="azure")
        app = build("azure", root=tmp_path)
        functions = {f.get_function_name(): f for f in app.get_functions()}
        req = func.HttpRequest("GET", "https://x.azurewebsites.net/v1/shop/a", headers={}, body=b"")
        response = functions["faas_http"].get_user_function()(req)
        assert json.loads(response.get_body()) == {"path": "/a", "script": "/v1/shop"}
