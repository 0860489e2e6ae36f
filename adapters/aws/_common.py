"""Pieces shared by the AWS HTTP event sources (API Gateway v1/v2, Function URLs, ALB)."""

from __future__ import annotations

from faas.adapters.errors import MalformedEventError
from faas.adapters.http import _CGI_KEYS, cgi_key, check_text, header_name

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Iterable
    from typing import Any

__all__ = [
    "LAMBDA_RESPONSE_LIMIT",
    "Options",
    "add_cgi_headers",
    "expect_dict",
    "is_execute_api_host",
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


def add_cgi_headers(environ: dict[str, Any], single: Any, multi: Any, source: str) -> None:
    """Add the request headers to ``environ`` keyed as CGI variables (``HTTP_X_FOO``).

    ``multi`` (multiValueHeaders) wins when present: it is the superset API Gateway and ALB
    send. Repeated headers are joined: Cookie with "; " (RFC 6265), others with ", " (RFC 9110).

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
                environ.update(fast)
                # isascii() is a flag test: one join of the values tells all of them are plain text.
                if not "".join(fast.values()).isascii():
                    check_text(((header_name(k), v) for k, v in fast.items()), source, "header")
                return
    except (KeyError, TypeError):
        pass
    _add_cgi_headers_carefully(environ, single, multi, source)


def _add_cgi_headers_carefully(environ: dict[str, Any], single: Any, multi: Any, source: str) -> None:
    """:func:`add_cgi_headers` for new header names, odd values and collisions, and for
    single-value headers (where a plain loop measured faster than a comprehension); validates."""
    keys = _CGI_KEYS
    before = len(environ)  # no header key is in a new environ: each new header adds one key
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
                raise MalformedEventError(source, f"header {name!a} is not a list")
            if len(values) == 1:
                value = values[0]
                if type(value) is not str:
                    raise MalformedEventError(source, f"header {name!a} is not a string")
            elif not values:
                continue
            else:
                if not all(type(v) is str for v in values):
                    raise MalformedEventError(source, f"header {name!a} is not a list of strings")
                value = _joiner(key).join(values)
            if not value.isascii():
                check_text([(name, value)], source, "header")
            environ[key] = value
            accepted += 1
    elif single:
        if type(single) is not dict:
            raise MalformedEventError(source, "headers is not an object")
        for name, value in single.items():
            try:
                key = keys[name]  # a subscript in a try block: cheaper than .get() and a test
            except KeyError:
                key = cgi_key(name)
            if type(value) is not str:
                raise MalformedEventError(source, f"header {name!a} is not a string")
            environ[key] = value  # dropped headers go to "", removed below
        accepted = len(single)
        if not "".join(single.values()).isascii():
            check_text(single.items(), source, "header")
    if len(environ) - before != accepted:
        # The same name in two spellings ("Accept", "accept") collided, the last one winning, or
        # several headers were dropped: rare, so the values are joined in a second pass instead
        # of slowing every request.
        environ.update(_joined_cgi_headers(multi.items() if multi else ((n, [v]) for n, v in single.items())))
    environ.pop("", None)


def _joined_cgi_headers(headers: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
    """Validated (name, values) pairs -> CGI keys with all the values of each joined."""
    joined: dict[str, str] = {}
    for name, values in headers:
        key = cgi_key(name)
        if key and values:
            value = _joiner(key).join(values)
            previous = joined.get(key)
            joined[key] = value if previous is None else previous + _joiner(key) + value
    return joined


def is_execute_api_host(host: str) -> bool:
    """True for API Gateway's own hostnames, where the stage is part of the public URL."""
    return ".execute-api." in host
