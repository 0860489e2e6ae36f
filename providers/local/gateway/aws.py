"""AWS front doors: an HTTP request as the Lambda event API Gateway or a Function URL sends, and
the function's result back as HTTP.

Shapes follow AWS's documented payloads and official samples and, where the documentation is
silent, events captured from live AWS front doors: HTTP API payload 2.0 and Function URLs
(lower-cased headers joined with ",", `cookies`, `rawQueryString`), REST API payload 1.0
(`multiValueHeaders`, the stage in the URL but not in `path`). Binary bodies arrive
base64-encoded.

Paths: an HTTP API percent-decodes the path once and sends it decoded in both `rawPath` and
`requestContext.http.path` (`/a%2Fb` arrives as `/a/b`, `100%25` as `100%`, and a decoded `?`
ends the path); a Function URL keeps `rawPath` as the client sent it (`http.path` is decoded); a
REST API keeps `path` encoded. The query string is never decoded in `rawQueryString`; the
parameter maps hold decoded values (`+` is a space there).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote

from faas.providers.local.gateway.request import GatewayRequest

ACCOUNT = "000000000000"
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "+json",
    "+xml",
)

# (status, headers, body) as the gateway answers the client.
HttpAnswer = tuple[int, list[tuple[str, str]], bytes]


def _body(request: GatewayRequest) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    content_type = request.header("content-type").lower()
    if any(kind in content_type for kind in _TEXT_TYPES):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def _clf_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def _trace_id(epoch: float) -> str:
    """An X-Ray trace header as every AWS front door adds it: ``Root=1-<time>-<96 random bits>``."""
    return f"Root=1-{int(epoch):08x}-{uuid.uuid4().hex[:24]}"


def _forwarded(request: GatewayRequest, now: float) -> list[tuple[str, str]]:
    # The front door sets these itself; a client's own values are overwritten (X-Forwarded-For
    # is appended to, as AWS does).
    headers = [
        (k, v)
        for k, v in request.headers
        if k.lower() not in ("x-forwarded-proto", "x-forwarded-port", "x-forwarded-for", "x-amzn-trace-id")
    ]
    chain = ", ".join([*request.header_values("x-forwarded-for"), request.source_ip])
    return [
        *headers,
        ("X-Amzn-Trace-Id", _trace_id(now)),
        ("X-Forwarded-For", chain),
        ("X-Forwarded-Proto", "http"),
        ("X-Forwarded-Port", str(request.port)),
    ]


def http_api_path(raw: str) -> str:
    """The path an HTTP API puts in ``rawPath``: percent-decoded once, cut at a decoded ``?``."""
    return unquote(raw).partition("?")[0]


def http_api_event(request: GatewayRequest, *, function_url: bool = False, region: str = "us-east-1") -> dict[str, Any]:
    """Payload format 2.0: HTTP API `$default` route, or a Lambda Function URL."""
    now = time.time()
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in _forwarded(request, now):
        lname = name.lower()
        if lname == "cookie":
            cookies += [part.strip() for part in value.split(";") if part.strip()]
            if not function_url:  # an HTTP API moves them out of the headers; a Function URL keeps both
                continue
        headers[lname] = f"{headers[lname]},{value}" if lname in headers else value
    if request.body or not function_url:
        # The front door counts the body it forwards (an HTTP API says "0" for none).
        headers["content-length"] = str(len(request.body))
    query: dict[str, str] = {}
    for key, value in request.query_pairs():
        query[key] = f"{query[key]},{value}" if key in query else value
    body, is_base64 = _body(request)
    api_id = "localurl" if function_url else "localapi"
    domain = f"{api_id}.lambda-url.{region}.on.aws" if function_url else request.host
    decoded = unquote(request.path) if function_url else http_api_path(request.path)
    context: dict[str, Any] = {
        "accountId": "anonymous" if function_url else ACCOUNT,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".")[0],
        "http": {
            "method": request.method,
            "path": decoded,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent"),
        },
        "requestId": request.request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": _clf_time(now),
        "timeEpoch": int(now * 1000),
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path if function_url else decoded,
        "rawQueryString": request.query,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    return event


def rest_api_event(request: GatewayRequest, stage: str, path: str, region: str = "us-east-1") -> dict[str, Any]:
    """Payload format 1.0 of a REST API `{proxy+}` resource; `path` is without the stage."""
    now = time.time()
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in _forwarded(request, now):
        single[name] = value
        multi.setdefault(name, []).append(value)
    query_single: dict[str, str] = {}
    query_multi: dict[str, list[str]] = {}
    for key, value in request.query_pairs():
        query_single[key] = value
        query_multi.setdefault(key, []).append(value)
    body, is_base64 = _body(request)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": request.method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query_single or None,
        "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "localapi",
            # The API's own domain, where the stage is part of the URL (the Host header stays local).
            "domainName": f"localapi.execute-api.{region}.amazonaws.com",
            "domainPrefix": "localapi",
            "httpMethod": request.method,
            "identity": {"sourceIp": request.source_ip, "userAgent": request.header("user-agent")},
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request.request_id,
            "requestTime": _clf_time(now),
            "requestTimeEpoch": int(now * 1000),
            "resourceId": "local",
            "resourcePath": "/{proxy+}",
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _error(status: int, message: str, request_id: str, id_header: str) -> HttpAnswer:
    body = json.dumps({"message": message}).encode()
    return status, [("Content-Type", "application/json"), (id_header, request_id)], body


def gateway_error(kind: str, request_id: str, id_header: str = "Apigw-Requestid") -> HttpAnswer:
    """What API Gateway answers when the function failed (`error`, `crash`) or timed out."""
    if kind == "timeout":
        return _error(504, "Endpoint request timed out", request_id, id_header)
    return _error(502, "Internal Server Error", request_id, id_header)


def http_answer(result: bytes, payload_version: str, request_id: str, id_header: str = "Apigw-Requestid") -> HttpAnswer:
    """The HTTP response for a function's result, as the front door converts it."""
    try:
        parsed = json.loads(result or b"null")
    except ValueError:
        return gateway_error("error", request_id, id_header)
    if not (isinstance(parsed, dict) and "statusCode" in parsed):
        if payload_version == "1.0":
            return gateway_error("error", request_id, id_header)
        # Payload 2.0 infers a 200 JSON response from anything else the function returns.
        inferred = parsed if isinstance(parsed, str) else json.dumps(parsed)
        return 200, [("Content-Type", "application/json")], inferred.encode()
    headers: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, values in (parsed.get("multiValueHeaders") or {}).items():
        seen.add(name.lower())
        headers += [(name, str(value)) for value in values]
    for name, value in (parsed.get("headers") or {}).items():
        if name.lower() not in seen:
            headers.append((name, str(value)))
    headers += [("Set-Cookie", cookie) for cookie in parsed.get("cookies") or []]
    raw = parsed.get("body")
    text = "" if raw is None else raw if isinstance(raw, str) else json.dumps(raw)
    try:
        body = base64.b64decode(text) if parsed.get("isBase64Encoded") else text.encode()
    except ValueError:
        return gateway_error("error", request_id, id_header)
    try:
        status = int(parsed["statusCode"])
    except (TypeError, ValueError):
        return gateway_error("error", request_id, id_header)
    headers.append((id_header, request_id))
    if not any(name.lower() == "date" for name, _ in headers):
        headers.append(("Date", formatdate(usegmt=True)))
    return status, headers, body
