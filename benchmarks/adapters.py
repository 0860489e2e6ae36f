"""Adapter benchmark: our AWS/Azure adapters against apig-wsgi, Mangum (+a2wsgi),
serverless-wsgi, Zappa's handler (if installed) and azure.functions.WsgiMiddleware.

Every adapter serves the same WSGI app on the same events in one process:
  v1-get     API Gateway REST GET with a query string and 19 headers
  v2-post    HTTP API 2.0 POST with a 10 KB JSON body the app reads
  alb        ALB (single-value headers) GET
Prints µs/event (best of several rounds) and the ratio to apig-wsgi, then the import time of
``faas.adapters.aws`` vs ``apig_wsgi`` measured in fresh interpreters.

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
from collections.abc import Callable
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

    ours = make_handler(wsgi_app)
    found["faas"] = lambda event: ours(event, context)

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

    quiet = make_handler(wsgi_app, access_log=False)  # what apig-wsgi does: no access line
    found["faas (no access log)"] = lambda event: quiet(event, context)
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
    """stdout for the timed runs: takes the access lines and drops them.

    So the figures include formatting the line but not the write(2) a real stdout costs
    (about 1-2 µs on Lambda per line, see README); apig-wsgi writes no access line at all.
    """

    def write(self, text: str) -> int:
        return len(text)


def time_per_call(fn: Callable[[], Any], rounds: int, number: int) -> float:
    """Best-of-rounds mean µs per call (best: least disturbed by the shared CPU)."""
    return min(_one_round(fn, number) for _ in range(rounds))


def _one_round(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number * 1e6


def interleaved(calls: dict[str, Callable[[], Any]], rounds: int, number: int) -> dict[str, float]:
    """Best-of-rounds µs per call for each entry, the entries taking turns within every round.

    Taking turns means a burst of load from other processes on the shared machine hits every
    adapter alike instead of whichever happened to be running.
    """
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, fn in calls.items():
            best[name] = min(best[name], _one_round(fn, number))
    return best


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
COUNTED = ("faas", "faas (no access log)", "apig-wsgi", "serverless-wsgi", "zappa")


def run_calls(adapter: str, event_name: str, calls: int) -> None:
    """Child process of :func:`instructions_per_event`: warm up, then serve ``calls`` events."""
    fn = adapters()[adapter]
    event = EVENTS[event_name]
    with contextlib.redirect_stdout(NullWriter()):
        for _ in range(50):
            fn(event)
        for _ in range(calls):
            fn(event)


def instructions_per_event(adapter: str, event_name: str, calls: tuple[int, int] = (1000, 3000)) -> float:
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
    counted = [name for name in COUNTED if name in names]
    print(f"{'instructions':<22}" + "".join(f"{e:>22}" for e in EVENTS))
    table = {name: {e: instructions_per_event(name, e) for e in EVENTS} for name in counted}
    base = table["apig-wsgi"]
    for name, row in table.items():
        cells = "".join(f"{row[e] / 1000:>11.1f}k ({row[e] / base[e]:4.2f}x)" for e in EVENTS)
        print(f"{name:<22}{cells}")
    print("(per event, valgrind --tool=cachegrind; two runs of 1,000 and 3,000 events, subtracted)")
    print()


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        run_calls(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    quick = "--quick" in sys.argv
    rounds, number = (5, 500) if quick else (15, 2000)
    found = adapters()
    table: dict[str, dict[str, float]] = {name: {} for name in found}
    with contextlib.redirect_stdout(NullWriter()):
        for event_name, event in EVENTS.items():
            calls = {}
            for name, fn in found.items():
                try:
                    fn(json.loads(json.dumps(event)))  # warm up, and check it works
                except Exception as exc:  # a peer that cannot serve this event at all
                    table[name][event_name] = float("nan")
                    print(f"{name} failed on {event_name}: {exc!r}", file=sys.stderr)
                    continue
                calls[name] = lambda fn=fn, event=event: fn(event)

            for name, value in interleaved(calls, rounds, number).items():
                table.setdefault(name, {})[event_name] = value
        azure = azure_comparison(rounds, number)
    print(f"{'adapter':<18}" + "".join(f"{e:>20}" for e in EVENTS))
    base = table["apig-wsgi"]
    for name, row in table.items():
        cells = "".join(f"{row[e]:>9.1f} µs ({row[e] / base[e]:4.2f}x)" for e in EVENTS)
        print(f"{name:<18}{cells}")
    print()
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
