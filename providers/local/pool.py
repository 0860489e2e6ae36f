"""A pool of warm runtime processes for one deployed version, started on demand.

Like Lambda's execution environments: each process serves one request at a time, a new one
starts when all are busy (up to `size`), and one that crashed or timed out is thrown away and
replaced. A pool being drained (after a re-deploy or rollback) finishes what it is serving and
hands no worker to new requests, which go to the pool that replaced it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from faas.providers.local.process import LogSink
from faas.providers.local.workers import HttpWorker, LambdaWorker, Worker, WorkerSpec

_counter = itertools.count(1)


class PoolDrainingError(Exception):
    """The pool was replaced: ask the current one."""


class Pool:
    """Runtime processes of one version; `lease()` hands out an idle one, starting it if needed."""

    def __init__(self, spec: WorkerSpec, size: int, sink: LogSink, *, private: bool = False) -> None:
        self.spec = spec
        self.size = size
        self.sink = sink
        self.private = private
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._cond = threading.Condition()
        self.draining = False
        self.replaced = 0

    def _new_worker(self) -> Worker:
        kind: Callable[..., Worker] = LambdaWorker if self.spec.platform == "aws" else HttpWorker
        role = "private-" if self.private else ""
        worker = kind(self.spec, f"{role}worker-{next(_counter)}", self.sink, self.private)
        self.sink("pool", None, f"starting {worker.name} for version {self.spec.version}")
        try:
            worker.start()
        except Exception:
            worker.kill()
            raise
        self.sink("pool", None, f"{worker.name} ready: init {worker.init_ms:.0f} ms")
        return worker

    @property
    def total(self) -> int:
        return len(self._idle) + len(self._busy) + self._starting

    def warm(self, count: int = 1) -> None:
        """Start `count` workers now (a deploy returns only once one answers)."""
        for _ in range(count):
            with self._cond:
                if self.total >= self.size:
                    return
                self._starting += 1
            try:
                worker = self._new_worker()
            finally:
                with self._cond:
                    self._starting -= 1
            with self._cond:
                self._idle.append(worker)
                self._cond.notify()

    def acquire(self, timeout: float = 60.0) -> Worker:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self.draining:
                    raise PoolDrainingError
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        self._busy.add(worker)
                        return worker
                    worker.kill()
                if self.total < self.size:
                    self._starting += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"all {self.size} runtime processes stayed busy for {timeout:.0f} s")
                self._cond.wait(remaining)
        try:
            worker = self._new_worker()
        except Exception:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    def release(self, worker: Worker) -> None:
        with self._cond:
            self._busy.discard(worker)
            healthy = worker.alive and not self.draining
            if healthy:
                self._idle.append(worker)
            self._cond.notify_all()
        if not healthy:
            worker.kill()
            if not self.draining:
                self.replaced += 1
                self.sink("pool", None, f"{worker.name} was lost; starting a replacement")
                threading.Thread(target=self._replace, name="pool-replace", daemon=True).start()

    def _replace(self) -> None:
        try:
            self.warm(1)
        except Exception as error:  # the next request retries and reports it
            self.sink("pool", None, f"replacement failed: {error}")

    @contextmanager
    def lease(self, timeout: float = 60.0) -> Iterator[Worker]:
        worker = self.acquire(timeout)
        try:
            yield worker
        finally:
            self.release(worker)

    def drain(self, timeout: float | None = None) -> None:
        """Stop taking requests, let the busy workers finish (up to the timeout), stop everything."""
        limit = self.spec.timeout + 5 if timeout is None else timeout
        deadline = time.monotonic() + limit
        with self._cond:
            self.draining = True
            self._cond.notify_all()
            while (self._busy or self._starting) and time.monotonic() < deadline:
                self._cond.wait(0.1)
            workers = self._idle + list(self._busy)
            self._idle = []
        for worker in workers:
            # Idle by now (or past the deadline): nothing in flight to lose, so no grace period.
            worker.kill()

    def describe(self) -> list[dict[str, Any]]:
        with self._cond:
            listed = [(worker, False) for worker in self._idle] + [(worker, True) for worker in self._busy]
        return [
            {
                "name": worker.name,
                "pid": worker.process.popen.pid if worker.process else None,
                "busy": busy,
                "served": worker.served,
                "init_ms": round(worker.init_ms, 1),
                "private": self.private,
            }
            for worker, busy in listed
        ]
