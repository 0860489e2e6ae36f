"""The local provider: runs the real artifact in the platform's real runtime client on 127.0.0.1."""

from __future__ import annotations

from faas.core.plugins import Provider


class LocalProvider(Provider):
    name = "local"
    description = "Runs the artifact on this machine in the real runtime of aws, gcp or azure"
