"""API Gateway HTTP API payload format 2.0, and Lambda Function URLs (same format).

HTTP APIs deliver ``rawPath`` already percent-decoded and, for a named stage on the
``*.execute-api.*`` host, with ``/{stage}`` in front: it is moved to SCRIPT_NAME once
(``$default`` has no prefix). Function URLs deliver ``rawPath`` percent-encoded and have no stage.
``rawQueryString`` is used as sent, so repeated keys and their order survive.
"""

from __future__ import annotations

from faas.adapters.aws._common import Options, cgi_headers, expect_dict, is_execute_api_host, server_fields
from faas.adapters.errors import MalformedEventError
from faas.adapters.http import (
    Request,
    Response,
    decode_body,
    encode_body,
    native_from_decoded,
    native_from_encoded,
    split_prefix,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = ["NAME", "from_response", "infer", "to_request"]

NAME = "API Gateway HTTP API (v2) / Function URL"


def infer(event: dict[str, Any]) -> bool:
    """A payload 2.0 event: ``version`` "2.0" and ``requestContext.http``."""
    context = event.get("requestContext")
    return event.get("version") == "2.0" and isinstance(context, dict) and "http" in context


def to_request(event: dict[str, Any], options: Options) -> Request:
    """The neutral request for a 2.0 event; MalformedEventError for a broken one."""
    context = expect_dict(event, "requestContext", NAME)
    http = expect_dict(context, "http", NAME)
    method = http.get("method")
    path = event.get("rawPath") or http.get("path") or "/"
    query = event.get("rawQueryString") or ""
    if not isinstance(method, str) or not method or not isinstance(path, str):
        raise MalformedEventError(NAME, "requestContext.http.method or rawPath is not a string")
    if not isinstance(query, str):
        raise MalformedEventError(NAME, "rawQueryString is not a string")
    headers = cgi_headers(event.get("headers"), None, NAME)
    cookies = event.get("cookies")
    if cookies:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise MalformedEventError(NAME, "cookies is not a list of strings")
        # 2.0 moves Cookie headers into this list; the app expects one Cookie header back.
        headers["HTTP_COOKIE"] = "; ".join(cookies)
    try:
        body = decode_body(event.get("body"), event.get("isBase64Encoded"))
    except ValueError as exc:
        raise MalformedEventError(NAME, str(exc)) from None
    domain = context.get("domainName")
    scheme, server_name, port = server_fields(headers, "https", domain if isinstance(domain, str) else "")
    function_url = isinstance(domain, str) and ".lambda-url." in domain
    native = native_from_encoded(path) if function_url else native_from_decoded(path)
    script = ""
    stage = context.get("stage")
    if is_execute_api_host(server_name):
        if isinstance(stage, str) and stage and stage != "$default":
            split = split_prefix(native, "/" + stage)
            if split is not None:
                script, native = split
    elif options.base_path:
        split = split_prefix(native, options.base_path)
        script = options.base_path
        if split is not None:
            native = split[1]
    remote = http.get("sourceIp", "")
    return Request(
        method.upper(),
        native,
        query,
        headers,
        body,
        script,
        remote if isinstance(remote, str) else "",
        scheme,
        server_name,
        port,
    )


def from_response(response: Response, event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The 2.0 response: Set-Cookie in ``cookies``, other repeated headers joined with ", "."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    content_type = content_encoding = None
    for name, value in response.headers:
        lname = name.lower()
        if lname == "set-cookie":
            cookies.append(value)
            continue
        if lname == "content-type":
            content_type = value
        elif lname == "content-encoding":
            content_encoding = value
        previous = headers.get(lname)
        headers[lname] = value if previous is None else previous + ", " + value
    body, is_base64 = encode_body(response.body, content_type, content_encoding)
    result: dict[str, Any] = {
        "statusCode": response.status,
        "headers": headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
    if cookies:
        result["cookies"] = cookies
    return result
