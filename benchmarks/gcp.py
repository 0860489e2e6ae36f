"""GCP adapter benchmark: our functions-framework handler against a minimal hand-written bridge.

Both serve the same WSGI app (benchmarks/adapters.py's ``wsgi_app``) from a real
functions-framework app (``functions_framework.create_app``, the Flask app Cloud Functions runs),
called in process through its WSGI interface with werkzeug's test client (the input stream
marked terminated, as gunicorn marks it), so what differs between
the rows is only the bridge from ``flask.Request`` to the user's app:

  bridge  ``Response.from_app(app, request.environ)``: what a user writes by hand, and no more
  faas    ``faas.adapters.gcp.make_handler(app)``: a fresh environ (prefix, client address,
          scheme), the body read whole, the response checked against the 32 MiB limit

Requests: ``get`` (a GET with a query string and 12 headers) and ``post`` (a 10 KB JSON body the
app reads). stdout is a pipe that another process drains, as Cloud Run's log agent reads it,
written through on every line (the buildpack's Python runs unbuffered). faas is measured as it runs
by default (no access line: Cloud Run logs each request itself) and with ``FAAS_ACCESS_LOG=1``.

Run: python benchmarks/gcp.py [--quick]
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from adapters import BODY_10K, time_per_call  # noqa: E402

SOURCES = {
    "bridge": """
        from werkzeug.wrappers import Response
        from adapters import wsgi_app

        def handler(request):
            return Response.from_app(wsgi_app, request.environ)
    """,
    "faas": """
        from faas.adapters.gcp import make_handler
        from adapters import wsgi_app

        handler = make_handler(wsgi_app)
    """,
}

HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-GB,en;q=0.9",
    "Cookie": "session=abc123; theme=dark",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) benchmark",
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1",
    "Traceparent": "00-105445aa7843bc8bf206b12000100000-0000000000000001-01",
    "Forwarded": 'for="203.0.113.7";proto=https',
    "Cache-Control": "no-cache",
    "Sec-Fetch-Mode": "navigate",
}


def client_for(name: str, folder: Path, access_log: bool) -> Any:
    import functions_framework

    source = folder / f"{name}.py"
    source.write_text(textwrap.dedent(SOURCES[name]))
    os.environ["FAAS_ACCESS_LOG"] = "1" if access_log else "0"
    try:
        app = functions_framework.create_app(target="handler", source=str(source), signature_type="http")
    finally:
        del os.environ["FAAS_ACCESS_LOG"]
    return app.test_client()


def requests_of(client: Any) -> dict[str, Callable[[], Any]]:
    # gunicorn (which serves functions-framework on Cloud Functions) marks its input stream as
    # terminated; werkzeug's test client does not, and werkzeug then wraps the body in a
    # LimitedStream that gunicorn's requests never pay for.
    base = {
        "base_url": "https://bench-abc123-uc.a.run.app",
        "headers": HEADERS,
        "environ_overrides": {"wsgi.input_terminated": True},
    }

    def get() -> Any:
        return client.get("/hello/world?name=me&page=2", **base)

    def post() -> Any:
        return client.post("/items", data=BODY_10K, content_type="application/json", **base)

    return {"get": get, "post": post}


@contextlib.contextmanager
def drained_stdout() -> Iterator[None]:
    """stdout as a line-buffered text stream over a pipe that `cat` drains into /dev/null."""
    drain = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert drain.stdin is not None
    stream = io.TextIOWrapper(drain.stdin, encoding="utf-8", line_buffering=True, write_through=True)
    saved = sys.stdout
    sys.stdout = stream
    try:
        yield
    finally:
        sys.stdout = saved
        stream.close()
        drain.wait()


def main() -> None:
    quick = "--quick" in sys.argv
    rounds, number = (5, 500) if quick else (15, 2000)
    rows = {
        "bridge": ("bridge", False),
        "faas (default: no line)": ("faas", False),
        "faas, access line": ("faas", True),
    }
    with tempfile.TemporaryDirectory() as folder:
        calls = {row: requests_of(client_for(name, Path(folder), log)) for row, (name, log) in rows.items()}
        results: dict[str, dict[str, float]] = {row: {} for row in calls}
        with drained_stdout():
            for row in calls.values():  # warm up, and check each answers what the app sends
                for request in row.values():
                    response = request()
                    assert response.status_code == 200 and response.data.startswith(b'{"hello"'), response.data
            for _ in range(rounds):  # take turns inside each round: load bursts hit every row alike
                for row, requests in calls.items():
                    for kind, request in requests.items():
                        best = time_per_call(request, 1, number)
                        results[row][kind] = min(results[row].get(kind, best), best)
    print(f"{'µs/request (vs bridge)':<30}{'get':>18}{'post':>18}")
    for row, figures in results.items():
        cells = "".join(
            f"{figures[kind]:>9.1f} ({figures[kind] / results['bridge'][kind]:4.2f}x)" for kind in ("get", "post")
        )
        print(f"{row:<30}{cells}")


if __name__ == "__main__":
    main()
