"""Adapter benchmark: our AWS/Azure adapters against apig-wsgi, Mangum (+a2wsgi),
serverless-wsgi, Zappa's handler (if installed) and azure.functions.WsgiMiddleware.

Every adapter serves the same WSGI app on the same events in one process:
  v1-get     API Gateway REST GET with a query string and 19 headers
  v2-post    HTTP API 2.0 POST with a 10 KB JSON body the app reads
  alb        ALB (single-value headers) GET
Prints µs/event (best of several rounds) and the ratio to apig-wsgi, twice: with stdout a writer
that drops what it is given (``null``) and with stdout as Lambda's runtime makes it (``platform``:
awslambdaric's own ``Unbuffered`` wrapper, which flushes after every write, over a pipe that
another process drains), then the import time of ``faas.adapters.aws`` vs ``apig_wsgi`` measured
in fresh interpreters.

``--instructions`` also counts CPU instructions per event under valgrind (cachegrind), which,
unlike wall time, does not move with the load of a shared machine.

Run: python benchmarks/adapters.py [--quick] [--instructions]
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "adapters"))

from events import make_alb_event, make_v1_event, make_v2_event  # noqa: E402

BODY_10K = json.dumps({"items": [{"id": i, "name": f"item-{i}", "ok": True} for i in range(300)]})[:10240]
PAGE = b'{"hello": "world", "items": [1, 2, 3]}'


def wsgi_app(environ, start_response):
    """A minimal app: reads the body, answers a small JSON document."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(PAGE)))])
    return [PAGE]


V1_HEADERS = [
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate"),
    ("cache-control", "no-cache"),
    ("CloudFront-Forwarded-Proto", "https"),
    ("CloudFront-Is-Desktop-Viewer", "true"),
    ("CloudFront-Is-Mobile-Viewer", "false"),
    ("CloudFront-Is-SmartTV-Viewer", "false"),
    ("CloudFront-Is-Tablet-Viewer", "false"),
    ("CloudFront-Viewer-Country", "US"),
    ("User-Agent", "Mozilla/5.0"),
    ("Via", "1.1 d98420743a69852491bbdea73f7680bd.cloudfront.net"),
    ("X-Amz-Cf-Id", "pn-PWIJc6thYnZm5P0NMgOUglL1DYtl0gdeJky8tqsg8iS_sgsKD1A=="),
    ("Cookie", "session=abc; theme=dark"),
    ("Accept-Language", "en-GB,en;q=0.9"),
]

EVENTS: dict[str, dict[str, Any]] = {
    "v1-get": make_v1_event("GET", "/hello/world", query=[("name", "me"), ("page", "2")], headers=V1_HEADERS),
    "v2-post": make_v2_event(
        "POST",
        "/items",
        query="a=1&b=2",
        body=BODY_10K,
        headers={
            "content-type": "application/json",
            "accept": "*/*",
            "user-agent": "curl/8.0",
            "content-length": str(len(BODY_10K)),
        },
    ),
    "alb": make_alb_event(
        "GET",
        "/hello/world",
        query=[("key", "hello")],
        headers=[("accept", "*/*"), ("user-agent", "curl/8.0"), ("x-myheader", "123")],
    ),
}


class Context:
    function_name = "bench"
    aws_request_id = "req-1"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"

    def get_remaining_time_in_millis(self):
        return 30000


def adapters() -> dict[str, Callable[[dict[str, Any]], Any]]:
    """name -> fn(event) for every adapter that can be imported here."""
    found: dict[str, Callable[[dict[str, Any]], Any]] = {}
    context = Context()

    from faas.adapters.aws import make_handler

    ours = make_handler(wsgi_app, access_log=False)  # the default on AWS (FAAS_ACCESS_LOG unset)
    found["faas"] = lambda event: ours(event, context)
    logged = make_handler(wsgi_app, access_log=True)  # FAAS_ACCESS_LOG=1
    found["faas, access line"] = lambda event: logged(event, context)

    import apig_wsgi

    apig = apig_wsgi.make_lambda_handler(wsgi_app, binary_support=True)
    found["apig-wsgi"] = lambda event: apig(event, context)

    from a2wsgi import WSGIMiddleware
    from mangum import Mangum

    mangum = Mangum(WSGIMiddleware(wsgi_app), lifespan="off")
    found["mangum+a2wsgi"] = lambda event: mangum(event, context)

    import serverless_wsgi

    found["serverless-wsgi"] = lambda event: serverless_wsgi.handle_request(wsgi_app, event, context)

    try:
        found["zappa"] = zappa_handler(context)
    except ImportError:
        print("zappa not installed: skipped (see zappa_handler's docstring)", file=sys.stderr)

    return found


def zappa_handler(context: Any) -> Callable[[dict[str, Any]], Any]:
    """Zappa's real ``LambdaHandler`` with a minimal settings module.

    Zappa pins much of the AWS tool chain, so it is not a dev dependency; install it apart with
    ``pip install --no-deps --target /tmp/zappa-lib zappa durationpy`` and set
    ``ZAPPA_LIB=/tmp/zappa-lib`` (skipped when absent).
    """
    import types

    lib = os.environ.get("ZAPPA_LIB")
    if lib and lib not in sys.path:
        sys.path.insert(0, lib)
    settings = types.ModuleType("zappa_settings")
    settings.__dict__.update(
        LOG_LEVEL="WARNING",
        PROJECT_NAME="bench",
        API_STAGE="prod",
        ENVIRONMENT_VARIABLES={},
        DJANGO_SETTINGS=None,
        APP_MODULE=__name__,
        APP_FUNCTION="wsgi_app",
        DOMAIN=None,
        BINARY_SUPPORT=True,
        CONTEXT_HEADER_MAPPINGS={},
        EXCEPTION_HANDLER=None,
        BASE_PATH=None,
        AWS_EVENT_MAPPING={},
        AWS_BOT_EVENT_MAPPING={},
        COGNITO_TRIGGER_MAPPING={},
        DEBUG=False,
        ADDITIONAL_TEXT_MIMETYPES=[],
    )
    sys.modules["zappa_settings"] = settings
    from zappa.handler import LambdaHandler  # ImportError when not installed

    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Instancing.."
        handler = LambdaHandler("zappa_settings")
    return lambda event: handler.handler(event, context)


class NullWriter(io.TextIOBase):
    """stdout that takes what it is given and drops it: formatting a line is counted, writing it
    is not (the figures the README gave before the platform writer was measured)."""

    def write(self, text: str) -> int:
        return len(text)


@contextlib.contextmanager
def platform_stdout() -> Iterator[Any]:
    """stdout as awslambdaric makes it on Lambda: its ``Unbuffered`` wrapper (write, then flush:
    one write(2) per line) around a text stream over a pipe that another process reads, as
    Lambda's log collector does."""
    try:
        from awslambdaric.bootstrap import Unbuffered
    except ImportError:  # the same class, for a machine without awslambdaric

        class Unbuffered:  # type: ignore[no-redef]
            def __init__(self, stream: Any) -> None:
                self.stream = stream

            def __getattr__(self, attr: str) -> Any:
                return getattr(self.stream, attr)

            def write(self, msg: str) -> None:
                self.stream.write(msg)
                self.stream.flush()

    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert reader.stdin is not None
    stream = io.TextIOWrapper(io.FileIO(reader.stdin.fileno(), "w", closefd=False), encoding="utf-8")
    try:
        yield Unbuffered(stream)
    finally:
        stream.close()
        reader.stdin.close()
        reader.wait()


WRITERS = ("null", "platform")


def time_per_call(fn: Callable[[], Any], rounds: int, number: int) -> float:
    """Best-of-rounds mean µs per call (best: least disturbed by the shared CPU)."""
    return min(_one_round(fn, number) for _ in range(rounds))


def _one_round(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number * 1e6


def import_time(module: str, runs: int, pythonpath: str | None = None) -> float:
    """Median wall time (ms) of ``import module`` in a fresh interpreter.

    Bytecode must already be compiled (as pip does for site-packages, and as an artifact should
    ship it): otherwise this measures the compiler, not the import.
    """
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        samples.append(float(out.stdout) * 1000)
    return statistics.median(samples)


def artifact_layout() -> str:
    """A temp dir laid out like the artifact: empty faas/__init__.py, faas/adapters, compiled."""
    import compileall
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="faas-artifact-"))
    (root / "faas").mkdir()
    (root / "faas" / "__init__.py").write_text("")
    shutil.copytree(ROOT / "adapters", root / "faas" / "adapters", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(root), quiet=1)
    return str(root)


def azure_comparison(rounds: int, number: int) -> dict[str, float]:
    """Ours vs azure.functions.WsgiMiddleware on the same HttpRequest (v1-get's request)."""
    import azure.functions as func

    from faas.adapters.azure import make_handler

    headers = {name.lower(): value for name, value in V1_HEADERS}
    headers.update({"host": "bench.azurewebsites.net", "x-forwarded-for": "203.0.113.7:5123"})
    req = func.HttpRequest(
        "GET", "https://bench.azurewebsites.net/api/hello/world?name=me&page=2", headers=headers, body=b""
    )
    ours = make_handler(wsgi_app)
    theirs = func.WsgiMiddleware(wsgi_app)
    return {
        "faas (azure)": time_per_call(lambda: ours(req), rounds, number),
        "azure WsgiMiddleware": time_per_call(lambda: theirs.handle(req), rounds, number),
    }


#: Adapters whose instructions are counted: valgrind runs code ~50x slower, and Mangum's
#: ~500 µs per event would make this take minutes without telling anything new.
#: (adapter, writer) pairs whose instructions are counted: valgrind runs code ~50x slower, and
#: Mangum's ~500 µs per event would make this take minutes without telling anything new. Only
#: the access line writes to stdout, so only it is counted under both writers (cachegrind counts
#: the user-space part of a write: the text and buffer layers, not the kernel's work).
COUNTED = (
    ("faas", "null"),
    ("faas, access line", "null"),
    ("faas, access line", "platform"),
    ("apig-wsgi", "null"),
    ("serverless-wsgi", "null"),
    ("zappa", "null"),
)


def run_calls(adapter: str, event_name: str, calls: int, writer: str = "null") -> None:
    """Child process of :func:`instructions_per_event`: warm up, then serve ``calls`` events."""
    fn = adapters()[adapter]
    event = EVENTS[event_name]
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(platform_stdout()) if writer == "platform" else NullWriter()
        stack.enter_context(contextlib.redirect_stdout(out))
        for _ in range(50):
            fn(event)
        for _ in range(calls):
            fn(event)


def instructions_per_event(
    adapter: str, event_name: str, writer: str = "null", calls: tuple[int, int] = (1000, 3000)
) -> float:
    """Instructions one event costs: two runs of different lengths under cachegrind, subtracted,
    so interpreter start-up and imports cancel out. Hash seeds are fixed for repeatability."""
    totals = []
    for count in calls:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
                sys.executable,
                __file__,
                "--child",
                adapter,
                event_name,
                str(count),
                writer,
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        refs = [line for line in out.stderr.splitlines() if "I refs" in line or "I   refs" in line]
        totals.append(int(refs[-1].split(":")[1].replace(",", "")))
    return (totals[1] - totals[0]) / (calls[1] - calls[0])


def print_instructions(names: list[str]) -> None:
    counted = [(name, writer) for name, writer in COUNTED if name in names]
    print(f"{'instructions':<32}" + "".join(f"{e:>22}" for e in EVENTS))
    table = {key: {e: instructions_per_event(key[0], e, key[1]) for e in EVENTS} for key in counted}
    base = table["apig-wsgi", "null"]
    for (name, writer), row in table.items():
        cells = "".join(f"{row[e] / 1000:>11.1f}k ({row[e] / base[e]:4.2f}x)" for e in EVENTS)
        print(f"{name + ' (' + writer + ')':<32}{cells}")
    print("(per event, valgrind --tool=cachegrind; two runs of 1,000 and 3,000 events, subtracted)")
    print()


Adapter = Callable[[dict[str, Any]], Any]


def measure(found: dict[str, Adapter], outs: dict[str, Any], rounds: int, number: int) -> dict[str, Any]:
    """writer -> adapter -> event -> µs: each adapter under each stdout in ``outs``, all of them
    taking turns within every round (so a burst of load hits both writers alike too)."""
    tables: dict[str, dict[str, dict[str, float]]] = {w: {name: {} for name in found} for w in outs}
    for event_name, event in EVENTS.items():
        calls: dict[tuple[str, str], tuple[Any, Callable[[], Any]]] = {}
        for name, fn in found.items():
            try:
                with contextlib.redirect_stdout(outs["null"]):
                    fn(json.loads(json.dumps(event)))  # warm up, and check it works
            except Exception as exc:  # a peer that cannot serve this event at all
                for table in tables.values():
                    table[name][event_name] = float("nan")
                print(f"{name} failed on {event_name}: {exc!r}", file=sys.stderr)
                continue
            for writer, out in outs.items():
                calls[name, writer] = (out, lambda fn=fn, event=event: fn(event))
        best = dict.fromkeys(calls, float("inf"))
        for _ in range(rounds):
            for key, (out, call) in calls.items():
                with contextlib.redirect_stdout(out):
                    best[key] = min(best[key], _one_round(call, number))
        for (name, writer), value in best.items():
            tables[writer][name][event_name] = value
    return tables


def print_table(tables: dict[str, dict[str, dict[str, float]]]) -> None:
    """One row per adapter; for each event the null-writer and the platform-writer figure, each
    with its ratio to apig-wsgi's figure under the same writer."""
    header = "".join(f"{e + ' ' + w:>22}" for e in EVENTS for w in WRITERS)
    print(f"{'adapter (µs/event)':<20}{header}")
    for name in tables["null"]:
        cells = ""
        for event_name in EVENTS:
            for writer in WRITERS:
                value = tables[writer][name][event_name]
                base = tables[writer]["apig-wsgi"][event_name]
                cells += f"{value:>13.1f} ({value / base:4.2f}x)"
        print(f"{name:<20}{cells}")
    print("null: stdout drops what it is given; platform: awslambdaric's Unbuffered over a pipe")
    print()


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        run_calls(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    quick = "--quick" in sys.argv
    rounds, number = (5, 500) if quick else (15, 2000)
    found = adapters()
    with platform_stdout() as platform:
        tables = measure(found, {"null": NullWriter(), "platform": platform}, rounds, number)
    with contextlib.redirect_stdout(NullWriter()):
        azure = azure_comparison(rounds, number)
    print_table(tables)
    for name, value in azure.items():
        print(f"{name:<22}{value:>9.1f} µs/event (v1-get request as an Azure HttpRequest)")
    print()
    if "--instructions" in sys.argv:
        print_instructions(list(found))
    runs = 7 if quick else 21
    import compileall

    # The dev install reads this checkout; compile it as pip compiles site-packages.
    for folder in ("adapters", "core/api"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)
    artifact = artifact_layout()
    ours_artifact = import_time("faas.adapters.aws", runs, artifact)
    ours_dev = import_time("faas.adapters.aws", runs)
    apig_ms = import_time("apig_wsgi", runs)
    print(f"import apig_wsgi:                         {apig_ms:6.2f} ms")
    print(f"import faas.adapters.aws (artifact):      {ours_artifact:6.2f} ms  ({ours_artifact / apig_ms:4.2f}x)")
    print(
        f"import faas.adapters.aws (dev install):   {ours_dev:6.2f} ms  ({ours_dev / apig_ms:4.2f}x; includes "
        "faas/__init__.py of the deploy-side package)"
    )
    print(f"(median of {runs} fresh processes each)")


if __name__ == "__main__":
    main()
