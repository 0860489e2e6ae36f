"""Small WSGI apps that report what they saw, or answer exactly what a test asks for."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any

SEEN_KEYS = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "SERVER_NAME",
    "SERVER_PORT",
    "REMOTE_ADDR",
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_HOST",
    "HTTP_COOKIE",
    "wsgi.url_scheme",
)


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers JSON: the environ keys above, every HTTP_* header and the body (base64)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    seen = {key: environ.get(key) for key in SEEN_KEYS}
    seen["headers"] = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
    seen["body_b64"] = base64.b64encode(body).decode()
    seen["types"] = sorted({type(v).__name__ for k, v in environ.items() if k.isupper()})
    payload = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def seen_by(result: dict[str, Any]) -> dict[str, Any]:
    """Decode what echo_app reported from a platform response dict (text body)."""
    body = result["body"]
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)


def fixed_app(
    status: str = "200 OK", headers: list[tuple[str, str]] | None = None, body: bytes | list[bytes] = b""
) -> Callable[..., Iterable[bytes]]:
    """An app that always answers ``status``, ``headers``, ``body``."""
    chunks = body if isinstance(body, list) else [body]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, list(headers or []))
        return list(chunks)

    return app


class ClosingBody:
    """A response iterable that records whether close() was called (PEP 3333)."""

    def __init__(self, chunks: list[bytes], fail_at: int | None = None) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.closed = False

    def __iter__(self):
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_at:
                raise RuntimeError("boom while streaming")
            yield chunk

    def close(self) -> None:
        self.closed = True
