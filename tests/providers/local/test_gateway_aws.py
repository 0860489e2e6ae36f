"""The gateway shapes HTTP requests as AWS's front doors do, and reads results back as they do."""

from __future__ import annotations

import base64
import json

from faas.adapters.aws import apigw_v1, apigw_v2, detect_http_source
from faas.providers.local.gateway import aws
from faas.providers.local.gateway.request import GatewayRequest


def make_request(**overrides) -> GatewayRequest:
    fields = {
        "method": "GET",
        "path": "/items/rex",
        "query": "a=1&a=2&b=",
        "body": b"",
        "headers": [
            ("Host", "127.0.0.1:8000"),
            ("User-Agent", "test"),
            ("Cookie", "x=1; y=2"),
            ("Accept", "text/html"),
            ("Accept", "application/json"),
        ],
        "source_ip": "127.0.0.1",
        "host": "127.0.0.1",
        "port": 8000,
        "request_id": "rid-1",
    }
    fields.update(overrides)
    return GatewayRequest(**fields)


class TestHttpApiV2:
    def test_shape(self):
        event = aws.http_api_event(make_request())
        assert event["version"] == "2.0"
        assert event["rawPath"] == "/items/rex"
        assert event["rawQueryString"] == "a=1&a=2&b="
        assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
        assert event["cookies"] == ["x=1", "y=2"]
        assert "cookie" not in event["headers"]
        assert event["headers"]["accept"] == "text/html,application/json"
        assert all(name == name.lower() for name in event["headers"])
        assert event["requestContext"]["http"] == {
            "method": "GET",
            "path": "/items/rex",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "test",
        }
        assert event["requestContext"]["requestId"] == "rid-1"
        assert detect_http_source(event) is apigw_v2

    def test_binary_body_is_base64(self):
        payload = bytes(range(256))
        event = aws.http_api_event(
            make_request(method="POST", body=payload, headers=[("Content-Type", "application/octet-stream")])
        )
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == payload

    def test_text_body_is_plain(self):
        event = aws.http_api_event(
            make_request(method="POST", body=b'{"a": 1}', headers=[("Content-Type", "application/json")])
        )
        assert event["isBase64Encoded"] is False
        assert event["body"] == '{"a": 1}'

    def test_client_forwarding_headers_are_overwritten(self):
        event = aws.http_api_event(
            make_request(headers=[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "6.6.6.6")])
        )
        assert event["headers"]["x-forwarded-proto"] == "http"
        assert event["headers"]["x-forwarded-for"] == "6.6.6.6, 127.0.0.1"
        assert event["headers"]["x-forwarded-port"] == "8000"

    def test_function_url_domain(self):
        event = aws.http_api_event(make_request(), function_url=True, region="eu-west-1")
        assert event["requestContext"]["domainName"] == "localurl.lambda-url.eu-west-1.on.aws"

    def test_http_api_decodes_the_path_once(self):
        event = aws.http_api_event(make_request(path="/items/caf%C3%A9%20%E2%9C%93/100%25/a%2Fb+c"))
        assert event["rawPath"] == "/items/café ✓/100%/a/b+c"
        assert event["requestContext"]["http"]["path"] == event["rawPath"]
        assert event["rawQueryString"] == "a=1&a=2&b="

    def test_http_api_ends_the_path_at_a_decoded_question_mark(self):
        assert aws.http_api_event(make_request(path="/users/me%3Fadmin=true"))["rawPath"] == "/users/me"

    def test_function_url_keeps_the_raw_path_and_the_cookie_header(self):
        event = aws.http_api_event(make_request(path="/items/caf%C3%A9%20x"), function_url=True)
        assert event["rawPath"] == "/items/caf%C3%A9%20x"
        assert event["requestContext"]["http"]["path"] == "/items/café x"
        assert event["cookies"] == ["x=1", "y=2"]
        assert event["headers"]["cookie"] == "x=1; y=2"

    def test_front_door_headers(self):
        event = aws.http_api_event(make_request())
        assert event["headers"]["content-length"] == "0"
        assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-")
        posted = aws.http_api_event(make_request(method="POST", body=b"abc"), function_url=True)
        assert posted["headers"]["content-length"] == "3"


class TestRestApiV1:
    def test_shape_with_stage(self):
        event = aws.rest_api_event(make_request(), "dev", "/items/rex")
        assert event["path"] == "/items/rex"
        assert event["requestContext"]["path"] == "/dev/items/rex"
        assert event["requestContext"]["stage"] == "dev"
        assert event["multiValueHeaders"]["Accept"] == ["text/html", "application/json"]
        assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
        assert event["pathParameters"] == {"proxy": "items/rex"}
        assert detect_http_source(event) is apigw_v1

    def test_path_stays_encoded(self):
        event = aws.rest_api_event(make_request(path="/dev/caf%C3%A9%20x"), "dev", "/caf%C3%A9%20x")
        assert event["path"] == "/caf%C3%A9%20x"
        assert event["requestContext"]["path"] == "/dev/caf%C3%A9%20x"
        assert event["pathParameters"] == {"proxy": "caf%C3%A9%20x"}
        assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")


class TestAnswers:
    def test_v2_cookies_and_base64(self):
        result = {
            "statusCode": 201,
            "headers": {"content-type": "image/png"},
            "cookies": ["a=1", "b=2"],
            "body": base64.b64encode(b"\x89PNG\x00\xff").decode(),
            "isBase64Encoded": True,
        }
        status, headers, body = aws.http_answer(json.dumps(result).encode(), "2.0", "rid")
        assert status == 201
        assert body == b"\x89PNG\x00\xff"
        assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]

    def test_v1_multi_value_headers(self):
        result = {
            "statusCode": 200,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "headers": {"X": "y"},
            "body": "ok",
        }
        status, headers, body = aws.http_answer(json.dumps(result).encode(), "1.0", "rid")
        assert (status, body) == (200, b"ok")
        assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]
        assert ("X", "y") in headers

    def test_v2_infers_json_from_a_plain_result(self):
        status, _, body = aws.http_answer(b'{"hello": "world"}', "2.0", "rid")
        assert status == 200
        assert json.loads(body) == {"hello": "world"}

    def test_v1_requires_a_status_code(self):
        status, _, _ = aws.http_answer(b'{"hello": "world"}', "1.0", "rid")
        assert status == 502

    def test_errors_like_api_gateway(self):
        assert aws.gateway_error("timeout", "rid")[0] == 504
        assert aws.gateway_error("crash", "rid")[0] == 502
