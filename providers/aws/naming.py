"""Names and tags of every AWS resource a project and stage own, derived from the config alone.

Deterministic names let a teammate or CI on another machine find the same deployment without a
state file; tags (`faas:project`, `faas:stage`) tell ours apart from look-alikes and find resources
whose config entry was removed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from faas.core.config import Project

PROJECT_TAG = "faas:project"
STAGE_TAG = "faas:stage"
FUNCTION_TAG = "faas:function"
APP = ""
"""The key of the web app among the deployment's functions (plain functions use their own names)."""


def fit(name: str, limit: int, separator: str = "-") -> str:
    """`name` if it fits in `limit` characters, else its head plus a short hash (stays unique)."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return name[: limit - len(digest) - 1].rstrip(separator + "_") + separator + digest


@dataclass(frozen=True)
class Names:
    """The names of one project and stage's resources."""

    project: str
    stage: str

    @classmethod
    def of(cls, project: Project) -> Names:
        return cls(project.name, project.stage)

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.stage}"

    def function(self, key: str) -> str:
        """Lambda name: `<project>-<stage>` for the app, `<project>-<stage>_<function>` for a function.

        The underscore cannot appear in a project, stage or function name, so the app of stage
        `a-b` and the function `b` of stage `a` never share a name.
        """
        return self.prefix if key == APP else fit(f"{self.prefix}_{key}", 64, "_")

    def log_group(self, key: str) -> str:
        return f"/aws/lambda/{self.function(key)}"

    @property
    def role(self) -> str:
        return fit(f"{self.prefix}-lambda", 64)

    @property
    def alias(self) -> str:
        """The alias every trigger and front door points at; moved by deploy and rollback."""
        return "live"

    @property
    def api(self) -> str:
        return self.prefix

    def rule(self, function: str, index: int) -> str:
        # <prefix>-<function>-<n>: the adapter's dispatcher recognises this shape for schedules.
        return fit(f"{self.prefix}-{function}-{index}", 64)

    def bucket(self, role: str, account: str, region: str) -> str:
        """A globally unique bucket name: S3 names are shared by every account in the world."""
        digest = hashlib.sha256(f"{account}/{region}/{self.prefix}/{role}".encode()).hexdigest()[:10]
        head = f"{self.prefix}-{role}"[: 63 - 11].rstrip("-")
        return f"{head}-{digest}"

    def tags(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**(extra or {}), PROJECT_TAG: self.project, STAGE_TAG: self.stage}

    def owns(self, tags: dict[str, str] | None) -> bool:
        return bool(tags) and tags.get(PROJECT_TAG) == self.project and tags.get(STAGE_TAG) == self.stage  # type: ignore[union-attr]
