"""Flask and Django projects packaged for real (wheels vendored for Lambda) and deployed to moto."""

from __future__ import annotations

import zipfile
from typing import Any

import boto3
import pytest

from faas.core import workflow

from .conftest import deploy, open_aws

pytestmark = pytest.mark.slow

FLASK_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return {"hello": "flask"}
"""

DJANGO_SETTINGS = """
import os
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only")
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = ["django.contrib.staticfiles"]
MIDDLEWARE = []
STATIC_URL = os.environ.get("FAAS_STATIC_URL", "/static/")
STATIC_ROOT = "staticfiles"
STATICFILES_DIRS = ["assets"]
DATABASES = {}
"""

DJANGO_URLS = """
from django.http import JsonResponse
from django.urls import path

urlpatterns = [path("", lambda request: JsonResponse({"hello": "django"}))]
"""

DJANGO_WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
"""


def test_flask_app(write_project: Any) -> None:
    config = '[app]\nentry = "hello:app"\nframework = "flask"\n[providers.aws]\narchitecture = "arm64"\n'
    project = write_project(config, files={"hello.py": FLASK_APP, "requirements.txt": "flask>=3\n"})
    provider, outcome = deploy(project)
    with zipfile.ZipFile(outcome.artifact.path) as archive:
        names = set(archive.namelist())
    assert "faas_entry.py" in names and "faas_runtime.json" in names
    assert any(n.startswith("flask/") for n in names)
    assert not any(n.startswith(("boto3/", "botocore/")) for n in names), "boto3 is left to the Lambda runtime"
    config_ = boto3.client("lambda").get_function_configuration(FunctionName=provider.deployment.names.function(""))
    assert config_["Architectures"] == ["arm64"]
    assert config_["Handler"] == "faas_entry.handler"
    assert outcome.result.url
    assert workflow.deploy(open_aws(project)).plan.is_empty


def test_django_app_with_static_files(write_project: Any) -> None:
    config = (
        '[app]\nentry = "mysite.wsgi:application"\nframework = "django"\nsettings_module = "mysite.settings"\n'
        "[storage.static]\npublic = true\n"
    )
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": DJANGO_SETTINGS,
        "mysite/urls.py": DJANGO_URLS,
        "mysite/wsgi.py": DJANGO_WSGI,
        "assets/site.css": "body { margin: 0 }",
        "requirements.txt": "django>=5,<6\n",
    }
    project = write_project(config, files=files)
    provider, outcome = deploy(project)
    with zipfile.ZipFile(outcome.artifact.path) as archive:
        assert any(n.startswith("django/") for n in archive.namelist())
    env = boto3.client("lambda").get_function_configuration(FunctionName=provider.deployment.names.function(""))
    bucket = env["Environment"]["Variables"]["FAAS_STATIC_BUCKET"]
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert "site.css" in keys or any(k.endswith("site.css") for k in keys), keys
    again = workflow.deploy(open_aws(project))
    assert again.plan.is_empty, again.plan.render()
    css = sorted(k for k in keys if k.endswith(".css"))[0]
    assert boto3.client("s3").get_object(Bucket=bucket, Key=css)["Body"].read() == b"body { margin: 0 }"
