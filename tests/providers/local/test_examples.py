"""The examples, deployed locally and fetched over HTTP, as the README's quick start does."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from faas.core import workflow
from faas.core.config import load_project
from faas.core.results import DeployResult
from faas.providers.local.provider import LocalProvider

from .conftest import get, stop_all

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def deploy_example(name: str, target: Path, emulate: str | None = None) -> tuple[LocalProvider, DeployResult]:
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".faas", "__pycache__", "staticfiles"))
    if emulate:
        with (target / "faas.toml").open("a") as config:
            config.write(f'\n[providers.local]\nemulate = "{emulate}"\n')
    provider = workflow.open_provider(load_project(target / "faas.toml"), "local")
    assert isinstance(provider, LocalProvider)
    outcome = workflow.deploy(provider)
    assert outcome.result is not None and outcome.result.url
    return provider, outcome.result


@pytest.fixture(scope="module")
def django_site(tmp_path_factory) -> Iterator[tuple[LocalProvider, DeployResult]]:
    root = tmp_path_factory.mktemp("django")
    yield deploy_example("django", root / "site")
    stop_all(root)


class TestDjango:
    def test_admin_login_page_sets_its_csrf_cookie(self, django_site):
        _, result = django_site
        status, headers, body = get(result.url + "/admin/login/")
        assert status == 200, body[:500]
        assert b'name="csrfmiddlewaretoken"' in body
        assert any(cookie.startswith("csrftoken=") for cookie in headers.get("set-cookie", []))

    def test_admin_redirects_to_login(self, django_site):
        _, result = django_site
        status, _, _ = get(result.url + "/admin/")
        assert status == 200  # urllib follows the 302 to the login page

    def test_static_css_is_served(self, django_site):
        _, result = django_site
        _, _, page = get(result.url + "/admin/login/")
        stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+\.css)"', page)
        assert stylesheets
        # FAAS_STATIC_URL: an absolute URL of the local static bucket, on the gateway's origin.
        css_url = urljoin(result.url + "/", stylesheets[0].decode())
        assert css_url.startswith(result.url + "/static/")
        status, headers, css = get(css_url)
        assert status == 200
        assert headers["content-type"][0].startswith("text/css")
        assert b"{" in css and len(css) > 100

    def test_manage_runs_through_the_invoke_path(self, django_site):
        provider, _ = django_site
        result = provider.manage(["check"])
        assert result.error is None, result.error
        assert result.exit_status == 0
        assert "no issues" in result.logs


@pytest.fixture(scope="module", params=["aws", "gcp", "azure"])
def flask_app(request, tmp_path_factory) -> Iterator[DeployResult]:
    root = tmp_path_factory.mktemp(f"flask-{request.param}")
    yield deploy_example("flask", root / "app", emulate=request.param)[1]
    stop_all(root)


class TestFlask:
    def test_json(self, flask_app):
        status, headers, body = get(flask_app.url + "/")
        assert status == 200
        assert headers["content-type"] == ["application/json"]
        assert json.loads(body)["message"] == "Hello from Flask"

    def test_binary_image_is_byte_exact(self, flask_app):
        status, headers, body = get(flask_app.url + "/logo.png")
        assert status == 200
        assert headers["content-type"] == ["image/png"]
        assert body == (EXAMPLES / "flask" / "logo.png").read_bytes()

    def test_several_cookies(self, flask_app):
        status, headers, _ = get(flask_app.url + "/cookies")
        assert status == 200
        cookies = sorted(cookie.split(";")[0] for cookie in headers["set-cookie"])
        assert cookies == ["seen=1", "session=abc123", "theme=dark"]

    def test_query_string_repeats(self, flask_app):
        data = json.loads(get(flask_app.url + "/items/rex?tag=a&tag=b")[2])
        assert data == {"name": "rex", "args": {"tag": ["a", "b"]}}


@pytest.mark.parametrize("emulate", ["aws", "gcp", "azure"])
def test_fastapi_asgi(tmp_path, emulate):
    # Its app is in main.py, the name Cloud Functions' buildpack would load if faas's entry took it.
    try:
        _, result = deploy_example("fastapi", tmp_path / "app", emulate=emulate)
        status, _, body = get(result.url + "/items/42?q=cheese")
        assert status == 200
        assert json.loads(body) == {"item_id": 42, "q": "cheese"}
        assert get(result.url + "/items/not-a-number")[0] == 422
    finally:
        stop_all(tmp_path)


def test_readme_quick_start_through_the_cli(tmp_path, monkeypatch):
    """`cd examples/flask && faas deploy --provider local`, then status, invoke, logs, undeploy."""
    from faas.core.cli.main import run

    shutil.copytree(EXAMPLES / "flask", tmp_path / "flask", ignore=shutil.ignore_patterns(".faas", "__pycache__"))
    monkeypatch.chdir(tmp_path / "flask")
    try:
        assert run(["deploy", "--provider", "local", "--emulate", "gcp"]) == 0
        provider = workflow.open_provider(load_project(tmp_path / "flask" / "faas.toml"), "local")
        assert isinstance(provider, LocalProvider)
        status = provider.status()
        assert status.deployed and status.url
        assert json.loads(get(status.url + "/")[2])["message"] == "Hello from Flask"
        # Later calls without --emulate act on what is running: a gcp-shaped sample event.
        assert provider.sample_event("s3-put")["type"] == "google.cloud.storage.object.v1.finalized"
        assert run(["status", "--provider", "local"]) == 0
        assert run(["logs", "--provider", "local"]) == 0
        assert run(["undeploy", "--provider", "local", "--yes"]) == 0
        assert not provider.status().deployed
    finally:
        stop_all(tmp_path)


@pytest.mark.parametrize("name", ["flask", "django", "fastapi"])
def test_examples_default_to_the_local_provider_and_show_the_cloud_flag(name: str) -> None:
    project = load_project(EXAMPLES / name / "faas.toml")
    assert project.config.provider == "local"
    assert "--provider aws" in (EXAMPLES / name / "README.md").read_text()
