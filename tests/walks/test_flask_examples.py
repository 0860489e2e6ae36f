"""A new user's path with the Flask sdist's own examples on the local provider, over real HTTP.

The examples are Flask's (`pip download --no-binary :all: flask`, unpacked here, never a checked-in
copy): `examples/tutorial` (flaskr: an app factory, a SQLite database made by its own
`flask init-db` command, sessions) and `examples/javascript` (a module-level app, a JSON POST).
Each: `faas init` with no edit, `faas deploy` with no flag, the pages, a redeploy of changed
code, a rollback, `faas undeploy`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from tests.providers.local.conftest import stop_all
from tests.walks.user import Browser, assert_gone, deployed_url, faas

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flask_examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`examples/` of the Flask sdist at the installed version, downloaded once into the test cache."""
    version = metadata.version("flask")
    cache = Path(os.environ["FAAS_CACHE_DIR"]) / "sdists"
    sdist = cache / f"flask-{version}.tar.gz"
    if not sdist.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*command, "--dest", str(cache), f"flask=={version}"], check=True, timeout=300)
    unpacked = tmp_path_factory.mktemp("flask-sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    return unpacked / f"flask-{version}" / "examples"


@pytest.fixture
def example(flask_examples: Path, tmp_path: Path, request: pytest.FixtureRequest):
    """A fresh copy of one example, as a user would start from it; its deployment stopped after."""
    project = tmp_path / request.param
    shutil.copytree(flask_examples / request.param, project)
    yield project
    stop_all(tmp_path)


def entry_written(project: Path) -> str:
    return str(tomllib.loads((project / "faas.toml").read_text())["app"]["entry"])


@pytest.mark.parametrize("example", ["tutorial"], indirect=True)
def test_flaskr_from_the_sdist_to_undeploy(example: Path) -> None:
    faas(example, "init")
    assert entry_written(example) == "flaskr:create_app()"  # the factory, found with no edit
    faas(example, "deploy")
    base = deployed_url(example)

    visitor = Browser()
    assert b"Register" in visitor.page(base + "/auth/register")
    assert b"Log In" in visitor.page(base + "/auth/login")
    status, content_type, css, _ = visitor.request(base + "/static/style.css")
    assert (status, content_type.split(";")[0]) == (200, "text/css") and b"{" in css
    # `flask --app flaskr init-db`, run in the deployed function.
    assert "Initialized the database." in faas(example, "manage", "init-db").stdout
    assert b"Posts" in visitor.page(base + "/")

    # A user registers, logs in (a signed session cookie) and writes a post.
    author = Browser()
    landed = author.page(base + "/auth/register", {"username": "ann", "password": "walk-9f2c"})
    assert b"Log In" in landed  # redirected to the login page
    assert b"Log Out" in author.page(base + "/auth/login", {"username": "ann", "password": "walk-9f2c"})
    index = author.page(base + "/create", {"title": "First walk", "body": "from the sdist"})
    assert b"First walk" in index and b"by ann" in index

    # A redeploy of changed code: the database and the session are still there.
    template = example / "flaskr" / "templates" / "blog" / "index.html"
    template.write_text(
        template.read_text().replace("{% block title %}Posts{% endblock %}", "{% block title %}Posts v2{% endblock %}")
    )
    faas(example, "deploy")
    index = author.page(base + "/")
    assert b"Posts v2" in index and b"First walk" in index
    assert b"Log Out" in index, "the session did not survive the redeploy"

    faas(example, "rollback")
    index = Browser().page(base + "/")
    assert b"Posts v2" not in index and b"First walk" in index, "the database did not survive the rollback"

    faas(example, "undeploy", "--yes")
    assert_gone(example, base)


@pytest.mark.parametrize("example", ["javascript"], indirect=True)
def test_the_javascript_example_from_the_sdist_to_undeploy(example: Path) -> None:
    faas(example, "init")
    assert entry_written(example) == "js_example:app"
    faas(example, "deploy")
    base = deployed_url(example)

    browser = Browser()
    for page in ("/", "/xhr", "/jquery", "/fetch"):
        assert b'name="a"' in browser.page(base + page), page
    status, content_type, body, _ = browser.request(base + "/add", {"a": "2", "b": "3.5"})
    assert (status, content_type, body.strip()) == (200, "application/json", b'{"result":5.5}')

    views = example / "js_example" / "views.py"
    views.write_text(views.read_text().replace("result=a + b", "result=a * b"))
    faas(example, "deploy")
    assert browser.request(base + "/add", {"a": "2", "b": "3.5"})[2].strip() == b'{"result":7.0}'

    faas(example, "rollback")
    assert browser.request(base + "/add", {"a": "2", "b": "3.5"})[2].strip() == b'{"result":5.5}'

    faas(example, "undeploy", "--yes")
    assert_gone(example, base)


@pytest.mark.parametrize("emulate", ["gcp", "azure"])
@pytest.mark.parametrize("example", ["tutorial"], indirect=True)
def test_flaskr_serves_its_pages_and_css_under_every_emulation(example: Path, emulate: str) -> None:
    faas(example, "init")
    faas(example, "deploy", "--emulate", emulate)
    base = deployed_url(example)
    assert "Initialized the database." in faas(example, "manage", "init-db").stdout
    browser = Browser()
    for page in ("/", "/auth/register", "/auth/login"):
        assert b"/static/style.css" in browser.page(base + page), page
    # Flask's own static route, inside the app: on gcp not functions-framework's ./static (a 404).
    status, content_type, css, _ = browser.request(base + "/static/style.css")
    assert (status, content_type.split(";")[0]) == (200, "text/css") and b"{" in css
    faas(example, "undeploy", "--yes")
    assert_gone(example, base)
