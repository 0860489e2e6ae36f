"""Lambda Function URL events (payload 2.0, path still percent-encoded, no stage)."""

from __future__ import annotations

import base64
import json

from faas.adapters.aws import make_handler
from tests.adapters.apps.probe import echo_app, seen_by
from tests.adapters.conftest import load_sample
from tests.adapters.events import make_function_url_event


class TestFunctionUrl:
    def test_encoded_non_ascii_path(self, flask_app):
        result = make_handler(flask_app)(make_function_url_event("GET", "/caf%C3%A9"), None)
        assert result["statusCode"] == 200
        assert json.loads(result["body"]) == {"path": "/café", "url": "/caf%C3%A9"}

    def test_encoded_percent_is_decoded_once(self):
        seen = seen_by(make_handler(echo_app)(make_function_url_event("GET", "/a%2541"), None))
        assert seen["PATH_INFO"] == "/a%41"

    def test_no_stage_and_host_urls(self, flask_app):
        data = json.loads(make_handler(flask_app)(make_function_url_event("GET", "/"), None)["body"])
        assert data["item_external"] == "https://abcdefg.lambda-url.eu-west-1.on.aws/items/rex"

    def test_cookies_both_ways(self, flask_app):
        handler = make_handler(flask_app)
        data = json.loads(handler(make_function_url_event("GET", "/echo", cookies=["s=1", "t=2"]), None)["body"])
        assert data["cookies"] == {"s": "1", "t": "2"}
        assert len(handler(make_function_url_event("GET", "/cookies"), None)["cookies"]) == 3

    def test_official_sample(self, flask_app):
        event = load_sample("aws/lambda-urls-request.json")
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["REQUEST_METHOD"] == "POST"
        assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("", "/my/path")
        assert seen["QUERY_STRING"] == "parameter1=value1&parameter1=value2&parameter2=value"
        assert seen["HTTP_COOKIE"] == "cookie1; cookie2"
        assert seen["headers"]["HTTP_HEADER2"] == "value1,value2"
        assert seen["REMOTE_ADDR"] == "123.123.123.123"
        assert base64.b64decode(seen["body_b64"]) == b"Hello from client!"
        event["rawPath"] = "/echo"
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["args"] == {"parameter1": ["value1", "value2"], "parameter2": ["value"]}
