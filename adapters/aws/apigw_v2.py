"""API Gateway HTTP API payload format 2.0, and Lambda Function URLs (same format).

HTTP APIs deliver ``rawPath`` already percent-decoded and, for a named stage on the
``*.execute-api.*`` host, with ``/{stage}`` in front: it is moved to SCRIPT_NAME once
(``$default`` has no prefix). Function URLs deliver ``rawPath`` percent-encoded and have no stage.
``rawQueryString`` is used as sent, so repeated keys and their order survive.
"""

from __future__ import annotations

from faas.adapters.aws._common import Options, add_cgi_headers
from faas.adapters.errors import MalformedEventError
from faas.adapters.http import (
    Response,
    decode_body,
    encode_body,
    mount,
    native_from_decoded,
    native_from_encoded,
    new_environ,
    set_server_fields,
    split_prefix,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = ["NAME", "from_response", "infer", "to_environ"]

NAME = "API Gateway HTTP API (v2) / Function URL"


def infer(event: dict[str, Any]) -> bool:
    """A payload 2.0 event: ``version`` "2.0" and ``requestContext.http``."""
    if event.get("version") != "2.0":
        return False
    context = event.get("requestContext")
    return type(context) is dict and "http" in context


def to_environ(event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The request environ for a 2.0 event; MalformedEventError for a broken one."""
    context = event["requestContext"]  # infer() checked it is a dict holding "http"
    http = context["http"]
    if type(http) is not dict:
        raise MalformedEventError(NAME, "requestContext.http is not an object")
    method = http.get("method")
    path = event.get("rawPath") or http.get("path") or "/"
    query = event.get("rawQueryString") or ""
    if type(method) is not str or not method or type(path) is not str or type(query) is not str:
        raise MalformedEventError(NAME, "method, rawPath or rawQueryString is not a string")
    body = event.get("body")
    if not body:
        body = b""
    elif type(body) is str and not event.get("isBase64Encoded"):
        body = body.encode("utf-8", "surrogateescape")
    else:
        try:
            body = decode_body(body, event.get("isBase64Encoded"))
        except ValueError as exc:
            raise MalformedEventError(NAME, str(exc)) from None
    environ = new_environ(method if method.isupper() else method.upper(), query, body)
    add_cgi_headers(environ, event.get("headers"), None, NAME)
    cookies = event.get("cookies")
    if cookies:
        if type(cookies) is not list or not all(type(c) is str for c in cookies):
            raise MalformedEventError(NAME, "cookies is not a list of strings")
        # 2.0 moves Cookie headers into this list; the app expects one Cookie header back.
        environ["HTTP_COOKIE"] = "; ".join(cookies)
    domain = context.get("domainName")
    if type(domain) is not str:
        domain = ""
    server_name = set_server_fields(environ, "https", domain)
    # Function URLs keep the path percent-encoded; HTTP APIs decode it (once) themselves.
    if ".lambda-url." in domain:
        native = native_from_encoded(path)
    else:
        native = path if path.isascii() else native_from_decoded(path)  # ASCII: already native
    if ".execute-api." in server_name:
        stage = context.get("stage")
        if stage and stage != "$default" and type(stage) is str:
            split = split_prefix(native, "/" + stage)
            if split is not None:
                environ["SCRIPT_NAME"], native = split
    elif options.base_path:
        native = mount(environ, native, options.base_path)
    environ["PATH_INFO"] = native
    remote = http.get("sourceIp")
    if remote and type(remote) is str:
        environ["REMOTE_ADDR"] = remote
    return environ


def from_response(response: Response, event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The 2.0 response: Set-Cookie in ``cookies``, other repeated headers joined with ", "."""
    headers: dict[str, str] = {}
    cookies: list[str] | None = None
    content_type = content_encoding = None
    for name, value in response.headers:
        lname = name.lower()
        if lname == "set-cookie":
            if cookies is None:
                cookies = [value]
            else:
                cookies.append(value)
            continue
        if lname == "content-type":
            content_type = value
        elif lname == "content-encoding":
            content_encoding = value
        if lname in headers:
            headers[lname] += ", " + value
        else:
            headers[lname] = value
    body, is_base64 = encode_body(response.body, content_type, content_encoding)
    result: dict[str, Any] = {
        "statusCode": response.status,
        "headers": headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
    if cookies is not None:
        result["cookies"] = cookies
    return result
