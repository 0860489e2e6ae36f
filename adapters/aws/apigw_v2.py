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
    check_text,
    decode_body,
    encode_body,
    is_token,
    mount,
    native_from_decoded,
    native_from_encoded,
    native_query,
    new_environ,
    set_server_fields,
    split_prefix,
    unicode_problem,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any, NoReturn

__all__ = ["NAME", "from_response", "infer", "to_environ"]

NAME = "API Gateway HTTP API (v2) / Function URL"


def infer(event: dict[str, Any]) -> bool:
    """A payload 2.0 event: ``version`` "2.0" and ``requestContext.http``."""
    if event.get("version") != "2.0":
        return False
    context = event.get("requestContext")
    return type(context) is dict and "http" in context


def _not_text(field: str, text: str) -> NoReturn:
    raise MalformedEventError(NAME, f"{field} {unicode_problem(text)}")


def _request_body(body: Any, event: dict[str, Any]) -> bytes:
    if type(body) is str and not event.get("isBase64Encoded"):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            _not_text("body", body)
    try:
        return decode_body(body, event.get("isBase64Encoded"))
    except ValueError as exc:
        raise MalformedEventError(NAME, str(exc)) from None


def _cookie_header(cookies: Any) -> str:
    if type(cookies) is not list or not all(type(c) is str for c in cookies):
        raise MalformedEventError(NAME, "cookies is not a list of strings")
    cookie = "; ".join(cookies)
    if not cookie.isascii():
        check_text(((c.partition("=")[0], c) for c in cookies), NAME, "cookie")
    return cookie


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
    if not (method.isalpha() and method.isascii()) and not is_token(method):  # the call only for odd ones
        raise MalformedEventError(NAME, f"method {method!a} is not an HTTP method")
    body = event.get("body")
    body = _request_body(body, event) if body else b""
    if not query.isascii():
        try:
            query = native_query(query)
        except UnicodeEncodeError:
            _not_text("rawQueryString", query)
    environ = new_environ(method if method.isupper() else method.upper(), query, body)
    add_cgi_headers(environ, event.get("headers"), None, NAME)
    cookies = event.get("cookies")
    if cookies:
        # 2.0 moves Cookie headers into this list; the app expects one Cookie header back.
        environ["HTTP_COOKIE"] = _cookie_header(cookies)
    domain = context.get("domainName")
    if type(domain) is not str:
        domain = ""
    server_name = set_server_fields(environ, "https", domain)
    # Function URLs keep the path percent-encoded; HTTP APIs decode it (once) themselves.
    try:
        if ".lambda-url." in domain:
            native = native_from_encoded(path)
        else:
            native = path if path.isascii() else native_from_decoded(path)  # ASCII: already native
    except UnicodeEncodeError:
        _not_text("rawPath", path)
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
