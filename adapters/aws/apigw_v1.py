"""API Gateway REST API (v1 proxy integration) and HTTP API payload format 1.0.

REST APIs deliver ``path`` percent-encoded and without the stage; on the API's own
``*.execute-api.*`` host the public URL is ``/{stage}{path}``, so the stage becomes SCRIPT_NAME
and the app's url_for()/reverse() build links that work. HTTP APIs using payload 1.0
(``"version": "1.0"``) deliver the path decoded and with a named stage still in front.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from faas.adapters.aws._common import Options, add_cgi_headers, expect_dict, is_execute_api_host
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
    new_environ,
    set_server_fields,
    split_prefix,
    unicode_problem,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = ["NAME", "from_response", "infer", "to_environ"]

NAME = "API Gateway REST API (v1)"


def infer(event: dict[str, Any]) -> bool:
    """A v1 proxy event: ``httpMethod`` and a requestContext that is not ALB's or WebSocket's."""
    context = event.get("requestContext")
    return (
        "httpMethod" in event and isinstance(context, dict) and "elb" not in context and "connectionId" not in context
    )


def _quote(text: str) -> str:
    """quote_plus, skipped for the usual value that has nothing to escape (ASCII letters and
    digits): urllib's quoting machinery costs about 0.4 µs a call, a third of a request's budget."""
    if text.isalnum() and text.isascii():
        return text
    return quote_plus(text)


def _query_string(event: dict[str, Any]) -> str:
    try:
        return _encoded_query(event)
    except UnicodeEncodeError:  # quote_plus() met a lone surrogate (the types were checked)
        multi = event.get("multiValueQueryStringParameters")
        if multi:
            pairs = [(k, text) for k, values in multi.items() for text in (k, *values)]
        else:
            pairs = [(k, text) for k, v in event["queryStringParameters"].items() for text in (k, v)]
        check_text(pairs, NAME, "query parameter")
        raise  # not reached: check_text found it


def _encoded_query(event: dict[str, Any]) -> str:
    # API Gateway hands over decoded values; re-encode them (keys too) so that "&" or "="
    # inside a value cannot split it. Repeated keys only survive in the multi-value form.
    multi = event.get("multiValueQueryStringParameters")
    if multi:
        if not isinstance(multi, dict):
            raise MalformedEventError(NAME, "multiValueQueryStringParameters is not an object")
        parts: list[str] = []
        for key, values in multi.items():
            if not isinstance(values, list):
                raise MalformedEventError(NAME, f"query parameter {key!a} is not a list")
            qkey = _quote(key)
            for value in values:
                if not isinstance(value, str):
                    raise MalformedEventError(NAME, f"query parameter {key!a} is not a string")
                parts.append(qkey + "=" + _quote(value))
        return "&".join(parts)
    single = event.get("queryStringParameters")
    if single:
        if not isinstance(single, dict) or not all(isinstance(v, str) for v in single.values()):
            raise MalformedEventError(NAME, "queryStringParameters is not an object of strings")
        return "&".join(_quote(k) + "=" + _quote(v) for k, v in single.items())
    return ""


def to_environ(event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The request environ for a v1 event; MalformedEventError for a broken one."""
    context = expect_dict(event, "requestContext", NAME)
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
    environ = new_environ(method.upper(), _query_string(event), body)
    add_cgi_headers(environ, event.get("headers"), event.get("multiValueHeaders"), NAME)
    server_name = set_server_fields(environ, "https", str(context.get("domainName", "")))
    http_api = event.get("version") == "1.0"
    try:
        native = native_from_decoded(path) if http_api else native_from_encoded(path)
    except UnicodeEncodeError:
        raise MalformedEventError(NAME, "path " + unicode_problem(path)) from None
    stage = context.get("stage")
    # API Gateway's record of the host the request entered by decides whether the stage is in the
    # public URL; the Host header may be a proxy's (or the local gateway's) in front of it.
    entry_host = context.get("domainName")
    if not isinstance(entry_host, str) or not entry_host:
        entry_host = server_name
    if is_execute_api_host(entry_host) and isinstance(stage, str) and stage != "$default":
        if http_api:
            split = split_prefix(native, "/" + stage)
            if split is not None:
                environ["SCRIPT_NAME"], native = split
        else:
            environ["SCRIPT_NAME"] = "/" + stage
    elif options.base_path:
        native = mount(environ, native, options.base_path)
    environ["PATH_INFO"] = native
    identity = context.get("identity")
    remote = identity.get("sourceIp") if isinstance(identity, dict) else None
    if remote and isinstance(remote, str):
        environ["REMOTE_ADDR"] = remote
    return environ


def from_response(response: Response, event: dict[str, Any], options: Options) -> dict[str, Any]:
    """The proxy-integration response: every header (Set-Cookie included) in multiValueHeaders."""
    multi: dict[str, list[str]] = {}
    content_type = content_encoding = None
    for name, value in response.headers:
        lname = name.lower()
        if lname == "content-type":
            content_type = value
        elif lname == "content-encoding":
            content_encoding = value
        values = multi.get(name)
        if values is None:
            multi[name] = [value]
        else:
            values.append(value)
    body, is_base64 = encode_body(response.body, content_type, content_encoding)
    return {
        "statusCode": response.status,
        "multiValueHeaders": multi,
        "body": body,
        "isBase64Encoded": is_base64,
    }
