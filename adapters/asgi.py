"""Run an ASGI app natively on a request environ (see :func:`~faas.adapters.http.new_environ`).

One event loop per process, reused by every invocation (no thread pool, no loop per request).
The lifespan protocol runs once: ``startup`` before the first request, ``shutdown`` at process
exit (atexit). Lambda runs one invocation at a time per process, so by default the calling thread
drives the loop ("inline"); platforms that call the handler from several threads (GCP under
gunicorn, the Azure worker) use "thread" mode, where the loop runs in one background thread and
requests from every thread share it, so the app's loop-bound resources (DB pools) stay valid.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from concurrent.futures import Future

from faas.adapters.http import Response, header_name, raw_path_from_native, request_body, request_path
from faas.adapters.log import get_logger

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Awaitable, Callable, MutableMapping
    from typing import Any, Literal

__all__ = ["ASGIRunner"]

if TYPE_CHECKING:
    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: How long process exit waits for the app's lifespan shutdown.
SHUTDOWN_TIMEOUT = 5.0


class _Lifespan:
    """The app's lifespan task: started once, kept pending between invocations."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.started = asyncio.get_running_loop().create_future()
        self.stopped = asyncio.get_running_loop().create_future()
        self.supported = True
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())
        await self.inbox.put({"type": "lifespan.startup"})
        message = await self.started
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"ASGI lifespan startup failed: {message.get('message', '')}")

    async def shutdown(self) -> None:
        if not self.supported or self.task is None or self.task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(asyncio.shield(self.stopped), SHUTDOWN_TIMEOUT)

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        try:
            await self.app(scope, self.inbox.get, self._send)
        except BaseException as exc:  # an app without lifespan support raises here
            if not self.started.done():
                # The spec: an app that raises on a lifespan scope does not support it.
                self.supported = False
                self.started.set_result({"type": "lifespan.startup.complete"})
                get_logger().debug("ASGI app does not support lifespan: %r", exc)
            elif not self.stopped.done():
                self.stopped.set_result({"type": "lifespan.shutdown.failed"})
                get_logger().error("ASGI lifespan task failed: %r", exc)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
        finally:
            if not self.started.done():
                self.supported = False
                self.started.set_result({"type": "lifespan.startup.complete"})
            if not self.stopped.done():
                self.stopped.set_result({"type": "lifespan.shutdown.complete"})

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind.startswith("lifespan.startup") and not self.started.done():
            self.started.set_result(message)
        elif kind.startswith("lifespan.shutdown") and not self.stopped.done():
            if kind == "lifespan.shutdown.failed":
                get_logger().error("ASGI lifespan shutdown failed: %s", message.get("message", ""))
            self.stopped.set_result(message)


class ASGIRunner:
    """Calls an ASGI app for each request (environ) on the process's single event loop."""

    def __init__(self, app: ASGIApp, mode: Literal["inline", "thread"] = "inline") -> None:
        self.app = app
        self.mode = mode
        self.state: dict[str, Any] = {}
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._startup_error: BaseException | None = None
        self._lifespan: _Lifespan | None = None
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._pid = os.getpid()
        atexit.register(self.close)

    def _loop_thread(self) -> None:
        """Start the loop's thread on first use, in the process that serves.

        Not at import: functions-framework imports the app in gunicorn's arbiter and forks the
        worker, and a thread does not survive a fork (every request would wait on a dead loop).
        """
        with self._thread_lock:
            if self._pid != os.getpid():
                # Forked after the thread started: this copy of the loop is "running" in no thread.
                self._pid = os.getpid()
                self._loop = asyncio.new_event_loop()
                self._thread = None
                self._lifespan = None
                self._startup_error = None
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop.run_forever, name="faas-asgi-loop", daemon=True)
                self._thread.start()

    def _run(self, coro: Awaitable[Any]) -> Any:
        if self.mode == "thread":
            self._loop_thread()
            future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]
            return future.result()
        with self._lock:
            return self._loop.run_until_complete(coro)

    def startup(self) -> None:
        """Run lifespan startup now (idempotent); called before the first request."""
        with self._start_lock:
            if self._lifespan is None:
                try:
                    self._run(self._startup())
                except Exception as exc:
                    # Never serve a half-started app: every request fails the same way.
                    self._startup_error = exc
        if self._startup_error is not None:
            raise self._startup_error

    async def _startup(self) -> None:
        if self._lifespan is None:
            lifespan = _Lifespan(self.app, self.state)
            self._lifespan = lifespan
            await lifespan.startup()

    def close(self) -> None:
        """Run lifespan shutdown (once) and close the loop; registered with atexit."""
        if self._loop.is_closed():
            return
        try:
            # A forked child's copy of the parent's lifespan is the parent's to shut down.
            if self._lifespan is not None and self._pid == os.getpid():
                self._run(self._lifespan.shutdown())
        except Exception:
            get_logger().exception("ASGI lifespan shutdown did not complete")
        finally:
            if self._thread is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(SHUTDOWN_TIMEOUT)
            if not self._loop.is_running():
                self._loop.close()
            atexit.unregister(self.close)

    def __call__(self, environ: dict[str, Any]) -> Response:
        """Serve one request; raises whatever the app raised before completing a response."""
        if self._lifespan is None or self._startup_error is not None:
            self.startup()
        result: Response = self._run(self._call(environ))
        return result

    def scope(self, environ: dict[str, Any]) -> dict[str, Any]:
        """The ASGI HTTP scope for the request ``environ`` (made by ``new_environ``)."""
        native = request_path(environ)
        script_name: str = environ["SCRIPT_NAME"]
        body = request_body(environ)
        headers = [
            (header_name(key).encode("latin-1"), value.encode("latin-1", "replace"))
            for key, value in environ.items()
            if key[:5] == "HTTP_" or key == "CONTENT_TYPE"
        ]
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        port: str = environ["SERVER_PORT"]
        remote_addr = environ.get("REMOTE_ADDR")
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": environ["REQUEST_METHOD"],
            "scheme": environ["wsgi.url_scheme"],
            # ASGI wants the decoded path as text and root_path included (uvicorn does too).
            "path": native.encode("latin-1").decode("utf-8", "replace"),
            "raw_path": raw_path_from_native(native),
            "query_string": environ["QUERY_STRING"].encode("latin-1", "replace"),
            "root_path": script_name.encode("latin-1").decode("utf-8", "replace"),
            "headers": headers,
            "client": (remote_addr, 0) if remote_addr else None,
            "server": (environ["SERVER_NAME"], int(port) if port.isdigit() else 443),
            "state": dict(self.state),
            "extensions": {},
        }
        scope["faas.event"] = environ.get("faas.event")
        scope["faas.context"] = environ.get("faas.context")
        return scope

    async def _call(self, environ: dict[str, Any]) -> Response:
        done = asyncio.Event()
        body_sent = False
        status = 0
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": request_body(environ), "more_body": False}
            # Only after the response is complete is the client "gone"; returning earlier
            # would make Starlette's streaming responses stop at once.
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                if status:
                    raise RuntimeError("http.response.start sent twice")
                status = int(message["status"])
                for name, value in message.get("headers", ()):
                    headers.append((bytes(name).decode("latin-1"), bytes(value).decode("latin-1")))
            elif kind == "http.response.body":
                if not status:
                    raise RuntimeError("http.response.body sent before http.response.start")
                data = message.get("body", b"")
                if data:
                    chunks.append(bytes(data))
                if not message.get("more_body", False):
                    done.set()

        try:
            await self.app(self.scope(environ), receive, send)
        finally:
            done.set()
        if not status:
            raise RuntimeError("the ASGI app returned without sending http.response.start")
        return Response(status, headers, b"".join(chunks))
