"""Request headers into the environ: the fast paths must give what the careful paths give."""

from __future__ import annotations

import pytest

from faas.adapters.aws._common import add_cgi_headers
from faas.adapters.errors import MalformedEventError
from faas.adapters.http import new_environ

BASE_KEYS = set(new_environ("GET", "", b""))


def headers_of(single, multi=None) -> dict[str, str]:
    environ = new_environ("GET", "", b"")
    add_cgi_headers(environ, single, multi, "test source")
    return {key: value for key, value in environ.items() if key not in BASE_KEYS}


SINGLE_CASES = [
    pytest.param({"accept": "*/*", "x-a": "1"}, {"HTTP_ACCEPT": "*/*", "HTTP_X_A": "1"}, id="plain"),
    pytest.param(
        {"content-type": "text/plain", "content-length": "99"},
        {"CONTENT_TYPE": "text/plain"},
        id="content-length-dropped",
    ),
    pytest.param(
        {"content-length": "1", "x_forwarded_for": "evil", "x-b": "2"}, {"HTTP_X_B": "2"}, id="two-dropped-headers"
    ),
    pytest.param({"Accept": "a", "accept": "b"}, {"HTTP_ACCEPT": "a, b"}, id="two-spellings-joined"),
    pytest.param({"Cookie": "a=1", "cookie": "b=2"}, {"HTTP_COOKIE": "a=1; b=2"}, id="cookie-spellings-joined"),
    pytest.param(
        {"Accept": "a", "accept": "b", "content-length": "1", "x_y": "z"},
        {"HTTP_ACCEPT": "a, b"},
        id="collision-and-drops",
    ),
    pytest.param({"x-never-seen-before-42": "v"}, {"HTTP_X_NEVER_SEEN_BEFORE_42": "v"}, id="new-name"),
    pytest.param({}, {}, id="empty"),
    pytest.param(None, {}, id="null"),
]


@pytest.mark.parametrize(("single", "expected"), SINGLE_CASES)
def test_single_value_headers(single, expected):
    assert headers_of(single) == expected
    assert headers_of(single) == expected  # names now cached: same result


MULTI_CASES = [
    pytest.param({"Accept": ["a", "b"]}, {"HTTP_ACCEPT": "a, b"}, id="joined"),
    pytest.param({"Cookie": ["a=1", "b=2"]}, {"HTTP_COOKIE": "a=1; b=2"}, id="cookies"),
    pytest.param({"Accept": ["a"], "accept": ["b"]}, {"HTTP_ACCEPT": "a, b"}, id="two-spellings"),
    pytest.param({"Content-Length": ["5"], "X-Empty": [], "X-A": ["1"]}, {"HTTP_X_A": "1"}, id="dropped-and-empty"),
]


@pytest.mark.parametrize(("multi", "expected"), MULTI_CASES)
def test_multi_value_headers_win_over_single(multi, expected):
    assert headers_of({"ignored": "x"}, multi) == expected
    assert headers_of({"ignored": "x"}, multi) == expected


@pytest.mark.parametrize(
    ("single", "multi"),
    [
        ([("a", "b")], None),
        ({"a": 1}, None),
        (None, {"a": "not a list"}),
        (None, {"a": ["ok", 2]}),
        (None, {"a": [None]}),
        (None, ["a"]),
    ],
)
def test_malformed_headers_are_refused(single, multi):
    with pytest.raises(MalformedEventError, match="test source"):
        headers_of(single, multi)
