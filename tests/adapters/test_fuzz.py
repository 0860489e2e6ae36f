"""Property tests: arbitrary events never crash the adapter; bodies round-trip byte-exact;
text no front door sends (a lone surrogate, which JSON can spell as "\\ud800") gets a 400."""

from __future__ import annotations

import base64
import contextlib
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faas.adapters.aws import make_handler
from faas.adapters.errors import UnknownEventError
from faas.adapters.http import native_from_decoded, native_from_encoded
from tests.adapters.events import make_alb_event, make_function_url_event, make_v1_event, make_v2_event

#: Every code point, lone surrogates included (st.text() leaves them out by default).
any_text = st.text(st.characters(exclude_categories=()), max_size=20)
#: Text holding at least one lone surrogate.
surrogate_text = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(max_size=6),
    st.characters(categories=["Cs"]),
    st.text(max_size=6),
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text
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
LOGGED = make_handler(body_app, access_log=True)
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
    """The response, or None when the event is (correctly) rejected as not an HTTP event.

    The event goes through JSON first, as Lambda delivers it, and the access line goes to a
    strict UTF-8 stdout, as on Lambda, so text that cannot be written fails here too.
    """
    event = json.loads(json.dumps(event))
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    try:
        with contextlib.redirect_stdout(stdout):
            result = LOGGED(event, None)
            stdout.flush()
    except UnknownEventError:
        return None
    assert isinstance(result["statusCode"], int)
    assert isinstance(result["body"], str)
    json.dumps(result).encode("utf-8")  # what the runtime sends back must be encodable
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


def echo_app(environ, start_response):
    """Echoes the parts of the request a lone surrogate could hide in, as JSON."""
    seen = {
        "body": environ["wsgi.input"].read().decode("utf-8"),
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "header": environ.get("HTTP_X_FUZZ"),
        "cookie": environ.get("HTTP_COOKIE"),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


ECHO = make_handler(echo_app, access_log=False)
#: The places of one request a client's text reaches, for each event shape.
PLACES = ["body", "path", "header value", "header name", "cookie", "query key", "query value"]
SHAPES = ["v1", "v2", "function-url", "alb", "alb-multi"]


def event_with(shape: str, place: str, text: str) -> dict[str, Any]:
    """An event of ``shape`` carrying ``text`` at ``place`` (as a front door would put it there)."""
    path = "/t/" + text if place == "path" else "/t"
    pairs = {"query key": [(text, "v")], "query value": [("k", text)]}.get(place, [])
    headers = {"header value": [("x-fuzz", text)], "header name": [(text, "v")]}.get(place, [])
    body = text if place == "body" else None
    method = "POST" if body is not None else "GET"
    if shape in ("v2", "function-url"):
        build = make_v2_event if shape == "v2" else make_function_url_event
        query = "&".join(f"{k}={v}" for k, v in pairs)
        cookies = [f"c={text}"] if place == "cookie" else None
        return build(method, path, query=query, headers=dict(headers), cookies=cookies, body=body)
    if place == "cookie":
        headers = [("Cookie", f"c={text}")]
    if shape == "v1":
        return make_v1_event(method, path, query=pairs, headers=headers, body=body)
    return make_alb_event(method, path, query=pairs, headers=headers, body=body, multi_value=shape == "alb-multi")


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_lone_surrogate_body_is_a_400_not_a_crash(shape):
    # The reported case: `"body": "\\ud800"` is valid JSON; UnicodeEncodeError escaped the handler.
    result = served(event_with(shape, "body", "\ud800"))
    assert result is not None
    assert result["statusCode"] == 400
    assert result["body"] == "Bad Request: body holds a lone surrogate (U+D800 at position 0), which is not valid UTF-8"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SHAPES), st.sampled_from(PLACES), surrogate_text | any_text)
def test_text_no_front_door_sends_gets_a_400(shape, place, text):
    # Through JSON, a high and a low surrogate side by side become one character again.
    arrived = json.loads(json.dumps(text))
    result = served(event_with(shape, place, text))
    assert result is not None
    if has_surrogate(arrived) and place != "header name":
        assert result["statusCode"] == 400, (shape, place, text)
        assert "not valid UTF-8" in result["body"]
    else:
        # Valid text is served; a header name that is not a token is dropped, never a 400.
        assert result["statusCode"] == 200, (shape, place, text, result["body"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SHAPES), st.sampled_from(["body", "header value", "cookie"]), st.text(max_size=20))
def test_valid_text_reaches_the_app_unchanged(shape, place, text):
    event = json.loads(json.dumps(event_with(shape, place, text)))
    result = ECHO(event, None)
    assert result["statusCode"] == 200
    seen = json.loads(base64.b64decode(result["body"]) if result["isBase64Encoded"] else result["body"])
    if place == "body":
        assert seen["body"] == text
    elif place == "header value":
        assert seen["header"] == text
    else:
        assert seen["cookie"] == f"c={text}"


@settings(max_examples=200, deadline=None)
# Not after a "#": a fragment never reaches the function (nor the app).
@given(surrogate_text.filter(lambda text: "#" not in text), st.sampled_from(["path", "query", "header"]))
def test_azure_requests_with_a_lone_surrogate_get_a_400(text, place):
    func = pytest.importorskip("azure.functions")
    from faas.adapters.azure import make_handler as make_azure_handler

    url = "https://app.azurewebsites.net/api/" + (text if place == "path" else "x")
    if place == "query":
        url += "?q=" + text
    headers = {"x-fuzz": text} if place == "header" else {}
    response = make_azure_handler(body_app, access_log=False)(func.HttpRequest("GET", url, headers=headers, body=b""))
    assert response.status_code == 400
    assert b"not valid UTF-8" in response.get_body()
