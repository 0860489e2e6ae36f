"""Hints added to an error's line when the situation explains it better than the error can."""

from __future__ import annotations

import os

from faas.core.cli.state import CliState

LOCAL = "local"


def local_deployment_hint(state: CliState) -> str | None:
    """Say so when a command failed for a cloud provider while a local deployment of the stage runs.

    The usual cause: the project's default provider is a cloud, the user deployed with
    `--provider local`, and ran the next command without it.
    """
    project = state._project
    if project is None:
        return None
    name = state.provider_name or os.environ.get("FAAS_PROVIDER") or project.config.provider
    if name == LOCAL:
        return None
    try:
        from faas.core.plugins import get_registry

        deployed = get_registry().get(LOCAL)(project).status().deployed
    except Exception:  # a hint must never hide the error it adds to
        return None
    if not deployed:
        return None
    return f"a local deployment of stage {project.stage} exists: add --provider local"
