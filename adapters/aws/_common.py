"""Pieces shared by the AWS HTTP event sources (API Gateway v1/v2, Function URLs, ALB)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faas.adapters.errors import MalformedEventError

__all__ = [
    "LAMBDA_RESPONSE_LIMIT",
    "Options",
    "expect_dict",
    "header_map",
    "is_execute_api_host",
    "server_fields",
]

#: Lambda's synchronous response payload limit, bytes of the serialised JSON.
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Options:
    """Options of :func:`faas.adapters.aws.make_handler` the event sources read."""

    #: Custom-domain path prefix moved from PATH_INFO to SCRIPT_NAME ("" for none).
    base_path: str = ""
    #: Largest serialised response the platform accepts; larger ones become a 502.
    max_response_bytes: int = LAMBDA_RESPONSE_LIMIT


def expect_dict(event: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    """``event[key]`` as a dict ({} when missing or null); MalformedEventError otherwise."""
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEventError(source, f"{key} is a {type(value).__name__}, not an object")
    return value


def header_map(
    single: Any, multi: Any, source: str
) -> dict[str, str]:
    """Request headers as {lower-case name: value}, repeated headers joined.

    ``multi`` (multiValueHeaders) wins when present: it is the superset API Gateway and ALB
    send. Repeated Cookie headers are joined with "; " (RFC 6265), others with ", " (RFC 9110).
    """
    headers: dict[str, str] = {}
    if multi:
        if not isinstance(multi, dict):
            raise MalformedEventError(source, "multiValueHeaders is not an object")
        for name, values in multi.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise MalformedEventError(source, f"header {name!r} is not a list of strings")
            if not values:
                continue
            lname = name.lower()
            joiner = "; " if lname == "cookie" else ", "
            value = values[0] if len(values) == 1 else joiner.join(values)
            previous = headers.get(lname)
            headers[lname] = value if previous is None else previous + joiner + value
        return headers
    if single:
        if not isinstance(single, dict):
            raise MalformedEventError(source, "headers is not an object")
        for name, value in single.items():
            if not isinstance(value, str):
                raise MalformedEventError(source, f"header {name!r} is not a string")
            headers[name.lower()] = value
    return headers


def is_execute_api_host(host: str) -> bool:
    """True for API Gateway's own hostnames, where the stage is part of the public URL."""
    return ".execute-api." in host


def server_fields(headers: dict[str, str], default_scheme: str, fallback_host: str) -> tuple[str, str, str]:
    """(wsgi.url_scheme, SERVER_NAME, SERVER_PORT) from Host and X-Forwarded-Proto/Port.

    These headers are set by the AWS front door itself (a client's values are overwritten), so
    custom domains and ports come out as the client saw them.
    """
    scheme = headers.get("x-forwarded-proto", default_scheme).lower()
    if scheme not in ("http", "https"):
        scheme = default_scheme
    host = headers.get("host") or fallback_host or "localhost"
    name, sep, host_port = host.rpartition(":")
    if not sep or "]" in host_port:  # no port, or a bare IPv6 literal
        name, host_port = host, ""
    port = headers.get("x-forwarded-port") or host_port or ("443" if scheme == "https" else "80")
    if not port.isdigit():
        port = "443" if scheme == "https" else "80"
    return scheme, name, port
