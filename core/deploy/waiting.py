"""Waiting for the cloud: a resource settling (Lambda's LastUpdateStatus), a long-running operation
(Cloud Functions, Azure Resource Manager), a certificate being issued.

Every provider polls something; `wait_until` does it once, with backoff and a deadline that ends
in a `DeployError` naming the step, instead of a hang. A provider whose SDK has its own poller
(`operation.result(timeout=...)`, `poller.result()`) can still use `deadline` for the message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from faas.core.errors import DeployError

T = TypeVar("T")


def wait_until(
    check: Callable[[], T | None],
    *,
    step: str,
    timeout: float,
    still: str = "waiting for the cloud",
    first_delay: float = 0.5,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call `check` until it returns something other than None, and return that.

    `check` raises (a `DeployError`, or an SDK error the apply loop translates) when what it polls
    has failed. The delay doubles from `first_delay` up to `max_delay`; past `timeout` seconds the
    wait ends with `DeployError(step, "still <still> after N minutes")` ("still updating...").
    """
    deadline = clock() + timeout
    delay = first_delay
    while True:
        result = check()
        if result is not None:
            return result
        if clock() > deadline:
            raise DeployError(step, f"still {still} after {_duration(timeout)}")
        sleep(delay)
        delay = min(delay * 2, max_delay)


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"
