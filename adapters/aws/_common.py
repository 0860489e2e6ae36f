"""Pieces shared by the AWS HTTP event sources (API Gateway v1/v2, Function URLs, ALB)."""

from __future__ import annotations

from faas.adapters.errors import MalformedEventError
from faas.adapters.http import _CGI_KEYS, cgi_key

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = [
    "LAMBDA_RESPONSE_LIMIT",
    "Options",
    "cgi_headers",
    "expect_dict",
    "is_execute_api_host",
    "server_fields",
    "single_cgi_headers",
]

#: Lambda's synchronous response payload limit, bytes of the serialised JSON.
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024


class Options:
    """Options of :func:`faas.adapters.aws.make_handler` the event sources read."""

    __slots__ = ("base_path", "max_response_bytes")

    def __init__(self, base_path: str = "", max_response_bytes: int = LAMBDA_RESPONSE_LIMIT) -> None:
        #: Custom-domain path prefix moved from PATH_INFO to SCRIPT_NAME ("" for none).
        self.base_path = base_path
        #: Largest serialised response the platform accepts; larger ones become a 502.
        self.max_response_bytes = max_response_bytes


def expect_dict(event: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    """``event[key]`` as a dict ({} when missing or null); MalformedEventError otherwise."""
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEventError(source, f"{key} is a {type(value).__name__}, not an object")
    return value


def _joiner(key: str) -> str:
    return "; " if key == "HTTP_COOKIE" else ", "


def cgi_headers(single: Any, multi: Any, source: str) -> dict[str, str]:
    """Request headers keyed as in the WSGI environ (``HTTP_X_FOO``), repeated ones joined.

    ``multi`` (multiValueHeaders) wins when present: it is the superset API Gateway and ALB
    send. Repeated Cookie headers are joined with "; " (RFC 6265), others with ", " (RFC 9110).

    This runs for every request. For multi-value headers the usual case (names seen before, all
    values lists, no name in two spellings) is one dict comprehension, where str.join also
    checks the values are strings; anything else takes the careful path (which measured faster
    than a comprehension for single-value headers).
    """
    keys = _CGI_KEYS
    try:
        if multi and type(multi) is dict:
            fast = {
                keys[name]: ("; " if keys[name] == "HTTP_COOKIE" else ", ").join(values)
                for name, values in multi.items()
                if type(values) is list and values
            }
            if len(fast) == len(multi):
                fast.pop("", None)
                return fast
    except (KeyError, TypeError):
        pass
    return _careful_cgi_headers(single, multi, source)


def _careful_cgi_headers(single: Any, multi: Any, source: str) -> dict[str, str]:
    """:func:`cgi_headers` for new header names, odd values and collisions, and for
    single-value headers (where a plain loop measured faster than a comprehension); validates."""
    headers: dict[str, str] = {}
    keys = _CGI_KEYS
    accepted = 0
    if multi:
        if type(multi) is not dict:
            raise MalformedEventError(source, "multiValueHeaders is not an object")
        for name, values in multi.items():
            key = keys.get(name)
            if key is None:
                key = cgi_key(name)
            if not key:
                continue
            if type(values) is not list:
                raise MalformedEventError(source, f"header {name!r} is not a list")
            if len(values) == 1:
                value = values[0]
                if type(value) is not str:
                    raise MalformedEventError(source, f"header {name!r} is not a string")
            elif not values:
                continue
            else:
                if not all(type(v) is str for v in values):
                    raise MalformedEventError(source, f"header {name!r} is not a list of strings")
                value = _joiner(key).join(values)
            headers[key] = value
            accepted += 1
        if accepted != len(headers):
            # The same name in two spellings ("Accept", "accept") collided: rare, so the join is
            # done in a second pass instead of slowing down every request.
            headers = {}
            for name, values in multi.items():
                key = keys.get(name) or cgi_key(name)
                if key and values:
                    value = _joiner(key).join(values)
                    previous = headers.get(key)
                    headers[key] = value if previous is None else previous + _joiner(key) + value
        return headers
    if single:
        if type(single) is not dict:
            raise MalformedEventError(source, "headers is not an object")
        for name, value in single.items():
            key = keys.get(name)
            if key is None:
                key = cgi_key(name)
            if key:
                if type(value) is not str:
                    raise MalformedEventError(source, f"header {name!r} is not a string")
                headers[key] = value
                accepted += 1
        if accepted != len(headers):
            # Two spellings of one name ("Accept" and "accept") collided: rare, so the join is
            # done in a second pass instead of slowing down every request.
            headers = {}
            for name, value in single.items():
                key = keys.get(name) or cgi_key(name)
                if key:
                    previous = headers.get(key)
                    headers[key] = value if previous is None else previous + _joiner(key) + value
    return headers


def is_execute_api_host(host: str) -> bool:
    """True for API Gateway's own hostnames, where the stage is part of the public URL."""
    return ".execute-api." in host


def server_fields(headers: dict[str, str], default_scheme: str, fallback_host: str) -> tuple[str, str, str]:
    """(wsgi.url_scheme, SERVER_NAME, SERVER_PORT) from Host and X-Forwarded-Proto/Port.

    These headers are set by the AWS front door itself (a client's values are overwritten), so
    custom domains and ports come out as the client saw them.
    """
    scheme = headers.get("HTTP_X_FORWARDED_PROTO", default_scheme)
    if scheme != "https" and scheme != "http":  # noqa: PLR1714 - faster than a tuple test
        scheme = scheme.lower()
        if scheme not in ("http", "https"):
            scheme = default_scheme
    host = headers.get("HTTP_HOST") or fallback_host or "localhost"
    name, sep, host_port = host.rpartition(":")
    if not sep or "]" in host_port:  # no port, or a bare IPv6 literal
        name, host_port = host, ""
    port = headers.get("HTTP_X_FORWARDED_PORT") or host_port or ("443" if scheme == "https" else "80")
    if not port.isdigit():
        port = "443" if scheme == "https" else "80"
    return scheme, name, port


def single_cgi_headers(single: Any, source: str) -> dict[str, str]:
    """:func:`cgi_headers` for sources that only send single-value ``headers``."""
    return _careful_cgi_headers(single, None, source)
