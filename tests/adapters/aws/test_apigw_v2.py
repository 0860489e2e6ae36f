"""API Gateway HTTP API payload 2.0 events."""

from __future__ import annotations

import base64
import json

import pytest

from faas.adapters.aws import make_handler
from tests.adapters.apps.flask_app import PNG
from tests.adapters.apps.probe import echo_app, fixed_app, seen_by
from tests.adapters.conftest import load_sample
from tests.adapters.events import EXECUTE_API_HOST, make_v2_event


class TestPathsAndStages:
    def test_default_stage_has_no_prefix(self, flask_app):
        data = json.loads(make_handler(flask_app)(make_v2_event("GET", "/"), None)["body"])
        assert data["script_root"] == ""
        assert data["item_url"] == "/items/rex"
        assert data["item_external"] == f"https://{EXECUTE_API_HOST}/items/rex"

    def test_named_stage_is_moved_to_script_name(self, flask_app):
        data = json.loads(make_handler(flask_app)(make_v2_event("GET", "/", stage="dev"), None)["body"])
        assert data["path"] == "/"
        assert data["item_url"] == "/dev/items/rex"
        assert data["item_external"] == f"https://{EXECUTE_API_HOST}/dev/items/rex"

    def test_named_stage_is_stripped_once(self):
        seen = seen_by(make_handler(echo_app)(make_v2_event("GET", "/dev/x", stage="dev"), None))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/dev", "/dev/x")

    def test_stage_prefix_only_at_a_segment_boundary(self):
        event = make_v2_event("GET", "/x", stage="dev", rawPath="/device/x")
        seen = seen_by(make_handler(echo_app)(event, None))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("", "/device/x")

    def test_django_reverse_with_named_stage(self, django_app):
        result = make_handler(django_app)(make_v2_event("GET", "/items/rex/", stage="dev"), None)
        data = json.loads(result["body"])
        assert data["reverse"] == "/dev/items/rex/"
        assert data["absolute"] == f"https://{EXECUTE_API_HOST}/dev/items/rex/"

    def test_custom_domain_base_path(self, flask_app):
        event = make_v2_event("GET", "/api/items/rex", host="example.com", stage="dev")
        event["rawPath"] = "/api/items/rex"  # custom domains carry the mapping, not the stage
        data = json.loads(make_handler(flask_app, base_path="/api")(event, None)["body"])
        assert data["self_url"] == "/api/items/rex"

    def test_decoded_non_ascii_path(self, flask_app):
        result = make_handler(flask_app)(make_v2_event("GET", "/café"), None)
        assert result["statusCode"] == 200
        assert json.loads(result["body"])["path"] == "/café"

    def test_decoded_path_is_not_decoded_twice(self):
        # HTTP APIs hand over the path decoded: the client asked for /a%2541, rawPath is /a%41.
        seen = seen_by(make_handler(echo_app)(make_v2_event("GET", "/a%41"), None))
        assert seen["PATH_INFO"] == "/a%41"


class TestRequest:
    def test_raw_non_ascii_query_is_a_native_string(self):
        # Sent unencoded by some clients: the app gets the latin-1 characters of its UTF-8 bytes.
        seen = seen_by(make_handler(echo_app)(make_v2_event("GET", "/", query="q=café ✓"), None))
        assert seen["QUERY_STRING"] == "q=café ✓".encode().decode("latin-1")

    def test_raw_query_string_keeps_repeated_keys(self, flask_app):
        event = make_v2_event("GET", "/echo", query="a=1&a=2&b=x%26y&c=%C3%A9")
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["args"] == {"a": ["1", "2"], "b": ["x&y"], "c": ["é"]}

    def test_cookies_field_becomes_cookie_header(self, flask_app):
        event = make_v2_event("GET", "/echo", cookies=["a=1", "b=2"])
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["cookies"] == {"a": "1", "b": "2"}

    def test_remote_addr_from_source_ip(self, flask_app):
        event = make_v2_event(
            "GET", "/echo", source_ip="198.51.100.3", headers={"x-forwarded-for": "6.6.6.6,198.51.100.3"}
        )
        assert json.loads(make_handler(flask_app)(event, None)["body"])["remote_addr"] == "198.51.100.3"

    def test_post_10kb_body(self, flask_app):
        payload = json.dumps({"x": "é" * 5000})
        event = make_v2_event("POST", "/echo", body=payload, headers={"content-type": "application/json"})
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert bytes.fromhex(data["data"]) == payload.encode()

    def test_base64_body(self, flask_app):
        event = make_v2_event("PUT", "/echo", body=PNG, headers={"content-type": "image/png"})
        assert bytes.fromhex(json.loads(make_handler(flask_app)(event, None)["body"])["data"]) == PNG

    def test_platform_event_and_context_reach_the_app(self):
        seen = {}

        def app(environ, start_response):
            seen.update(event=environ["faas.event"], context=environ["faas.context"])
            start_response("200 OK", [])
            return []

        event, context = make_v2_event(), object()
        make_handler(app)(event, context)
        assert seen["event"] is event
        assert seen["context"] is context


class TestResponse:
    def test_set_cookie_goes_to_cookies(self, flask_app):
        result = make_handler(flask_app)(make_v2_event("GET", "/cookies"), None)
        assert [c.split(";")[0] for c in result["cookies"]] == ["a=1", "b=2", "c=3"]
        assert "set-cookie" not in result["headers"]

    def test_other_duplicate_headers_are_joined(self):
        app = fixed_app("200 OK", [("X-Dup", "1"), ("x-dup", "2"), ("Vary", "Accept"), ("Vary", "Cookie")])
        result = make_handler(app)(make_v2_event(), None)
        assert result["headers"] == {"x-dup": "1, 2", "vary": "Accept, Cookie"}

    def test_binary_response(self, flask_app):
        result = make_handler(flask_app)(make_v2_event("GET", "/image.png"), None)
        assert result["isBase64Encoded"] is True
        assert base64.b64decode(result["body"]) == PNG

    @pytest.mark.parametrize("encoding", ["br", "gzip", "deflate"])
    def test_content_encoded_text_goes_out_base64(self, encoding):
        payload = b"\x1b\x0b\x00\xf8\xa5\x02"  # compressed bytes are never to be re-encoded as text
        app = fixed_app(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", encoding)], payload
        )
        result = make_handler(app)(make_v2_event(), None)
        assert result["isBase64Encoded"] is True
        assert base64.b64decode(result["body"]) == payload
        assert result["headers"]["content-encoding"] == encoding

    def test_no_content_type_invented(self):
        result = make_handler(fixed_app("200 OK", [], b"raw"))(make_v2_event(), None)
        assert result["headers"] == {}
        assert result["body"] == "raw"

    def test_head_has_no_body(self, flask_app):
        result = make_handler(flask_app)(make_v2_event("HEAD", "/echo"), None)
        assert result["statusCode"] == 200
        assert result["body"] == ""


class TestOfficialSamples:
    @pytest.mark.parametrize(
        "name",
        [
            "apigw-v2-request-no-authorizer.json",
            "apigw-v2-request-iam.json",
            "apigw-v2-request-jwt-authorizer.json",
            "apigw-v2-request-lambda-authorizer.json",
        ],
    )
    def test_http_api_samples(self, name):
        event = load_sample(f"aws/{name}")
        context = event["requestContext"]
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["REQUEST_METHOD"] == context["http"]["method"]
        assert seen["REMOTE_ADDR"] == context["http"]["sourceIp"]
        assert seen["QUERY_STRING"] == event["rawQueryString"]
        stage = context.get("stage", "$default")
        expected = event["rawPath"]
        if stage != "$default" and expected.startswith(f"/{stage}"):
            assert seen["SCRIPT_NAME"] == f"/{stage}"
            expected = expected[len(stage) + 1 :] or ""
        assert seen["PATH_INFO"] == expected
        if event.get("cookies"):
            assert seen["HTTP_COOKIE"] == "; ".join(event["cookies"])
