"""Application Load Balancer events, single-value and multi-value headers modes."""

from __future__ import annotations

import base64
import json

import pytest

from faas.adapters.aws import make_handler
from faas.adapters.aws.alb import set_cookie_spellings
from tests.adapters.apps.flask_app import PNG
from tests.adapters.apps.probe import echo_app, fixed_app, seen_by
from tests.adapters.conftest import load_sample
from tests.adapters.events import make_alb_event


@pytest.mark.parametrize("multi_value", [False, True], ids=["single", "multi"])
class TestAlb:
    def test_query_values_are_not_decoded_twice(self, flask_app, multi_value):
        event = make_alb_event("GET", "/echo", query=[("q", "a%20b%26c"), ("r", "%C3%A9")], multi_value=multi_value)
        seen = seen_by(make_handler(echo_app)(event, None))
        assert seen["QUERY_STRING"] == "q=a%20b%26c&r=%C3%A9"
        data = json.loads(make_handler(flask_app)(event, None)["body"])
        assert data["args"] == {"q": ["a b&c"], "r": ["é"]}

    def test_remote_addr_is_the_address_alb_appended(self, flask_app, multi_value):
        event = make_alb_event("GET", "/echo", client_ip="6.6.6.6, 198.51.100.9", multi_value=multi_value)
        assert json.loads(make_handler(flask_app)(event, None)["body"])["remote_addr"] == "198.51.100.9"

    def test_scheme_port_host(self, multi_value):
        seen = seen_by(make_handler(echo_app)(make_alb_event(multi_value=multi_value), None))
        assert seen["wsgi.url_scheme"] == "http"
        assert seen["SERVER_PORT"] == "80"
        assert seen["SERVER_NAME"] == "my-alb-123456.eu-west-1.elb.amazonaws.com"

    def test_encoded_non_ascii_path(self, flask_app, multi_value):
        result = make_handler(flask_app)(make_alb_event("GET", "/caf%C3%A9", multi_value=multi_value), None)
        assert json.loads(result["body"])["path"] == "/café"

    def test_status_description(self, multi_value):
        result = make_handler(fixed_app("404 Not Found"))(make_alb_event(multi_value=multi_value), None)
        assert result["statusCode"] == 404
        assert result["statusDescription"] == "404 Not Found"

    def test_binary_body_round_trip(self, flask_app, multi_value):
        handler = make_handler(flask_app)
        result = handler(make_alb_event("GET", "/image.png", multi_value=multi_value), None)
        assert base64.b64decode(result["body"]) == PNG
        event = make_alb_event("POST", "/echo", body=PNG, multi_value=multi_value)
        assert bytes.fromhex(json.loads(handler(event, None)["body"])["data"]) == PNG

    def test_base_path(self, flask_app, multi_value):
        event = make_alb_event("GET", "/svc/items/rex", multi_value=multi_value)
        data = json.loads(make_handler(flask_app, base_path="/svc")(event, None)["body"])
        assert data["self_url"] == "/svc/items/rex"


class TestResponseHeaders:
    def test_multi_value_mode_answers_with_multi_value_headers(self, flask_app):
        result = make_handler(flask_app)(make_alb_event("GET", "/cookies", multi_value=True), None)
        assert "headers" not in result
        assert [c.split(";")[0] for c in result["multiValueHeaders"]["set-cookie"]] == ["a=1", "b=2", "c=3"]

    def test_single_value_mode_keeps_every_set_cookie(self, flask_app):
        result = make_handler(flask_app)(make_alb_event("GET", "/cookies"), None)
        assert "multiValueHeaders" not in result
        cookies = {name: value for name, value in result["headers"].items() if name.lower() == "set-cookie"}
        assert len(cookies) == 3
        assert sorted(v.split(";")[0] for v in cookies.values()) == ["a=1", "b=2", "c=3"]

    def test_single_value_mode_joins_other_duplicates(self):
        app = fixed_app("200 OK", [("Vary", "Accept"), ("Vary", "Cookie"), ("Content-Type", "text/plain")], b"x")
        result = make_handler(app)(make_alb_event(), None)
        assert result["headers"] == {"vary": "Accept, Cookie", "content-type": "text/plain"}

    def test_set_cookie_spellings_are_distinct_and_case_insensitively_equal(self):
        spellings = set_cookie_spellings(40)
        assert len(set(spellings)) == 40
        assert {s.lower() for s in spellings} == {"set-cookie"}


class TestOfficialSamples:
    def test_single_value_sample(self):
        seen = seen_by(make_handler(echo_app)(load_sample("aws/alb-lambda-target-request-headers-only.json"), None))
        assert seen["QUERY_STRING"] == "key=hello"
        assert seen["REMOTE_ADDR"] == "25.12.198.67"
        assert seen["headers"]["HTTP_X_MYHEADER"] == "123"
        assert seen["HTTP_HOST"] == "lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com"

    def test_multi_value_sample(self):
        event = load_sample("aws/alb-lambda-target-request-multivalue-headers.json")
        result = make_handler(echo_app)(event, None)
        assert "multiValueHeaders" in result
        seen = seen_by(result)
        assert seen["QUERY_STRING"] == "key=hello"
        assert seen["REMOTE_ADDR"] == "72.21.198.67"
