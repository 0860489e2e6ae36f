"""ASGI apps run natively: one loop per process, lifespan once, shutdown at exit."""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from faas.adapters.aws import make_handler
from tests.adapters.apps.asgi_app import create_fastapi
from tests.adapters.events import EXECUTE_API_HOST, make_alb_event, make_v1_event, make_v2_event

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lifecycle():
    events: list[str] = []
    handler = make_handler(create_fastapi(events))
    yield handler, events
    handler.service.asgi.close()


class TestFastAPI:
    def test_lifespan_startup_runs_once_for_many_invocations(self, lifecycle):
        handler, events = lifecycle
        for _ in range(3):
            result = handler(make_v2_event("GET", "/items/rex"), None)
            assert result["statusCode"] == 200
            assert json.loads(result["body"])["pool"] == "ready"  # lifespan state reaches requests
        assert events == ["startup"]
        handler.service.asgi.close()
        assert events == ["startup", "shutdown"]

    def test_url_for_with_stage_root_path(self, lifecycle):
        handler, _ = lifecycle
        data = json.loads(handler(make_v1_event("GET", "/items/rex", stage="prod"), None)["body"])
        assert data["url"] == f"https://{EXECUTE_API_HOST}/prod/items/rex"
        assert data["root_path"] == "/prod"
        assert data["path"] == "/prod/items/rex"
        assert data["client"] == "203.0.113.7"

    def test_repeated_query_keys(self, lifecycle):
        handler, _ = lifecycle
        data = json.loads(handler(make_v2_event("GET", "/items/rex", query="a=1&a=2"), None)["body"])
        assert data["query"] == [["a", "1"], ["a", "2"]]

    def test_non_ascii_path(self, lifecycle):
        handler, _ = lifecycle
        for event in (make_v2_event("GET", "/café"), make_alb_event("GET", "/caf%C3%A9")):
            result = handler(event, None)
            assert result["statusCode"] == 200
            assert json.loads(result["body"])["path"] == "/café"

    def test_binary_body_round_trip(self, lifecycle):
        handler, _ = lifecycle
        payload = bytes(range(256))
        result = handler(make_v2_event("POST", "/echo", body=payload), None)
        assert result["isBase64Encoded"] is True
        assert base64.b64decode(result["body"]) == payload

    def test_cookies_and_streaming(self, lifecycle):
        handler, _ = lifecycle
        assert [c.split(";")[0] for c in handler(make_v2_event("GET", "/cookies"), None)["cookies"]] == ["a=1", "b=2"]
        assert handler(make_v2_event("GET", "/stream"), None)["body"] == "one,two,three"

    def test_exception_gives_generic_500(self, lifecycle):
        handler, _ = lifecycle
        result = handler(make_v2_event("GET", "/boom"), None)
        assert result["statusCode"] == 500
        assert "secret" not in result["body"]


class TestRawASGI:
    def test_runs_on_the_calling_thread_without_a_thread_pool(self):
        seen: list[int] = []

        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                raise RuntimeError("no lifespan here")  # the spec's way of saying "unsupported"
            seen.append(threading.get_ident())
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        before = threading.active_count()
        handler = make_handler(app)
        for _ in range(3):
            assert handler(make_v2_event(), None)["body"] == "ok"
        assert seen == [threading.get_ident()] * 3
        assert threading.active_count() == before
        handler.service.asgi.close()

    def test_startup_failure_fails_every_request(self):
        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                await receive()
                await send({"type": "lifespan.startup.failed", "message": "db down"})
                return
            raise AssertionError("must not be called")

        handler = make_handler(app)
        assert handler(make_v2_event(), None)["statusCode"] == 500
        assert handler(make_v2_event(), None)["statusCode"] == 500
        handler.service.asgi.close()

    def test_no_response_start_gives_500(self):
        async def app(scope, receive, send):
            if scope["type"] == "http":
                return

        handler = make_handler(app, interface="asgi")
        assert handler(make_v2_event(), None)["statusCode"] == 500
        handler.service.asgi.close()

    def test_thread_mode_serves_concurrent_callers_on_one_loop(self):
        loops: set[int] = set()

        async def app(scope, receive, send):
            import asyncio

            if scope["type"] == "lifespan":
                raise RuntimeError
            loops.add(id(asyncio.get_running_loop()))
            await asyncio.sleep(0.01)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        handler = make_handler(app, asgi_mode="thread")
        results: list[str] = []
        threads = [
            threading.Thread(target=lambda: results.append(handler(make_v2_event(), None)["body"])) for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == ["ok"] * 5
        assert len(loops) == 1
        handler.service.asgi.close()

    @pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
    def test_thread_mode_serves_in_a_process_forked_after_import(self):
        # functions-framework imports the entry module in gunicorn's arbiter, then forks the worker.
        events: list[str] = []
        handler = make_handler(create_fastapi(events), asgi_mode="thread")
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            try:
                result = handler(make_v2_event("GET", "/items/rex"), None)
                os.write(writer, json.dumps([result["statusCode"], json.loads(result["body"])["pool"]]).encode())
            finally:
                os._exit(0)
        os.close(writer)
        try:
            ready, _, _ = select.select([reader], [], [], 20)
            assert ready, "the forked process never answered: its loop thread did not survive the fork"
            assert json.loads(os.read(reader, 1000)) == [200, "ready"]  # the lifespan ran in the child
        finally:
            os.close(reader)
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        result = handler(make_v2_event("GET", "/items/rex"), None)  # and the parent still serves
        assert result["statusCode"] == 200
        handler.service.asgi.close()


def test_lifespan_shutdown_runs_at_process_exit():
    script = textwrap.dedent("""
        from faas.adapters.aws import make_handler
        from tests.adapters.apps.asgi_app import create_fastapi
        from tests.adapters.events import make_v2_event

        import atexit

        events = []
        atexit.register(lambda: print("events:", events))  # registered first, so it runs last
        handler = make_handler(create_fastapi(events), access_log=False)
        handler(make_v2_event("GET", "/items/rex"), None)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "events: ['startup', 'shutdown']" in out.stdout


class TestDetectInterface:
    def test_frameworks(self, flask_app, django_app):
        from django.core.handlers.asgi import ASGIHandler

        from faas.adapters.app import detect_interface

        assert detect_interface(flask_app) == "wsgi"
        assert detect_interface(django_app) == "wsgi"
        assert detect_interface(ASGIHandler()) == "asgi"
        assert detect_interface(create_fastapi([])) == "asgi"

    def test_functions_and_partials(self):
        import functools

        from faas.adapters.app import detect_interface

        async def asgi_app(scope, receive, send, extra=None):
            pass

        def wsgi_app(environ, start_response):
            return []

        assert detect_interface(asgi_app) == "asgi"
        assert detect_interface(functools.partial(asgi_app, extra=1)) == "asgi"
        assert detect_interface(wsgi_app) == "wsgi"

    def test_interface_can_be_forced(self):
        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        handler = make_handler(lambda *args: app(*args), interface="asgi")  # noqa: PLW0108 - hides the async def
        assert handler(make_v2_event(), None)["statusCode"] == 204
        handler.service.asgi.close()
