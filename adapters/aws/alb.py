"""Application Load Balancer Lambda targets, single-value and multi-value headers modes.

ALB passes the path and the query string exactly as the client sent them (still
percent-encoded), appends the client address to X-Forwarded-For (so the rightmost entry is the
only trustworthy one) and answers in the mode of the request: a target group with multi-value
headers sends and expects ``multiValueHeaders``, otherwise ``headers``.
"""

from __future__ import annotations

from itertools import product

from faas.adapters.aws._common import Options, add_cgi_headers, expect_dict
from faas.adapters.errors import MalformedEventError
from faas.adapters.http import (
    Response,
    decode_body,
    encode_body,
    is_token,
    mount,
    native_from_encoded,
    native_query,
    new_environ,
    set_server_fields,
    status_line,
    unicode_problem,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = ["NAME", "from_response", "infer", "set_cookie_spellings", "to_environ"]

NAME = "Application Load Balancer"


def infer(event: dict[str, Any]) -> bool:
    """An ALB event: ``requestContext.elb``."""
    context = event.get("requestContext")
    return isinstance(context, dict) and "elb" in context


def _query_string(event: dict[str, Any]) -> str:
    # ALB does not decode keys or values: join them back as they came.
    multi = event.get("multiValueQueryStringParameters")
    if multi:
        if not isinstance(multi, dict):
            raise MalformedEventError(NAME, "multiValueQueryStringParameters is not an object")
        parts: list[str] = []
        for key, values in multi.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise MalformedEventError(NAME, f"query parameter {key!a} is not a list of strings")
            parts.extend(key + "=" + value if value else key for value in values)
        return "&".join(parts)
    single = event.get("queryStringParameters")
    if single:
        if not isinstance(single, dict) or not all(isinstance(v, str) for v in single.values()):
            raise MalformedEventError(NAME, "queryStringParameters is not an object of strings")
        return "&".join(k + "=" + v if v else k for k, v in single.items())
    return ""


def to_environ(event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The request environ for an ALB event; MalformedEventError for a broken one."""
    expect_dict(event, "requestContext", NAME)
    method = event.get("httpMethod")
    path = event.get("path") or "/"
    if not isinstance(method, str) or not method or not isinstance(path, str):
        raise MalformedEventError(NAME, "httpMethod or path is not a string")
    if not (method.isalpha() and method.isascii()) and not is_token(method):  # the call only for odd ones
        raise MalformedEventError(NAME, f"httpMethod {method!a} is not an HTTP method")
    try:
        body = decode_body(event.get("body"), event.get("isBase64Encoded"))
    except ValueError as exc:
        raise MalformedEventError(NAME, str(exc)) from None
    query = _query_string(event)
    try:
        query = native_query(query)
    except UnicodeEncodeError:
        raise MalformedEventError(NAME, "query string " + unicode_problem(query)) from None
    try:
        native = native_from_encoded(path)
    except UnicodeEncodeError:
        raise MalformedEventError(NAME, "path " + unicode_problem(path)) from None
    environ = new_environ(method.upper(), query, body)
    add_cgi_headers(environ, event.get("headers"), event.get("multiValueHeaders"), NAME)
    set_server_fields(environ, "http", "")
    environ["PATH_INFO"] = mount(environ, native, options.base_path) if options.base_path else native
    # The load balancer appends the peer it accepted the connection from; anything to the left
    # was written by the client and can be forged.
    remote = environ.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
    if remote:
        environ["REMOTE_ADDR"] = remote
    return environ


def set_cookie_spellings(count: int) -> list[str]:
    """``count`` distinct spellings of "Set-Cookie" differing only in letter case.

    A single-value ALB response is a JSON object, so it cannot repeat a key; header names are
    case-insensitive, so each cookie gets its own spelling and the browser sees them all.
    """
    spellings: list[str] = []
    letters = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in "set-cookie"]
    for combo in product(*letters):
        name = "".join(combo)
        spellings.append(name)
        if len(spellings) == count:
            break
    if len(spellings) < count:
        raise ValueError(f"ALB single-value mode cannot carry {count} Set-Cookie headers")
    return spellings


def from_response(response: Response, event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The ALB response, in the headers mode the request came in."""
    if "multiValueHeaders" in event:
        multi: dict[str, list[str]] = {}
        for name, value in response.headers:
            lname = name.lower()
            values = multi.get(lname)
            if values is None:
                multi[lname] = [value]
            else:
                values.append(value)
        content_type = multi.get("content-type")
        content_encoding = multi.get("content-encoding")
        result = _result(
            response, content_type[-1] if content_type else None, content_encoding[-1] if content_encoding else None
        )
        result["multiValueHeaders"] = multi
        return result
    # Single-value mode, built in one pass: repeated headers are joined with ", ", except
    # Set-Cookie, which must stay separate and gets one spelling per cookie.
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in response.headers:
        lname = name.lower()
        if lname == "set-cookie":
            cookies.append(value)
            continue
        previous = headers.get(lname)
        headers[lname] = value if previous is None else previous + ", " + value
    if len(cookies) == 1:
        headers["set-cookie"] = cookies[0]
    elif cookies:
        for spelling, value in zip(set_cookie_spellings(len(cookies)), cookies, strict=True):
            headers[spelling] = value
    result = _result(response, headers.get("content-type"), headers.get("content-encoding"))
    result["headers"] = headers
    return result


def _result(response: Response, content_type: str | None, content_encoding: str | None) -> dict[str, Any]:
    body, is_base64 = encode_body(response.body, content_type, content_encoding)
    return {
        "statusCode": response.status,
        "statusDescription": status_line(response.status),
        "body": body,
        "isBase64Encoded": is_base64,
    }
