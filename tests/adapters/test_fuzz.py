"""Property tests: arbitrary events never crash the adapter; bodies round-trip byte-exact."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faas.adapters.aws import make_handler
from faas.adapters.errors import UnknownEventError
from faas.adapters.http import native_from_decoded, native_from_encoded
from tests.adapters.events import make_alb_event, make_function_url_event, make_v1_event, make_v2_event

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def body_app(environ, start_response):
    """Echoes the request body as application/octet-stream."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return [data]


HANDLER = make_handler(body_app, access_log=False)
BUILDERS = [
    make_v1_event,
    make_v2_event,
    make_function_url_event,
    make_alb_event,
    lambda *a, **kw: make_alb_event(*a, multi_value=True, **kw),
]
FIELDS = [
    "path",
    "rawPath",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "rawQueryString",
    "cookies",
    "body",
    "isBase64Encoded",
    "requestContext",
]


def served(event: Any) -> dict[str, Any] | None:
    """The response, or None when the event is (correctly) rejected as not an HTTP event."""
    try:
        result = HANDLER(event, None)
    except UnknownEventError:
        return None
    assert isinstance(result["statusCode"], int)
    assert isinstance(result["body"], str)
    return result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*FIELDS, "version", "Records", "faas"]), json_values, max_size=8))
def test_arbitrary_events_never_crash(event):
    served(event)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(BUILDERS), st.sampled_from(FIELDS), json_values)
def test_malformed_http_events_get_a_400_or_are_served(builder, field, value):
    event = builder()
    event[field] = value
    result = served(event)
    if result is not None:
        assert result["statusCode"] in (200, 400)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(BUILDERS),
    st.sampled_from(["headers", "multiValueHeaders"]),
    st.dictionaries(st.text(max_size=12), st.text(max_size=12) | st.lists(st.text(max_size=8), max_size=3)),
)
def test_malformed_headers_get_a_400(builder, field, headers):
    event = builder()
    event[field] = headers
    result = served(event)
    assert result is not None
    assert result["statusCode"] in (200, 400)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(BUILDERS), st.binary(max_size=4096))
def test_binary_bodies_round_trip(builder, payload):
    result = served(builder("POST", "/upload", body=payload))
    assert result is not None
    assert result["statusCode"] == 200
    sent = base64.b64decode(result["body"]) if result["isBase64Encoded"] else result["body"].encode()
    assert sent == payload


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_paths_decode_to_their_utf8_bytes(segment):
    from urllib.parse import quote

    path = "/" + segment
    expected = path.encode("utf-8", "surrogatepass").decode("latin-1")
    assert native_from_encoded(quote(path, safe="/", errors="surrogatepass")) == expected
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in path):
        assert native_from_decoded(path) == expected
