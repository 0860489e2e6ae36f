"""The rollback target: the release before the current one, and every function at that deploy."""

from __future__ import annotations

import pytest

from faas import Release, UsageError, deploy_id_of, release_at, rollback_target, stamp

APP = [Release("1", 1, "20260101T000000000000Z"), Release("2", 2, "20260102T000000000000Z"), Release("3", 3, "x3")]


def test_default_target_is_the_release_before_the_current() -> None:
    assert rollback_target(APP, "3", None, "pups-dev").version == "2"
    assert rollback_target(APP, "2", None, "pups-dev").version == "1"


def test_an_explicit_target_must_exist() -> None:
    assert rollback_target(APP, "3", "1", "pups-dev").version == "1"
    with pytest.raises(UsageError, match="no version 9 of pups-dev; published: 1, 2, 3"):
        rollback_target(APP, "3", "9", "pups-dev")


def test_nothing_before_the_first_release() -> None:
    with pytest.raises(UsageError, match="version 1 is the first deployed version; nothing to roll back to"):
        rollback_target(APP, "1", None, "pups-dev")


def test_other_functions_go_to_their_newest_release_of_that_deploy_or_before() -> None:
    tick = [Release("1", 1, "20260101T000000000000Z"), Release("2", 2, "20260103T000000000000Z")]
    # Deploy of 01-02 did not change tick: it goes back to what served then, its version 1.
    assert release_at(tick, "20260102T000000000000Z") == tick[0]
    assert release_at(tick, "20260103T000000000000Z") == tick[1]
    assert release_at(tick, "20251231T000000000000Z") is None
    assert release_at(tick, None) is None


def test_stamps_round_trip() -> None:
    assert deploy_id_of(stamp("20260101T000000000000Z")) == "20260101T000000000000Z"
    assert deploy_id_of("written by hand") is None
    assert deploy_id_of(None) is None
