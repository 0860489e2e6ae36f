"""Which release a rollback returns to, chosen by deploy id, so every function of a stage moves together.

Each deploy stamps what it publishes (a Lambda version, a Cloud Run revision, an Azure package)
with its deploy id (`core.deploy.state.new_deploy_id`, which sorts in time). A rollback picks the
target release of the primary function (the one before the current, or the one asked for), then
moves every other function to its newest release published by that deploy or before it: a
function the deploy did not change goes back to what was serving then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from faas.core.errors import UsageError

DEPLOY_STAMP = "faas "
"""The prefix of the description a release carries: `faas <deploy id>`."""


@dataclass(frozen=True)
class Release:
    """One published release of one function."""

    version: str
    order: int
    """Later releases have a higher order (Lambda's version number, a revision's sequence)."""
    deploy_id: str | None = None
    """The deploy that published it (None for a release faas did not publish)."""


def stamp(deploy_id: str) -> str:
    """The description that marks a release as published by deploy `deploy_id`."""
    return f"{DEPLOY_STAMP}{deploy_id}"


def deploy_id_of(description: str | None) -> str | None:
    """The deploy id in a release's description, or None when faas did not write it."""
    text = description or ""
    return text.removeprefix(DEPLOY_STAMP) if text.startswith(DEPLOY_STAMP) else None


def rollback_target(releases: Iterable[Release], current: str, to: str | None, subject: str) -> Release:
    """The release to go back to: `to`, else the newest one older than `current`.

    Refuses, with a line the user can act on, a rollback from the first release or to one that
    does not exist. `subject` names the function in messages.
    """
    by_version = {release.version: release for release in releases}
    if to is not None:
        if to not in by_version:
            published = ", ".join(r.version for r in sorted(by_version.values(), key=lambda r: r.order))
            raise UsageError(f"no version {to} of {subject}; published: {published}")
        return by_version[to]
    now = by_version.get(current)
    older = [r for r in by_version.values() if now is None or r.order < now.order]
    if not older:
        raise UsageError(f"version {current} is the first deployed version; nothing to roll back to")
    return max(older, key=lambda r: r.order)


def release_at(releases: Iterable[Release], deploy_id: str | None) -> Release | None:
    """The newest release published by deploy `deploy_id` or before it (None when there is none)."""
    if not deploy_id:
        return None
    candidates = [r for r in releases if (r.deploy_id or "") <= deploy_id]
    return max(candidates, key=lambda r: r.order) if candidates else None
