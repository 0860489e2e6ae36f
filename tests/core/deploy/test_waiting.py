"""Waiting for the cloud: backoff up to a cap, and a deadline that names the step instead of hanging."""

from __future__ import annotations

import pytest

from faas import DeployError, wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_returns_what_the_check_returns_once_ready() -> None:
    answers = iter([None, None, None, {"State": "Active"}])
    clock = Clock()
    result = wait_until(lambda: next(answers), step="update fn", timeout=60, sleep=clock.sleep, clock=clock.time)
    assert result == {"State": "Active"}
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_the_delay_is_capped_and_the_deadline_names_the_step() -> None:
    clock = Clock()
    with pytest.raises(DeployError, match=r"^update lambda function pups-dev failed: still updating after 5 minutes$"):
        wait_until(
            lambda: None,
            step="update lambda function pups-dev",
            timeout=300,
            still="updating",
            sleep=clock.sleep,
            clock=clock.time,
        )
    assert max(clock.sleeps) == 5.0
    assert 300 <= clock.now <= 306


def test_a_failure_seen_by_the_check_ends_the_wait() -> None:
    def check() -> None:
        raise DeployError("update fn", "Failed: the handler cannot be imported")

    with pytest.raises(DeployError, match="cannot be imported"):
        wait_until(check, step="update fn", timeout=60, sleep=lambda s: None)
