"""Platform-neutral HTTP request and response, and the rules every platform shares.

The neutral request is the WSGI environ itself (PEP 3333 is already a platform-neutral request
format): each platform module turns its event into one with :func:`new_environ`, the WSGI or
ASGI runner turns the app's answer into a :class:`Response`, and the platform module turns that
back into what the platform expects. Paths follow PEP 3333: PATH_INFO and SCRIPT_NAME are
"native strings", i.e. the raw URL bytes (percent-decoded) decoded as latin-1, so that any byte
sequence, UTF-8 or not, reaches the app unchanged.
"""

from __future__ import annotations

import binascii
import sys
from io import BytesIO
from urllib.parse import quote_from_bytes, unquote_to_bytes

from faas.adapters.errors import MalformedEventError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Iterable
    from typing import Any

__all__ = [
    "Response",
    "cgi_key",
    "check_text",
    "decode_body",
    "encode_body",
    "error_response",
    "header_name",
    "is_text_type",
    "is_token",
    "join_path_prefix",
    "mount",
    "native_from_decoded",
    "native_from_encoded",
    "native_query",
    "new_environ",
    "raw_path_from_native",
    "request_body",
    "request_path",
    "set_server_fields",
    "split_prefix",
    "status_line",
    "unicode_problem",
]


#: Every key of a request environ, with defaults; :func:`new_environ` copies it. Copying a dict
#: literal is one memcpy of a table already sized for the whole environ: measurably cheaper than
#: growing a dict key by key through several resizes.
_ENVIRON_TEMPLATE: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/",
    "QUERY_STRING": "",
    "SERVER_NAME": "localhost",
    "SERVER_PORT": "443",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "CONTENT_LENGTH": "0",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "https",
    "wsgi.input": None,
    "wsgi.errors": None,
    "wsgi.multithread": False,
    "wsgi.multiprocess": True,
    "wsgi.run_once": False,
    "faas.event": None,
    "faas.context": None,
}


def new_environ(method: str, query_string: str, body: bytes) -> dict[str, Any]:
    """A new WSGI environ (PEP 3333): the neutral form of a request every platform module builds.

    WSGI apps get it as it is; ASGI apps get a scope made from it. The platform module then adds
    the headers keyed as CGI variables (``HTTP_X_FOO``, ``CONTENT_TYPE``; repeated headers joined
    with ", ", Cookie with "; "; never Content-Length, recomputed here from ``body``), the server
    fields (:func:`set_server_fields`), SCRIPT_NAME and PATH_INFO as native strings (latin-1 of
    the raw bytes), REMOTE_ADDR from the platform's trusted source when it gives one, and
    ``faas.event``/``faas.context``. ``query_string`` is percent-encoded as the client sent it.
    """
    environ = _ENVIRON_TEMPLATE.copy()
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = query_string
    if body:  # the template says "0"
        environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input"] = BytesIO(body)
    environ["wsgi.errors"] = sys.stderr  # looked up per call: runtimes and tests swap it
    return environ


def set_server_fields(environ: dict[str, Any], default_scheme: str, fallback_host: str) -> str:
    """Set wsgi.url_scheme, SERVER_NAME and SERVER_PORT from the Host and X-Forwarded-Proto/Port
    headers already in ``environ``; returns SERVER_NAME.

    The platforms' front doors set these headers themselves (a client's values are overwritten),
    so custom domains and ports come out as the client saw them.
    """
    scheme = environ.get("HTTP_X_FORWARDED_PROTO", default_scheme)
    if scheme != "https" and scheme != "http":  # noqa: PLR1714 - faster than a tuple test
        scheme = scheme.lower()
        if scheme not in ("http", "https"):
            scheme = default_scheme
    name = environ.get("HTTP_HOST") or fallback_host or "localhost"
    host_port = ""
    if ":" in name:
        host, _, host_port = name.rpartition(":")
        if "]" in host_port:  # a bare IPv6 literal, no port
            host_port = ""
        else:
            name = host
    port = environ.get("HTTP_X_FORWARDED_PORT") or host_port or ("443" if scheme == "https" else "80")
    if not port.isdigit():
        port = "443" if scheme == "https" else "80"
    environ["wsgi.url_scheme"] = scheme
    environ["SERVER_NAME"] = name
    environ["SERVER_PORT"] = port
    return name


def request_body(environ: dict[str, Any]) -> bytes:
    """The body of an environ made by :func:`new_environ` (for ASGI apps)."""
    body: bytes = environ["wsgi.input"].getvalue()
    return body


def request_path(environ: dict[str, Any]) -> str:
    """SCRIPT_NAME + PATH_INFO: the whole path the client asked for, as a native string."""
    path: str = environ["SCRIPT_NAME"] + environ["PATH_INFO"]
    return path


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
    nginx do; so are names that are not ASCII, which no HTTP header name can be (RFC 9110
    tokens). Content-Length is recomputed from the decoded body instead of trusted.
    """
    key = _CGI_KEYS.get(name)
    if key is None:
        lower = name.lower()
        if "_" in name or not name or not name.isascii():
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


_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def is_token(text: str) -> bool:
    """True for an RFC 9110 token, the syntax of a method: ``GET``, ``M-SEARCH``; never a space,
    a line break or a non-ASCII character (which would reach the app and the access line)."""
    if text.isalpha() and text.isascii():  # every real method: two quick tests
        return True
    return bool(text) and all(char in _TOKEN_CHARS for char in text)


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
    Raises UnicodeEncodeError for text no front door can send (a lone surrogate).
    """
    if path.isascii():
        return path
    return path.encode("utf-8").decode("latin-1")


def native_query(query: str) -> str:
    """PEP 3333 QUERY_STRING from a query string as sent: raw non-ASCII characters (sent
    unencoded by some clients) become the latin-1 characters of their UTF-8 bytes, as a WSGI
    server gives them (the conversion of a decoded path). Raises UnicodeEncodeError for a lone
    surrogate."""
    return native_from_decoded(query)


def unicode_problem(text: str) -> str:
    """Why ``text`` (which failed to encode as UTF-8) is not text a front door sends, for a 400."""
    for index, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            return f"holds a lone surrogate (U+{ord(char):04X} at position {index}), which is not valid UTF-8"
    return "is not valid UTF-8 text"


def check_text(values: Iterable[tuple[str, str]], source: str, what: str) -> None:
    """MalformedEventError for the first value that is not valid Unicode text (a lone surrogate).

    JSON can spell "\\ud800", but a front door decodes what the client sent as UTF-8 and never
    produces one; such a string would fail later, wherever it is encoded. Called only when a
    cheap ``isascii()`` test of the values failed, so valid non-ASCII text costs one pass here.
    """
    for name, value in values:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedEventError(source, f"{what} {name!a} {unicode_problem(value)}") from None


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


def mount(environ: dict[str, Any], path: str, prefix: str) -> str:
    """Mount the app under ``prefix`` (a base path option): SCRIPT_NAME becomes ``prefix``, and
    the returned PATH_INFO is ``path`` without it (unchanged when it does not start with it)."""
    environ["SCRIPT_NAME"] = prefix
    split = split_prefix(path, prefix)
    return path if split is None else split[1]


def join_path_prefix(base: str) -> str:
    """Normalise a base path option: ``"api/"`` -> ``"/api"``, ``"/"`` or ``""`` -> ``""``."""
    base = base.strip("/")
    return "/" + base if base else ""


def decode_body(body: object, is_base64: object) -> bytes:
    """Request body bytes from an event's ``body``/``isBase64Encoded`` pair.

    Raises ValueError for a body that is not a string, not valid base64 or not valid UTF-8 text
    (a lone surrogate, which JSON can spell but no front door sends): the platform modules turn
    that into a 400.
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
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("body " + unicode_problem(body)) from None


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
    # The cache is read here first: a hit then costs no function call (this runs per response).
    if (content_encoding is None or content_encoding.lower() == "identity") and (
        content_type is None or _TEXT_CACHE.get(content_type) or is_text_type(content_type)
    ):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return binascii.b2a_base64(body, newline=False).decode("ascii"), True


def error_response(status: int, message: str) -> Response:
    """A short plain-text error response; never contains a traceback or event data."""
    body = message.encode("utf-8", "backslashreplace")
    return Response(
        status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        body,
    )
