"""Platform-neutral HTTP request and response, and the rules every platform shares.

Each platform module turns its event into a :class:`Request`, the WSGI or ASGI runner turns the
app's answer into a :class:`Response`, and the platform module turns that back into what the
platform expects. Strings here follow PEP 3333: ``path`` and ``script_name`` are "native
strings", i.e. the raw URL bytes (percent-decoded) decoded as latin-1, so that any byte sequence,
UTF-8 or not, reaches the app unchanged.
"""

from __future__ import annotations

import binascii
from urllib.parse import quote_from_bytes, unquote_to_bytes

__all__ = [
    "Request",
    "Response",
    "cgi_key",
    "decode_body",
    "encode_body",
    "error_response",
    "header_name",
    "is_text_type",
    "join_path_prefix",
    "native_from_decoded",
    "native_from_encoded",
    "raw_path_from_native",
    "split_prefix",
    "status_line",
]


class Request:
    """One HTTP request, as the platform delivered it, in WSGI-ready form.

    A plain ``__slots__`` class rather than a dataclass: importing dataclasses pulls in
    inspect, which alone costs more than this whole package on a cold start.
    """

    __slots__ = (
        "body",
        "context",
        "event",
        "headers",
        "method",
        "path",
        "query_string",
        "remote_addr",
        "scheme",
        "script_name",
        "server_name",
        "server_port",
    )

    def __init__(  # noqa: PLR0917 - positional on the hot path: keyword calls cost ~0.25 µs
        self,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes = b"",
        script_name: str = "",
        remote_addr: str = "",
        scheme: str = "https",
        server_name: str = "localhost",
        server_port: str = "443",
        event: object = None,
        context: object = None,
    ) -> None:
        self.method = method
        #: PATH_INFO as a native string (latin-1 of the raw bytes); the app's own routes.
        self.path = path
        #: Percent-encoded query string, exactly as the client sent it (ASCII).
        self.query_string = query_string
        #: Headers keyed as in the WSGI environ (``HTTP_X_FOO``, ``CONTENT_TYPE``); repeated
        #: headers joined with ", " (Cookie with "; "). Content-Length is never here: it is
        #: recomputed from ``body``.
        self.headers = headers
        self.body = body
        #: SCRIPT_NAME as a native string: the stage or base path the app is mounted under.
        self.script_name = script_name
        #: Client address from the platform's trusted source, "" when it gave none.
        self.remote_addr = remote_addr
        self.scheme = scheme
        self.server_name = server_name
        self.server_port = server_port
        #: The platform's own event (AWS event dict, flask.Request, azure HttpRequest) and
        #: context, handed to the app as environ/scope keys ``faas.event``/``faas.context``.
        self.event = event
        self.context = context

    def header(self, name: str, default: str = "") -> str:
        """A header by its ordinary name (``"X-Forwarded-For"``)."""
        return self.headers.get(cgi_key(name.lower()) or "_", default)


class Response:
    """The app's answer: status, headers in the order sent, the whole body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes = b"") -> None:
        self.status = status
        self.headers = headers
        self.body = body


#: header name (any case) -> environ key, filled as names are seen and reused forever.
_CGI_KEYS: dict[str, str] = {}


def cgi_key(name: str) -> str:
    """``x-foo`` -> ``HTTP_X_FOO``; "" for headers that must not reach the environ.

    A name with ``_`` would collide with its ``-`` twin once converted (``X_Forwarded_For``
    would overwrite the real ``X-Forwarded-For``), so such headers are dropped, as gunicorn and
    nginx do. Content-Length is recomputed from the decoded body instead of trusted.
    """
    key = _CGI_KEYS.get(name)
    if key is None:
        lower = name.lower()
        if "_" in name or not name:
            key = ""
        elif lower == "content-type":
            key = "CONTENT_TYPE"
        elif lower == "content-length":
            key = ""
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        if len(_CGI_KEYS) < 4096:  # bounded: header names come from the client
            _CGI_KEYS[name] = key
    return key


def header_name(key: str) -> str:
    """The lower-case header name of an environ key: ``HTTP_X_FOO`` -> ``x-foo``."""
    if key == "CONTENT_TYPE":
        return "content-type"
    return key[5:].lower().replace("_", "-")


_STATUS_LINES: dict[int, str] = {}


def status_line(status: int) -> str:
    """``"200 OK"`` for 200; ALB wants this as statusDescription."""
    line = _STATUS_LINES.get(status)
    if line is None:
        from http import HTTPStatus

        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        line = _STATUS_LINES[status] = f"{status} {reason}"
    return line


def native_from_encoded(path: str) -> str:
    """PEP 3333 PATH_INFO from a percent-encoded path (REST API, Function URLs, ALB, Azure).

    Raw non-ASCII characters, which some clients and test tools send unencoded, are taken as
    UTF-8, so ``/café`` and ``/caf%C3%A9`` both reach the app as the same native string.
    """
    if "%" not in path and path.isascii():
        return path
    return unquote_to_bytes(path).decode("latin-1")


def native_from_decoded(path: str) -> str:
    """PEP 3333 PATH_INFO from an already percent-decoded path (HTTP API ``rawPath``).

    HTTP APIs hand over the path decoded, so a literal ``%`` must not be decoded a second time.
    """
    if path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("latin-1")


#: Characters RFC 3986 allows unencoded in a path; everything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def raw_path_from_native(path: str) -> bytes:
    """Percent-encoded bytes of a native path, for ASGI's ``raw_path``."""
    return quote_from_bytes(path.encode("latin-1"), safe=_PATH_SAFE).encode("ascii")


def split_prefix(path: str, prefix: str) -> tuple[str, str] | None:
    """Split ``prefix`` off ``path`` at a segment boundary: ``("/dev", "/x")`` or None.

    ``/device`` does not start with the stage ``/dev``; ``/dev`` alone leaves ``""`` (PEP 3333
    allows an empty PATH_INFO when the request is for the mount point itself).
    """
    if not prefix or prefix == "/":
        return None
    if path == prefix or (path.startswith(prefix) and path[len(prefix)] == "/"):
        return prefix, path[len(prefix) :]
    return None


def join_path_prefix(base: str) -> str:
    """Normalise a base path option: ``"api/"`` -> ``"/api"``, ``"/"`` or ``""`` -> ``""``."""
    base = base.strip("/")
    return "/" + base if base else ""


def decode_body(body: object, is_base64: object) -> bytes:
    """Request body bytes from an event's ``body``/``isBase64Encoded`` pair.

    Raises ValueError for a body that is not a string or not valid base64: the platform
    modules turn that into a 400.
    """
    if body is None or body == "":
        return b""
    if not isinstance(body, str):
        raise ValueError(f"body is a {type(body).__name__}, not a string")
    if is_base64:
        try:
            # binascii directly: the base64 module is a wrapper whose import costs more.
            return binascii.a2b_base64(body, strict_mode=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("body is marked isBase64Encoded but is not valid base64") from exc
    return body.encode("utf-8", "surrogateescape")


_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/ecmascript",
        "application/xml",
        "application/xhtml+xml",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/ld+json",
        "application/problem+json",
        "image/svg+xml",
    }
)


_TEXT_CACHE: dict[str, bool] = {}


def is_text_type(content_type: str) -> bool:
    """True for media types whose body is text (sent as a JSON string, not base64)."""
    known = _TEXT_CACHE.get(content_type)
    if known is not None:
        return known
    mime = content_type.partition(";")[0].strip().lower()
    text = mime.startswith("text/") or mime in _TEXT_TYPES or mime.endswith(("+json", "+xml"))
    if len(_TEXT_CACHE) < 256:  # apps use a handful of content types
        _TEXT_CACHE[content_type] = text
    return text


def encode_body(body: bytes, content_type: str | None, content_encoding: str | None) -> tuple[str, bool]:
    """The response body as the JSON string a platform event carries, and whether it is base64.

    Text goes out as text only when it is a text media type, not content-encoded (gzip, br) and
    valid UTF-8; everything else (images, compressed text, text in another charset) goes out as
    base64 so it round-trips byte-exact. A response without Content-Type is sent as text when it
    is valid UTF-8: the platform never reinterprets it.
    """
    if not body:
        return "", False
    if (content_encoding is None or content_encoding.lower() == "identity") and (
        content_type is None or is_text_type(content_type)
    ):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return binascii.b2a_base64(body, newline=False).decode("ascii"), True


def error_response(status: int, message: str) -> Response:
    """A short plain-text error response; never contains a traceback or event data."""
    body = message.encode("utf-8")
    return Response(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        body,
    )
