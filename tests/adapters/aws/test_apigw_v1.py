"""API Gateway REST API (v1 proxy) and HTTP API payload 1.0 events."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faas.adapters.aws import apigw_v1, make_handler
from faas.adapters.errors import UnknownEventError
from tests.adapters.apps.flask_app import PNG
from tests.adapters.apps.probe import ClosingBody, echo_app, fixed_app, seen_by
from tests.adapters.conftest import load_sample
from tests.adapters.events import EXECUTE_API_HOST, make_v1_event


def body_bytes(result: dict) -> bytes:
    if result["isBase64Encoded"]:
        return base64.b64decode(result["body"])
    return result["body"].encode()


class TestPathsAndStages:
    def test_stage_goes_to_script_name_on_execute_api_host(self, flask_app):
        result = make_handler(flask_app)(make_v1_event("GET", "/", stage="prod"), None)
        data = json.loads(result["body"])
        assert result["statusCode"] == 200
        assert data["script_root"] == "/prod"
        assert data["path"] == "/"
        assert data["item_url"] == "/prod/items/rex"
        assert data["item_external"] == f"https://{EXECUTE_API_HOST}/prod/items/rex"

    def test_stage_follows_the_entry_host_not_a_proxys_host_header(self, flask_app):
        # Behind a proxy (or the local gateway) Host is not API Gateway's, but the request still
        # entered through execute-api, where the stage is part of the public URL.
        event = make_v1_event("GET", "/", stage="prod", host="127.0.0.1:8123")
        event["requestContext"]["domainName"] = EXECUTE_API_HOST
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["script_root"] == "/prod"
        assert data["item_url"] == "/prod/items/rex"

    def test_custom_domain_has_no_stage_in_urls(self, flask_app):
        event = make_v1_event("GET", "/items/rex", stage="prod", host="api.example.com")
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["self_url"] == "/items/rex"

    @pytest.mark.parametrize("path", ["/v1/items/rex", "/items/rex"])
    def test_base_path_moves_to_script_name(self, flask_app, path):
        # Whether or not the base path mapping leaves the prefix in `path`, the app is mounted
        # under it and builds links that include it.
        event = make_v1_event("GET", path, host="api.example.com")
        data = json.loads(make_handler(flask_app, base_path="v1/")(event, None)["body"])
        assert data == {"name": "rex", "self_url": "/v1/items/rex"}

    def test_django_reverse_with_stage(self, django_app):
        result = make_handler(django_app)(make_v1_event("GET", "/items/rex/", stage="dev"), None)
        data = json.loads(result["body"])
        assert result["statusCode"] == 200
        assert data["reverse"] == "/dev/items/rex/"
        assert data["path"] == "/dev/items/rex/"
        assert data["path_info"] == "/items/rex/"
        assert data["absolute"] == f"https://{EXECUTE_API_HOST}/dev/items/rex/"

    def test_django_reverse_with_base_path(self, django_app):
        event = make_v1_event("GET", "/shop/items/rex/", host="www.example.com")
        data = json.loads(make_handler(django_app, base_path="/shop")(event, None)["body"])
        assert data["reverse"] == "/shop/items/rex/"
        assert data["absolute"] == "https://www.example.com/shop/items/rex/"

    @pytest.mark.parametrize("path", ["/caf%C3%A9", "/café"])
    def test_non_ascii_path_reaches_flask(self, flask_app, path):
        result = make_handler(flask_app)(make_v1_event("GET", path, host="api.example.com"), None)
        assert result["statusCode"] == 200
        assert json.loads(result["body"]) == {"path": "/café", "url": "/caf%C3%A9"}

    def test_non_ascii_path_reaches_django(self, django_app):
        event = make_v1_event("GET", "/caf%C3%A9/", host="api.example.com")
        result = make_handler(django_app)(event, None)
        assert result["statusCode"] == 200
        assert json.loads(result["body"])["path"] == "/café/"

    def test_path_info_is_a_pep3333_native_string(self):
        event = make_v1_event("GET", "/caf%C3%A9/%FF", host="api.example.com")
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["PATH_INFO"] == "/caf\u00c3\u00a9/\u00ff"  # latin-1 of the raw bytes
        assert seen["types"] == ["str"]

    def test_http_api_payload_1_strips_named_stage_once(self):
        event = make_v1_event("GET", "/dev/dev/x", version="1.0", stage="dev")
        seen = seen_by(make_handler(echo_app)(event, None))
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/dev", "/dev/x")


class TestRequest:
    @given(st.text())
    def test_query_quoting_shortcut_is_exactly_quote_plus(self, text):
        assert apigw_v1._quote(text) == quote_plus(text)

    def test_repeated_query_keys(self, flask_app):
        event = make_v1_event("GET", "/echo", query=[("a", "1"), ("a", "2"), ("b", "x&y=z"), ("c", "é ü")])
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["args"] == {"a": ["1", "2"], "b": ["x&y=z"], "c": ["é ü"]}

    def test_remote_addr_is_source_ip_not_client_forwarded_for(self, flask_app):
        event = make_v1_event("GET", "/echo", source_ip="198.51.100.20", headers=[("X-Forwarded-For", "6.6.6.6")])
        event["multiValueHeaders"]["X-Forwarded-For"] = ["6.6.6.6, 198.51.100.20"]
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["remote_addr"] == "198.51.100.20"

    def test_host_scheme_and_port_from_forwarded_headers(self):
        event = make_v1_event("GET", "/", host="api.example.com")
        event["multiValueHeaders"]["X-Forwarded-Port"] = ["8443"]
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["HTTP_HOST"] == "api.example.com"
        assert seen["SERVER_NAME"] == "api.example.com"
        assert seen["SERVER_PORT"] == "8443"
        assert seen["wsgi.url_scheme"] == "https"

    def test_repeated_cookie_headers_are_joined_with_semicolons(self, flask_app):
        event = make_v1_event("GET", "/echo", headers=[("Cookie", "a=1"), ("Cookie", "b=2")])
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["cookies"] == {"a": "1", "b": "2"}

    def test_other_repeated_headers_are_joined(self):
        event = make_v1_event("GET", "/", headers=[("Accept", "text/html"), ("Accept", "application/json")])
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["headers"]["HTTP_ACCEPT"] == "text/html, application/json"

    def test_underscore_headers_cannot_spoof_dash_headers(self):
        event = make_v1_event("GET", "/", headers=[("X_Forwarded_Host", "evil.example")])
        seen = seen_by(make_handler(echo_app)(event, None))
        assert "HTTP_X_FORWARDED_HOST" not in seen["headers"]

    def test_base64_request_body_decodes_exactly(self, flask_app):
        payload = bytes(range(256)) * 4
        event = make_v1_event("POST", "/echo", body=payload, headers=[("Content-Type", "application/octet-stream")])
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert bytes.fromhex(data["data"]) == payload

    def test_form_post(self, flask_app):
        event = make_v1_event(
            "POST", "/echo", body="x=1&x=2&y=%C3%A9", headers=[("Content-Type", "application/x-www-form-urlencoded")]
        )
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["form"] == {"x": ["1", "2"], "y": ["é"]}

    def test_content_length_is_the_decoded_body_length(self):
        event = make_v1_event("POST", "/", body=b"\x00\x01\x02", headers=[("Content-Length", "999")])
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["CONTENT_LENGTH"] == "3"
        assert base64.b64decode(seen["body_b64"]) == b"\x00\x01\x02"


class TestResponse:
    def test_multiple_set_cookie_headers(self, flask_app):
        result = make_handler(flask_app)(make_v1_event("GET", "/cookies"), None)
        cookies = result["multiValueHeaders"]["Set-Cookie"]
        assert [c.split(";")[0] for c in cookies] == ["a=1", "b=2", "c=3"]
        assert "HttpOnly" in cookies[1]

    def test_png_goes_out_base64_byte_exact(self, flask_app):
        result = make_handler(flask_app)(make_v1_event("GET", "/image.png"), None)
        assert result["isBase64Encoded"] is True
        assert base64.b64decode(result["body"]) == PNG

    def test_gzip_text_goes_out_base64(self, flask_app):
        result = make_handler(flask_app)(make_v1_event("GET", "/gzip"), None)
        assert result["isBase64Encoded"] is True
        assert gzip.decompress(base64.b64decode(result["body"])) == b"hello " * 100

    def test_text_that_is_not_utf8_round_trips(self, flask_app):
        result = make_handler(flask_app)(make_v1_event("GET", "/latin1"), None)
        assert body_bytes(result) == "café".encode("latin-1")

    def test_json_text_goes_out_as_text(self, flask_app):
        result = make_handler(flask_app)(make_v1_event("GET", "/items/rex"), None)
        assert result["isBase64Encoded"] is False
        assert json.loads(result["body"])["name"] == "rex"

    def test_no_content_type_is_invented(self):
        result = make_handler(fixed_app("204 No Content"))(make_v1_event(), None)
        assert result["statusCode"] == 204
        assert result["multiValueHeaders"] == {}
        assert result["body"] == ""

    def test_head_returns_no_body(self):
        app = fixed_app("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")], b"hello")
        result = make_handler(app)(make_v1_event("HEAD", "/"), None)
        assert result["body"] == ""
        assert result["multiValueHeaders"]["Content-Length"] == ["5"]

    def test_close_is_called(self):
        body = ClosingBody([b"a", b"b"])
        result = make_handler(lambda environ, start_response: (start_response("200 OK", []), body)[1])(
            make_v1_event(), None
        )
        assert result["body"] == "ab"
        assert body.closed

    def test_close_is_called_when_iteration_fails(self, caplog):
        body = ClosingBody([b"a", b"b"], fail_at=1)
        handler = make_handler(lambda environ, start_response: (start_response("200 OK", []), body)[1])
        result = handler(make_v1_event(), None)
        assert result["statusCode"] == 500
        assert body.closed

    def test_write_callable(self):
        def app(environ, start_response):
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"written ")
            return [b"returned"]

        assert make_handler(app)(make_v1_event(), None)["body"] == "written returned"

    def test_write_callable_then_an_iterator_of_mixed_chunk_types(self):
        def app(environ, start_response):
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"a")
            write(bytearray(b"b"))
            return iter([b"", memoryview(b"c"), b"d"])

        assert make_handler(app)(make_v1_event(), None)["body"] == "abcd"

    def test_write_called_while_the_body_is_iterated(self):
        def app(environ, start_response):
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            yield b"1"
            write(b"2")
            yield b"3"

        assert make_handler(app)(make_v1_event(), None)["body"] == "123"

    def test_a_single_bytearray_chunk(self):
        def app(environ, start_response):
            start_response("201 Created", [("Content-Type", "text/plain")])
            return [bytearray(b"made")]

        result = make_handler(app)(make_v1_event(), None)
        assert (result["statusCode"], result["body"]) == (201, "made")

    def test_start_response_with_exc_info_replaces_headers(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/html")])
            try:
                raise ValueError("oops")
            except ValueError:
                import sys

                start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
            return [b"sorry"]

        result = make_handler(app)(make_v1_event(), None)
        assert result["statusCode"] == 503
        assert result["multiValueHeaders"] == {"Content-Type": ["text/plain"]}
        assert result["body"] == "sorry"

    def test_exc_info_after_body_was_produced_reraises(self, caplog):
        def app(environ, start_response):
            write = start_response("200 OK", [])
            write(b"partial")
            try:
                raise ValueError("late")
            except ValueError:
                import sys

                start_response("500 Internal Server Error", [], sys.exc_info())
            return [b"never"]

        result = make_handler(app)(make_v1_event(), None)
        assert result["statusCode"] == 500
        assert "never" not in result["body"]

    def test_exception_gives_generic_500_and_logs_traceback(self, flask_app, caplog):
        flask_app.config["PROPAGATE_EXCEPTIONS"] = True
        with caplog.at_level(logging.ERROR, logger="faas.adapters"):
            result = make_handler(flask_app)(make_v1_event("GET", "/boom"), None)
        assert result["statusCode"] == 500
        assert result["body"] == "Internal Server Error"
        assert "secret" not in json.dumps(result)
        assert "secret detail that must not leak" in caplog.text
        assert "Traceback" in caplog.text

    def test_response_over_lambda_limit_becomes_502_with_reason(self, caplog):
        big = os.urandom(5 * 1024 * 1024)  # 6.7 MB once base64-encoded
        app = fixed_app("200 OK", [("Content-Type", "application/octet-stream")], big)
        with caplog.at_level(logging.ERROR, logger="faas.adapters"):
            result = make_handler(app)(make_v1_event(), None)
        assert result["statusCode"] == 502
        assert "too large" in result["body"]
        assert "over the 6291456-byte limit" in caplog.text

    def test_response_under_the_limit_passes(self):
        body = os.urandom(4 * 1024 * 1024)
        app = fixed_app("200 OK", [("Content-Type", "application/octet-stream")], body)
        result = make_handler(app)(make_v1_event(), None)
        assert result["statusCode"] == 200
        assert base64.b64decode(result["body"]) == body

    def test_no_access_line_by_default(self, flask_app, capsys, monkeypatch):
        # Lambda's REPORT lines and API Gateway's access logs record requests already.
        monkeypatch.delenv("FAAS_ACCESS_LOG", raising=False)
        make_handler(flask_app)(make_v1_event("GET", "/items/rex"), None)
        assert capsys.readouterr().out == ""

    def test_access_log_line(self, flask_app, capsys, monkeypatch):
        monkeypatch.setenv("FAAS_ACCESS_LOG", "1")
        make_handler(flask_app)(make_v1_event("GET", "/items/rex", stage="prod"), None)
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 1
        assert lines[0].startswith('faas "GET /prod/items/rex" 200 ')
        assert lines[0].endswith("us")
        assert "B " in lines[0]

    def test_access_log_can_be_turned_off(self, flask_app, capsys):
        make_handler(flask_app, access_log=False)(make_v1_event("GET", "/items/rex"), None)
        assert capsys.readouterr().out == ""


class TestMalformed:
    @pytest.mark.parametrize(
        "field, value",
        [
            ("multiValueHeaders", "nope"),
            ("headers", ["x"]),
            ("httpMethod", 3),
            ("body", {"a": 1}),
            ("multiValueQueryStringParameters", {"a": "b"}),
        ],
    )
    def test_malformed_field_gives_400(self, field, value):
        event = make_v1_event()
        event[field] = value
        if field == "headers":
            event["multiValueHeaders"] = None
        result = make_handler(echo_app)(event, None)
        assert result["statusCode"] == 400

    def test_invalid_base64_body_gives_400(self):
        event = make_v1_event("POST", "/", body="!!!not base64", isBase64Encoded=True)
        assert make_handler(echo_app)(event, None)["statusCode"] == 400

    def test_unknown_event_names_what_was_seen(self):
        with pytest.raises(UnknownEventError, match=r"keys \[detail, source\]"):
            make_handler(echo_app)({"source": "x", "detail": {}}, None)


class TestOfficialSamples:
    @pytest.mark.parametrize("name", ["apigw-request.json", "apigw-restapi-openapi-request.json"])
    def test_rest_api_sample(self, name):
        event = load_sample(f"aws/{name}")
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["REQUEST_METHOD"] == "POST"
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/testStage", "/hello/world")
        assert seen["QUERY_STRING"] == "name=me"
        assert seen["REMOTE_ADDR"] == "192.168.196.186"
        assert seen["CONTENT_TYPE"] == "application/json"
        assert seen["HTTP_HOST"] == "gy415nuibc.execute-api.us-east-1.amazonaws.com"
        assert base64.b64decode(seen["body_b64"]) == b'{\r\n\t"a": 1\r\n}'

    def test_websocket_sample_is_not_served_as_http(self):
        with pytest.raises(UnknownEventError):
            make_handler(echo_app)(load_sample("aws/apigw-websocket-request.json"), None)
