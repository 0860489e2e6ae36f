"""Percent-encoded paths and queries reach the app as a WSGI server would hand them over.

Every local front door and emulation is driven over real HTTP with `%2F`, `%25`, non-ASCII,
a space and `+`. PEP 3333: PATH_INFO is the percent-decoded path, as the latin-1 decoding of its
bytes (UTF-8 for non-ASCII); `+` in a path is a literal plus; QUERY_STRING is what the client sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote_to_bytes

import pytest

from faas.core import workflow
from faas.core.config import load_project
from faas.core.results import DeployResult

from .conftest import get, stop_all

pytestmark = pytest.mark.slow

ECHO = """
import json


def application(environ, start_response):
    body = {
        "script": environ["SCRIPT_NAME"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
    }
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]
"""

# (name, [providers.local] lines): every AWS front door, then the other two clouds.
DOORS = [
    ("http-api", 'emulate = "aws"\nfront_door = "http-api"\n'),
    ("rest-api", 'emulate = "aws"\nfront_door = "rest-api"\n'),
    ("function-url", 'emulate = "aws"\nfront_door = "function-url"\n'),
    ("gcp", 'emulate = "gcp"\n'),
    ("azure", 'emulate = "azure"\n'),  # served at the root: the azure provider's default route prefix is ""
    ("azure-api", 'emulate = "azure"\n\n[providers.azure]\nroute_prefix = "api"\n'),
]

PATHS = [
    "/items/caf%C3%A9%20%E2%9C%93",  # non-ASCII and a space
    "/items/100%25",  # an encoded percent sign: decoded once, never twice
    "/items/100%2525",  # ... so "%25" stays "%25" after one decoding
    "/items/a%2Fb",  # an encoded slash: PEP 3333 servers decode it
    "/items/a+b",  # "+" is a plus in a path, not a space
    "/items/a%2Bb",
    "/items/%7Euser/x%3Dy;z",
]

QUERIES = [
    "q=caf%C3%A9+%E2%9C%93",
    "plus=a%2Bb&space=a+b&sp=a%20b",
    "pct=100%25&slash=a%2Fb&amp=a%26b",
    "raw=a+b&x=1&x=2&empty=",
]


def expected_path(target: str) -> str:
    return unquote_to_bytes(target).decode("latin-1")


@pytest.fixture(scope="module", params=[name for name, _ in DOORS])
def deployed(request, tmp_path_factory) -> Iterator[tuple[str, DeployResult]]:
    name = request.param
    options = dict(DOORS)[name]
    root = tmp_path_factory.mktemp(f"paths-{name}")
    (root / "app.py").write_text(ECHO)
    (root / "requirements.txt").write_text("")
    (root / "faas.toml").write_text(
        'name = "paths"\nprovider = "local"\npython = "3.12"\n'
        '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
        f"[providers.local]\npool_size = 1\n{options}"
    )
    provider = workflow.open_provider(load_project(root / "faas.toml"), "local")
    try:
        outcome = workflow.deploy(provider)
        assert outcome.result is not None and outcome.result.url
        yield name, outcome.result
    finally:
        stop_all(root)


def fetch(result: DeployResult, target: str) -> dict[str, str]:
    status, _, body = get(result.url.rstrip("/") + target)
    assert status == 200, body[:500]
    answer: dict[str, str] = json.loads(body)
    return answer


@pytest.mark.parametrize("path", PATHS)
def test_path_info_is_decoded_once(deployed, path):
    _, result = deployed
    seen = fetch(result, path)
    assert seen["path"] == expected_path(path), (path, seen)
    assert seen["query"] == ""


@pytest.mark.parametrize("query", QUERIES)
def test_query_string_is_as_sent(deployed, query):
    door, result = deployed
    seen = fetch(result, f"/items/caf%C3%A9?{query}")
    assert seen["path"] == expected_path("/items/caf%C3%A9")
    if door == "rest-api":
        # A REST API event carries only the decoded parameters, never the query string as sent:
        # the adapter re-encodes them, so the values (and repeated keys) are what must survive.
        assert parse_qsl(seen["query"], keep_blank_values=True) == parse_qsl(query, keep_blank_values=True)
    else:
        assert seen["query"] == query


def test_the_mount_point_stays_out_of_path_info(deployed):
    door, result = deployed
    seen = fetch(result, "/a%2Fb/c%20d")
    assert seen["path"] == "/a/b/c d"
    # Where the public URL has a prefix (REST stage, Azure route prefix) it is SCRIPT_NAME.
    assert seen["script"] == {"rest-api": "/dev", "azure-api": "/api"}.get(door, "")
