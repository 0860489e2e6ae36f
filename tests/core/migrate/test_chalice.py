"""`faas import` of Chalice projects: .chalice/config.json plus the decorators in the code."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from faas.core.config import load_project
from faas.core.errors import ConfigError
from faas.core.model import ProjectConfig
from tests.core.migrate.conftest import entries, faas_import, import_json, plan_local, stage_config, written

CONFIG = """{
  "version": "2.0",
  "app_name": "media-app",
  // Chalice's own files have no comments, but hand-edited ones do.
  "environment_variables": {"SHARED": "top", "TABLE": "media-dev"},
  "lambda_memory_size": 256,
  "api_gateway_stage": "api",
  "lambda_functions": {
    "resize": {"lambda_timeout": 120, "environment_variables": {"IGNORED_BY_CHALICE": "1"}}
  },
  "stages": {
    "dev": {
      "environment_variables": {"APP_BUCKET_NAME": "media-dev-uploads", "STAGE": "dev"},
      "iam_policy_file": "policy-dev.json"
    },
    "prod": {
      "environment_variables": {"APP_BUCKET_NAME": "media-prod-uploads", "STAGE": "prod", "TABLE": "media-prod"},
      "lambda_memory_size": 1024,
      "lambda_functions": {
        "resize": {"lambda_memory_size": 3008, "environment_variables": {"RESIZE_QUALITY": 90}}
      },
      "tags": {"env": "prod"}
    }
  }
}
"""

APP = """\
import os

from chalice import Chalice, Cron, Rate

from chalicelib import settings
from chalicelib.jobs import bp

app = Chalice(app_name="media-app")
app.register_blueprint(bp)

QUEUES = {"dev": "jobs-dev", "prod": "jobs-prod"}
STAGE = os.environ.get("STAGE", "dev")
NIGHTLY = Cron(0, 3, "?", "*", "MON-FRI", "*")
UPLOADS = make_bucket_name()


@app.route("/")
def index():
    return {"hello": "world"}


@app.schedule(Rate(1, unit=Rate.HOURS))
def hourly(event):
    pass


@app.schedule(NIGHTLY, name="nightly-report")
def nightly(event):
    pass


# @app.schedule("rate(5 minutes)")
def not_scheduled(event):
    pass


@app.on_s3_event(bucket=os.environ.get("APP_BUCKET_NAME"), events=["s3:ObjectCreated:*"], prefix="images/",
                 suffix=".jpg")
def resize(event):
    pass


@app.on_sqs_message(queue=QUEUES[STAGE], batch_size=5)
def work(event):
    pass


@app.on_sqs_message(queue=settings.QUEUE_NAME)
def emails(event):
    pass


@app.on_s3_event(bucket=UPLOADS)
def archive(event):
    pass


@app.on_sns_message(topic="alerts")
def alerts(event):
    pass


@app.lambda_function(name="custom-fn")
def custom(event, context):
    return {}
"""

JOBS = """\
from chalice import Blueprint

bp = Blueprint(__name__)


@bp.schedule("cron(0 12 ? * 2 *)")
def weekly_digest(event):
    pass
"""

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:*"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::media-dev-uploads/*"]},
    ],
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(CONFIG)
    (tmp_path / ".chalice" / "policy-dev.json").write_text(json.dumps(POLICY))
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "chalicelib").mkdir()
    (tmp_path / "chalicelib" / "__init__.py").write_text("")
    (tmp_path / "chalicelib" / "jobs.py").write_text(JOBS)
    (tmp_path / "chalicelib" / "settings.py").write_text('QUEUE_NAME = "emails"\n')
    return tmp_path


def triggers(config: ProjectConfig) -> dict[str, list[object]]:
    return {f.name: [t.model_dump(mode="json") for t in f.triggers] for f in config.functions}


def test_decorators_become_functions_with_triggers_per_stage(project: Path) -> None:
    document = import_json(cwd=project)
    assert document["format"] == "chalice"
    assert written(project / "faas.toml") == document["config"]
    dev = stage_config(project / "faas.toml", "dev")
    prod = stage_config(project / "faas.toml", "prod")
    assert triggers(dev) == {
        "hourly": [{"schedule": "rate(1 hour)"}],
        "nightly-report": [{"schedule": "cron(0 3 * * MON-FRI)"}],
        "resize": [
            {"storage": {"bucket": "media-dev-uploads", "events": ["created"], "prefix": "images/", "suffix": ".jpg"}}
        ],
        # Chalice's batch size default is 1, written out.
        "work": [{"queue": {"name": "jobs-dev", "batch_size": 5}}],
        "emails": [{"queue": {"name": "emails", "batch_size": 1}}],
        "archive": [],
        "alerts": [{"topic": {"name": "alerts"}}],  # @app.on_sns_message(topic="alerts")
        "custom-fn": [],
        "weekly-digest": [{"schedule": "cron(0 12 * * MON)"}],
    }
    prod_triggers = triggers(prod)
    # Each stage's own environment decides: STAGE and APP_BUCKET_NAME are prod's there.
    assert prod_triggers["work"] == [{"queue": {"name": "jobs-prod", "batch_size": 5}}]
    assert prod_triggers["resize"][0]["storage"]["bucket"] == "media-prod-uploads"  # type: ignore[index]
    functions = {f.name: f for f in dev.functions}
    assert functions["resize"].entry == "app:resize"
    assert functions["weekly-digest"].entry == "chalicelib.jobs:weekly_digest"
    plan_local(project, "dev")


def test_settings_follow_chalices_lookup_and_merge_order(project: Path) -> None:
    document = import_json(cwd=project)
    dev = {f.name: f for f in stage_config(project / "faas.toml", "dev").functions}
    prod = {f.name: f for f in stage_config(project / "faas.toml", "prod").functions}
    assert (dev["resize"].memory, dev["resize"].timeout) == (256, 120)
    assert (dev["hourly"].memory, dev["hourly"].timeout) == (256, 60)  # Chalice's 60 s default, written out
    assert (prod["resize"].memory, prod["hourly"].memory) == (3008, 1024)
    assert dev["resize"].environment == {
        "SHARED": "top",
        "TABLE": "media-dev",
        "APP_BUCKET_NAME": "media-dev-uploads",
        "STAGE": "dev",
    }
    assert prod["resize"].environment["RESIZE_QUALITY"] == "90" and "RESIZE_QUALITY" not in prod["hourly"].environment
    assert prod["resize"].environment["TABLE"] == "media-prod"
    report = entries(document)
    quirk = report["lambda_functions.resize.environment_variables"]
    assert quirk["status"] == "warn" and "does not merge" in quirk["reason"]
    config = document["config"]
    assert config["stages"]["dev"]["providers"]["aws"]["iam_statements"] == [
        {"effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::media-dev-uploads/*"]}
    ]
    assert config["stages"]["prod"]["providers"]["aws"]["tags"] == {"env": "prod"}


def test_code_entries_name_the_route_and_the_unresolved_constant(project: Path) -> None:
    report = entries(import_json(cwd=project))
    route = report["app.py:index:route"]
    assert route["status"] == "warn" and "route /" in route["reason"] and "Flask or FastAPI" in route["reason"]
    archive = report["app.py:archive:on_s3_event"]
    assert archive["status"] == "warn" and "constant UPLOADS" in archive["reason"]
    assert "kept without the trigger" in archive["reason"]
    assert report["app.py:alerts:on_sns_message"]["status"] == "warn"
    assert report["app.py:hourly:schedule"]["status"] == "mapped"
    assert report["api_gateway_stage"]["status"] == "warn"
    assert not any("not_scheduled" in key for key in report), "a commented-out decorator does not exist"


def test_a_route_only_app_still_imports(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text('{"version": "2.0", "app_name": "hello", "stages": {"dev": {}}}')
    (tmp_path / "app.py").write_text(
        'from chalice import Chalice\napp = Chalice(app_name="hello")\n\n@app.route("/")\ndef index():\n'
        '    return {"hello": "world"}\n'
    )
    result = faas_import(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Nothing faas can deploy" in result.stdout
    text = (tmp_path / "faas.toml").read_text()
    assert "Nothing here for faas to deploy" in text
    ProjectConfig.model_validate({key: value for key, value in tomllib.loads(text).items()})
    with pytest.raises(ConfigError, match="nothing to deploy"):
        load_project(tmp_path / "faas.toml", "dev", environ={})
    document = import_json("--force", cwd=tmp_path)
    assert entries(document)["app.py:index:route"]["status"] == "warn"


def test_the_chalice_folder_is_a_source_and_faas_toml_goes_to_the_project_root(project: Path) -> None:
    result = faas_import(".chalice", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "faas.toml").is_file() and not (project / ".chalice" / "faas.toml").exists()


def test_decorator_arguments_never_come_from_the_importers_environment(project: Path) -> None:
    result = faas_import("--json", cwd=project, env={"APP_BUCKET_NAME": "my-laptop-bucket", "STAGE": "prod"})
    assert result.returncode == 0, result.stderr
    assert "my-laptop-bucket" not in result.stdout
    dev = triggers(stage_config(project / "faas.toml", "dev"))
    assert dev["work"] == [{"queue": {"name": "jobs-dev", "batch_size": 5}}]
